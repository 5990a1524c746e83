import assert from "node:assert/strict";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningBroker } from "../../src/transport/index.js";
import { testBroker } from "../helpers/broker.js";
import { Requester } from "../helpers/requester.js";
import { FIXTURES, spawnServer, waitFor, writeServerConfig, type ServerNode } from "../helpers/server.js";

const NODE = "slow1.example.net";
const AGENTS = join(FIXTURES, "agents", "mcollective", "agent");

describe("mcompat server start with an agent that loads slowly", function () {
  this.timeout(60_000);
  let broker: RunningBroker;
  let node: ServerNode;
  let client: Requester;

  before(async () => {
    const libdir = mkdtempSync(join(tmpdir(), "mcompat-slow-libdir-"));
    for (const file of ["slowload.rb", "slowload.ddl", "echo.rb", "echo.ddl"]) cpSync(join(AGENTS, file), join(libdir, "mcollective", "agent", file));
    broker = await testBroker();
    const files = await writeServerConfig({ identity: NODE, factsFile: join(FIXTURES, "facts", "node1.yaml"), libdir, extra: { "plugin.mcompat.ruby.start_timeout": "5" } }, broker.port);
    node = await spawnServer(NODE, files, /subscribed to \d+ destinations/);
    client = await Requester.connect(broker.port, [NODE]);
  });

  after(async () => {
    await client?.close();
    await node?.stop();
    await broker?.stop();
  });

  it("answers native agents while Ruby agents are still loading, then leaves out the one that blocks while loading", async () => {
    const [ping] = await client.request({ agent: "rpcutil", action: "ping", targets: [NODE], expect: [NODE] });
    assert.equal(ping.rpc?.statuscode, 0);
    assert.doesNotMatch(node.log(), /serving agents: /, "the ping was answered before the Ruby agents were loaded");
    await waitFor(() => /serving agents: /.test(node.log()), () => false, async () => `never finished loading:\n${node.log()}`);
    assert.match(node.log(), /agent slowload not loaded: .+/);
    assert.match(node.log(), /serving agents: choria_util, discovery, echo, package, puppet, rpcutil, service$/m);
  });
});
