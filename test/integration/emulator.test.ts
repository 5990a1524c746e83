import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import type { RunningBroker } from "../../src/transport/index.js";
import { testBroker } from "../helpers/broker.js";
import { writeClientConfig } from "../helpers/fleet.js";
import { mcoProcess } from "../helpers/mco.js";
import { FIXTURES, NATIVE_ONLY, REPO, waitFor, writeServerConfig } from "../helpers/server.js";

const NODES = 2000;

interface JsonResult {
  sender: string;
  statuscode: number;
}

describe(`mcompat emulate: ${NODES} virtual nodes through the real pipeline`, function () {
  this.timeout(120_000);
  let broker: RunningBroker;
  let emulator: ResultPromise;
  let clientCfg: string;
  let logFile: string;
  const uk = Array.from({ length: NODES }, (_, i) => i).filter((i) => i % 100 < 10).map((i) => `emu-${i + 1}.example.net`).sort();

  before(async () => {
    broker = await testBroker();
    const files = await writeServerConfig({ identity: "emulator.example.net", factsFile: join(FIXTURES, "facts", "node1.yaml"),
      extra: { ...NATIVE_ONLY, loglevel: "info", rpcauthorization: "1", rpcauthprovider: "action_policy" } }, broker.port);
    // One policy for the fleet, judged against each node's own facts: only the uk nodes may answer get_fact. Its
    // unreadable line is warned about once when the fleet reads the policies once.
    mkdirSync(join(files.dir, "policies"));
    writeFileSync(join(files.dir, "policies", "rpcutil.policy"), "policy default allow\ndeny\t*\tget_fact\tcountry=de\t*\nnot a rule\n");
    logFile = files.logFile;
    emulator = execa(join(REPO, "bin", "mcompat"), ["emulate", "--config", files.configFile, "--nodes", String(NODES), "--spread", "country=uk:10,de:90"], { reject: false, all: true });
    let exited = false;
    void emulator.then(() => (exited = true));
    const log = () => (existsSync(files.logFile) ? readFileSync(files.logFile, "utf8") : "");
    await waitFor(() => /emulating 2000 nodes/.test(log()), () => exited, async () => `the emulator did not start:\n${log()}\n${(await emulator).all}`);
    clientCfg = await writeClientConfig(broker.port, "emu");
  });

  after(async () => {
    emulator?.kill("SIGTERM");
    await emulator;
    await broker?.stop();
  });

  it("answers mco ping from every node, each once", async () => {
    const out = await mcoProcess(["ping", "-t", "10", "--config", clientCfg]);
    const senders = out.stdout.split("\n").filter((l) => / time=/.test(l)).map((l) => l.trim().split(/\s+/)[0]);
    assert.equal(senders.length, NODES, out.stderr);
    assert.equal(new Set(senders).size, NODES);
  });

  it("discovers exactly the nodes a fact filter selects, and an RPC reaches each of them once", async () => {
    const found = await mcoProcess(["find", "-F", "country=uk", "--dt", "5", "--config", clientCfg]);
    assert.deepEqual(found.stdout.trim().split("\n").sort(), uk);
    const rpc = await mcoProcess(["rpc", "rpcutil", "ping", "-F", "country=uk", "--dt", "5", "--json", "--config", clientCfg]);
    const results = JSON.parse(rpc.stdout) as JsonResult[];
    assert.deepEqual(results.map((r) => r.sender).sort(), uk);
    assert.ok(results.every((r) => r.statuscode === 0));
  });

  it("judges one action policy against each node's own facts", async () => {
    const rpc = await mcoProcess(["rpc", "rpcutil", "get_fact", "fact=country", "--dt", "5", "--json", "--config", clientCfg]);
    const results = JSON.parse(rpc.stdout) as JsonResult[];
    assert.equal(results.length, NODES, rpc.stderr);
    assert.deepEqual(results.filter((r) => r.statuscode === 0).map((r) => r.sender).sort(), uk);
    assert.equal(results.filter((r) => r.statuscode === 1).length, NODES - uk.length);
    assert.equal(readFileSync(logFile, "utf8").split("\n").filter((l) => l.includes("Cannot parse policy")).length, 1);
  });
});
