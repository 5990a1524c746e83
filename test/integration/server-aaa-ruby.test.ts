import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WorkerPool } from "../../src/shim/index.js";
import type { RunningBroker } from "../../src/transport/index.js";
import { agentCall } from "../helpers/agents.js";
import { testBroker } from "../helpers/broker.js";
import { Requester } from "../helpers/requester.js";
import { FIXTURES, spawnServer, writeServerConfig, type ServerNode } from "../helpers/server.js";

const NODE = "aaaruby1.example.net";

/** A one-action agent `guarded#hi` that asks for `authorized_by :action_policy` itself, as old agents did. */
function writeGuardedAgent(libdir: string): { agent: string; rb: string; ddl: string } {
  const dir = join(libdir, "mcollective", "agent");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "guarded.rb"), 'module MCollective\n  module Agent\n    class Guarded < RPC::Agent\n      authorized_by :action_policy\n\n      action "hi" do\n        reply[:msg] = "hi"\n      end\n    end\n  end\nend\n');
  writeFileSync(join(dir, "guarded.ddl"),
    'metadata :name => "guarded", :description => "test", :author => "t", :license => "Apache-2.0", :version => "1.0", :url => "https://example.invalid", :timeout => 5\n' +
    'action "hi", :description => "hi" do\n  output :msg, :description => "m", :display_as => "M"\nend\n');
  return { agent: "guarded", rb: join(dir, "guarded.rb"), ddl: join(dir, "guarded.ddl") };
}

describe("mcompat server authorizing the bundled Ruby agents with actionpolicy", function () {
  this.timeout(120_000);
  let broker: RunningBroker;
  let node: ServerNode;
  let client: Requester;

  before(async () => {
    broker = await testBroker();
    const files = await writeServerConfig(
      { identity: NODE, factsFile: join(FIXTURES, "facts", "node1.yaml"), extra: { rpcauthorization: "1", rpcauthprovider: "action_policy" } },
      broker.port,
    );
    const libdir = join(files.dir, "plugins");
    writeGuardedAgent(libdir);
    // A second policy implementation in a libdir: if Ruby ever loaded it, every call would be refused with its words.
    mkdirSync(join(libdir, "mcollective", "util"), { recursive: true });
    writeFileSync(join(libdir, "mcollective", "util", "actionpolicy.rb"),
      'module MCollective\n  module Util\n    class ActionPolicy\n      def self.authorize(_request)\n        raise(RPCAborted, "the libdir actionpolicy.rb ran")\n      end\n    end\n  end\nend\n');
    mkdirSync(join(files.dir, "policies"));
    writeFileSync(join(files.dir, "policies", "package.policy"), "policy default deny\nallow\t*\tstatus\t*\t*\n");
    writeFileSync(join(files.dir, "policies", "guarded.policy"), "policy default deny\nallow\t*\thi\t*\t*\n");
    writeFileSync(join(files.dir, "policies", "service.policy"), "policy default deny\nallow\t*\tstatus\t*\t*\n");
    writeFileSync(join(files.dir, "policies", "puppet.policy"), "policy default deny\nallow\t*\tstatus\t*\t*\n");
    // Puppet's state folders inside the test's directory, so puppet status reads no machine state.
    writeFileSync(join(files.dir, "puppet.conf"), ["[main]", ...["vardir", "rundir", "logdir", "publicdir"].map((k) => `${k} = ${files.dir}/puppet/${k}`)].join("\n"));
    writeFileSync(files.configFile, `${readFileSync(files.configFile, "utf8")}plugin.puppet.config = ${join(files.dir, "puppet.conf")}\n`);
    node = await spawnServer(NODE, files);
    client = await Requester.connect(broker.port, [NODE]);
  });

  after(async () => {
    await client?.close();
    await node?.stop();
    await broker?.stop();
  });

  const call = async (agent: string, action: string, data: Record<string, unknown> = {}) =>
    (await client.request({ agent, action, data, targets: [NODE], expect: [NODE] }))[0].rpc!;

  it("serves the bundled Ruby agents, not leaving any out", () => {
    assert.match(node.log(), /serving agents: .*\bpackage\b/);
    assert.match(node.log(), /serving agents: .*\bservice\b/);
    assert.match(node.log(), /serving agents: .*\bpuppet\b/);
  });

  it("runs an action the policy allows, authorized once by the server and never again in Ruby", async () => {
    const reply = await call("package", "status", { package: "bash" });
    assert.equal(reply.statusmsg, "OK");
    assert.equal(reply.statuscode, 0);
    assert.equal(reply.data.name, "bash");
  });

  it("runs service status, whose service_name validator ships in MCollective's layout (validator/service_name.rb)", async () => {
    const reply = await call("service", "status", { service: "mcompat-no-such-service" });
    assert.doesNotMatch(reply.statusmsg, /validator/i);
    assert.equal(reply.statuscode, 0, reply.statusmsg);
  });

  it("runs puppet status, which the policy allows", async () => {
    const reply = await call("puppet", "status");
    assert.equal(reply.statuscode, 0, reply.statusmsg);
    assert.equal(reply.data.enabled, true);
  });

  it("denies actions the policy does not allow before they reach Ruby", async () => {
    const denied = { statuscode: 1, statusmsg: "You are not authorized to call this agent or action." };
    for (const [agent, action, data] of [["package", "install", { package: "mcompat-no-such-package" }], ["service", "restart", { service: "mcompat-no-such-service" }], ["puppet", "runonce", {}]] as const) {
      const reply = await call(agent, action, data);
      assert.deepEqual({ statuscode: reply.statuscode, statusmsg: reply.statusmsg }, denied, `${agent}#${action}`);
    }
  });

  it("runs an agent that says authorized_by :action_policy itself on the server's authorization", async () => {
    assert.deepEqual(await call("guarded", "hi"), { statuscode: 0, statusmsg: "OK", data: { msg: "hi" } });
  });
});

describe("a Ruby agent asking for authorization that the server does not run", function () {
  this.timeout(30_000);

  it("is refused (statuscode 1) rather than served unauthorized", async () => {
    const pool = new WorkerPool({ config: {}, size: 1, agents: [writeGuardedAgent(mkdtempSync(join(tmpdir(), "mcompat-guarded-")))] });
    try {
      const reply = await pool.call(agentCall("guarded", "hi"));
      assert.equal(reply.statuscode, 1);
      assert.match(reply.statusmsg, /^guarded asks for authorization by 'action_policy', which mcompat does not run/);
    } finally {
      await pool.stop();
    }
  });
});
