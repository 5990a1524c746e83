import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningBroker } from "../../src/transport/index.js";
import { testBroker } from "../helpers/broker.js";
import { Requester } from "../helpers/requester.js";
import { FIXTURES, startServer, waitFor, type ServerNode } from "../helpers/server.js";

const NODE = "ruby1.example.net";

/** A one-action Ruby agent `<name>#hi` replying `msg`, with its DDL, written into `dir`. */
function writeAgent(dir: string, name: string, msg: string): void {
  const klass = name[0].toUpperCase() + name.slice(1);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.rb`), `module MCollective\n  module Agent\n    class ${klass} < RPC::Agent\n      action "hi" do\n        reply[:msg] = ${JSON.stringify(msg)}\n      end\n    end\n  end\nend\n`);
  writeFileSync(
    join(dir, `${name}.ddl`),
    `metadata :name => "${name}", :description => "test", :author => "t", :license => "Apache-2.0", :version => "1.0", :url => "https://example.invalid", :timeout => 5\n` +
      'action "hi", :description => "hi" do\n  output :msg, :description => "m", :display_as => "M"\nend\n',
  );
}

/** A `<name>#hi` agent whose DDL declares the action through Ruby that only Ruby evaluates (a `def`). */
function writeAgentNeedingRubyDdl(dir: string, name: string): void {
  writeAgent(dir, name, "read by Ruby");
  writeFileSync(
    join(dir, `${name}.ddl`),
    `metadata :name => "${name}", :description => "test", :author => "t", :license => "Apache-2.0", :version => "1.0", :url => "https://example.invalid", :timeout => 5\n` +
      'def hi_output\n  output :msg, :description => "m", :display_as => "M"\nend\n' +
      'action "hi", :description => "hi" do\n  hi_output\n  if respond_to?(:summarize)\n    summarize do\n      aggregate summary(:msg)\n    end\n  end\nend\n',
  );
}

describe("mcompat server with legacy Ruby agents", function () {
  this.timeout(60_000);
  let broker: RunningBroker;
  let node: ServerNode;
  let client: Requester;
  const libdir = mkdtempSync(join(tmpdir(), "mcompat-libdir-"));
  const modulepath = mkdtempSync(join(tmpdir(), "mcompat-modules-"));

  before(async () => {
    // slowload is for the start-up test; here it would hold every Ruby agent back until the pool's start timeout.
    cpSync(join(FIXTURES, "agents"), libdir, { recursive: true, filter: (src) => !src.includes("slowload") });
    writeAgent(join(modulepath, "mcollective_agent_forged", "files", "mcollective", "agent"), "forged", "from a Forge module");
    writeAgentNeedingRubyDdl(join(libdir, "mcollective", "agent"), "rubyddl");
    broker = await testBroker();
    node = await startServer({ identity: NODE, factsFile: join(FIXTURES, "facts", "node1.yaml"), libdir: `${libdir}:${modulepath}` }, broker.port);
    client = await Requester.connect(broker.port, [NODE]);
  });

  after(async () => {
    await client?.close();
    await node?.stop();
    await broker?.stop();
  });

  const call = async (agent: string, action: string, data: Record<string, unknown> = {}) =>
    (await client.request({ agent, action, data, targets: [NODE], expect: [NODE] }))[0].rpc!;

  it("runs a Ruby agent action through the worker pool, validated and with DDL defaults", async () => {
    const reply = await call("echo", "echo", { message: "hello" });
    assert.equal(reply.statuscode, 0);
    assert.equal(reply.data.message, "hello");
    assert.equal(reply.data.caller, client.signer.callerid);
  });

  it("validates Ruby agent input against the DDL before Ruby sees it", async () => {
    assert.equal((await call("echo", "echo", {})).statuscode, 4);
  });

  it("leaves out agents that cannot load, saying why, and serves the rest", async () => {
    const log = node.log();
    for (const agent of ["broken", "needslib", "inactive"]) assert.match(log, new RegExp(`agent ${agent} not loaded: .+`));
    const inventory = (await call("rpcutil", "inventory")).data.agents as string[];
    assert.ok(inventory.includes("echo") && inventory.includes("rpcutil"));
    assert.ok(!inventory.includes("broken") && !inventory.includes("needslib") && !inventory.includes("inactive"));
  });

  it("answers a ping while a slow Ruby action runs, and times the slow one out with statuscode 5", async () => {
    const order: string[] = [];
    const slow = call("hang", "sleep").then((reply) => (order.push("hang"), reply));
    const fast = call("rpcutil", "ping").then((reply) => (order.push("ping"), reply));
    const [hang, ping] = await Promise.all([slow, fast]);
    assert.equal(ping.statuscode, 0);
    assert.equal(hang.statuscode, 5);
    assert.match(hang.statusmsg, /timed out/);
    assert.deepEqual(order, ["ping", "hang"]);
  });

  it("answers Ruby data plugins in -S filters and rpcutil get_data", async () => {
    const filter = { compound: [[{ fstatement: { name: "fixture", params: "hello", value: "length", operator: "==", r_compare: "5" } }]] };
    const replies = await client.request({ agent: "discovery", message: JSON.stringify("ping"), filter, expect: [NODE] });
    assert.deepEqual(replies.map((r) => r.sender), [NODE]);
    const miss = { compound: [[{ fstatement: { name: "fixture", params: "hello", value: "length", operator: "==", r_compare: "6" } }]] };
    assert.deepEqual(await client.request({ agent: "discovery", message: JSON.stringify("ping"), filter: miss, expect: [] }), []);
    const data = await call("rpcutil", "get_data", { source: "fixture", query: "hello" });
    assert.equal(data.statuscode, 0);
    assert.equal(data.data.upper, "HELLO");
    assert.ok(((await call("rpcutil", "inventory")).data.data_plugins as string[]).includes("fixture"));
  });

  it("serves an agent from a Forge-module layout (<module>/files/mcollective/agent)", async () => {
    assert.deepEqual(await call("forged", "hi"), { statuscode: 0, statusmsg: "OK", data: { msg: "from a Forge module" } });
  });

  it("serves an agent whose DDL only Ruby can evaluate, read by the Ruby DDL reader instead of left out", async () => {
    assert.doesNotMatch(node.log(), /agent rubyddl not loaded/);
    assert.deepEqual(await call("rubyddl", "hi"), { statuscode: 0, statusmsg: "OK", data: { msg: "read by Ruby" } });
  });

  it("loads an agent added to the libdir on SIGHUP and serves it on its broadcast subject", async () => {
    writeAgent(join(libdir, "mcollective", "agent"), "latecomer", "hello");
    await node.reload();
    const [reply] = await client.request({ agent: "latecomer", action: "hi", expect: [NODE] });
    assert.deepEqual(reply.rpc, { statuscode: 0, statusmsg: "OK", data: { msg: "hello" } });
  });

  it("finishes a request in flight on SIGTERM, replies, and exits 0", async () => {
    const body = JSON.stringify({ agent: "hang", action: "sleep", caller: client.signer.callerid, data: {} });
    // Earlier tests ran hang#sleep too: wait for one more start than the log already shows.
    const started = () => (node.log().match(/running hang#sleep/g) ?? []).length;
    const before = started();
    const replies = client.exchange("mcollective", [NODE], [], (replyTo) => {
      client.publishRaw(`mcollective.node.${NODE}`, client.payload({ agent: "hang", collective: "mcollective" }, body, replyTo));
    });
    await waitFor(() => started() > before, () => false, async () => `hang#sleep never started:\n${node.log()}`);
    const exitCode = node.stop();
    const [reply] = await replies;
    assert.equal(reply.rpc?.statuscode, 5);
    assert.equal(await exitCode, 0);
  });
});
