/**
 * A site migrating node by node: real `mcollectived` nodes (Debian's MCollective 2.12.5) and mcompat nodes on one
 * real broker (ActiveMQ with psk and with ssl, RabbitMQ with psk), each with its own server.cfg; our `mco` and the Ruby
 * `mco` both see and call all of them.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { legacyMco, legacyWireLines, makeSslKeys, startMcollectived, writeLegacyClientConfig, type LegacyNode, type LegacyWire } from "../helpers/legacy.js";
import { mcoProcess } from "../helpers/mco.js";
import { FIXTURES, spawnServer, startServer, writeServerConfig, type ServerNode } from "../helpers/server.js";
import { testActiveMq, testRabbitMq } from "../helpers/stomp-broker.js";

const LEGACY = "legacy1.example.net";
const OURS = ["mc2.example.net", "mc3.example.net"];
const ALL = [LEGACY, ...OURS].sort();
/** node1 and node2 fixtures are uk, node3 is de. */
const UK = [LEGACY, OURS[0]].sort();
const facts = (n: number) => ({ factsFile: join(FIXTURES, "facts", `node${n}.yaml`), classesFile: join(FIXTURES, "facts", `node${n}.classes.txt`) });

interface JsonResult {
  sender: string;
  statuscode: number;
  data: Record<string, unknown>;
}

/** The callerid the legacy plugins give this test's client. */
const CALLERID = { psk: `uid=${process.getuid!()}`, ssl: "cert=legacy-client" };

const sendersOf = (out: string) => out.split("\n").map((l) => l.trim().split(/\s+/)[0]).filter((w) => w.endsWith(".example.net")).sort();

const WIRES = [
  ["activemq", "psk"],
  ["activemq", "ssl"],
  ["rabbitmq", "psk"],
] as const;

for (const [connector, security] of WIRES) {
  describe(`a mixed collective on ${connector} with ${security}: real mcollectived and mcompat nodes, both clients`, function () {
    this.timeout(120_000);
    let broker: { port: number; stop(): Promise<void> };
    let wire: LegacyWire;
    let legacy: LegacyNode;
    let ours: ServerNode[] = [];
    let clientCfg: string;
    let auditLog: string;

    before(async () => {
      broker = connector === "activemq" ? await testActiveMq() : await testRabbitMq();
      wire = { connector, port: broker.port, security, keys: security === "ssl" ? await makeSslKeys() : undefined };
      legacy = await startMcollectived(LEGACY, facts(1).factsFile, facts(1).classesFile, wire);
      auditLog = join(mkdtempSync(join(tmpdir(), "legacy-audit-")), "audit.log");
      ours = await Promise.all(
        OURS.map(async (identity, i) => {
          const extra = { ...legacyWireLines(wire), rpcaudit: "1", rpcauditprovider: "logfile", "plugin.rpcaudit.logfile": `${auditLog}.${i}` };
          const files = await writeServerConfig({ identity, ...facts(i + 2), extra: { ...extra, rpcauthorization: "1", rpcauthprovider: "action_policy", "plugin.actionpolicy.allow_unconfigured": "1" } }, broker.port);
          // The second node's policy names the legacy callerid: it may ping and read facts, nothing else of rpcutil.
          mkdirSync(join(files.dir, "policies"));
          const rules = i === 1 ? `policy default deny\nallow\t${CALLERID[security]}\tping get_fact\t*\t*\n` : "policy default allow\n";
          writeFileSync(join(files.dir, "policies", "rpcutil.policy"), rules);
          return spawnServer(identity, files);
        }),
      );
      clientCfg = writeLegacyClientConfig("mco-client.example.net", wire);
    });

    after(async () => {
      await Promise.all(ours.map((n) => n.stop()));
      await legacy?.stop();
      await broker?.stop();
    });

    it("both clients' ping is answered by every node, old and new", async () => {
      const mine = await mcoProcess(["ping", "--config", clientCfg]);
      assert.equal(mine.code, 0, mine.stderr);
      assert.deepEqual(sendersOf(mine.stdout), ALL);
      const theirs = await legacyMco(["ping"], clientCfg);
      assert.equal(theirs.code, 0, theirs.stderr);
      assert.deepEqual(sendersOf(theirs.stdout), ALL);
    });

    it("a fact filter discovers the same nodes with both clients, and a class filter too", async () => {
      for (const run of [(a: string[]) => mcoProcess([...a, "--config", clientCfg]), (a: string[]) => legacyMco(a, clientCfg)]) {
        const uk = await run(["find", "-F", "country=uk"]);
        assert.deepEqual(sendersOf(uk.stdout), UK, uk.stderr);
        const db = await run(["find", "-C", "role::db"]);
        assert.deepEqual(sendersOf(db.stdout), [LEGACY], db.stderr);
      }
    });

    it("an RPC to every node returns the same data to both clients", async () => {
      const args = ["rpc", "rpcutil", "get_fact", "fact=role", "--json"];
      const mine = JSON.parse((await mcoProcess([...args, "--config", clientCfg])).stdout) as JsonResult[];
      const theirs = JSON.parse((await legacyMco(args, clientCfg)).stdout) as JsonResult[];
      const view = (rs: JsonResult[]) => rs.map((r) => ({ sender: r.sender, statuscode: r.statuscode, data: r.data })).sort((a, b) => a.sender.localeCompare(b.sender));
      assert.deepEqual(view(mine), view(theirs));
      assert.deepEqual(
        view(mine).map((r) => [r.sender, r.data.value]),
        [[LEGACY, "db"], [OURS[0], "web"], [OURS[1], "web"]],
      );
    });

    it("broadcast RPC (direct_addressing = 0) reaches only the nodes the filter selects", async () => {
      const broadcastCfg = writeLegacyClientConfig("mco-client.example.net", wire, { direct_addressing: "0" });
      const mine = JSON.parse((await mcoProcess(["rpc", "rpcutil", "ping", "-F", "country=uk", "--json", "--config", broadcastCfg])).stdout) as JsonResult[];
      assert.deepEqual(mine.map((r) => r.sender).sort(), UK);
      const theirs = await legacyMco(["rpc", "rpcutil", "ping", "-W", "country=de", "--json"], broadcastCfg);
      assert.deepEqual((JSON.parse(theirs.stdout) as JsonResult[]).map((r) => r.sender), [OURS[1]]);
      // --one broadcasts with a Ruby Regexp naming the chosen node in the identity filter: exactly one answers.
      const one = await legacyMco(["rpc", "rpcutil", "ping", "--one", "-F", "country=uk", "--json"], broadcastCfg);
      const answered = (JSON.parse(one.stdout) as JsonResult[]).map((r) => r.sender);
      assert.equal(answered.length, 1, one.stdout);
      assert.ok(UK.includes(answered[0]));
    });

    it("actionpolicy on an mcompat node judges the legacy callerid, for both clients", async () => {
      for (const run of [(a: string[]) => mcoProcess([...a, "--config", clientCfg]), (a: string[]) => legacyMco(a, clientCfg)]) {
        const [denied] = JSON.parse((await run(["rpc", "rpcutil", "inventory", "-I", OURS[1], "--json"])).stdout) as JsonResult[];
        assert.equal(denied.statuscode, 1);
        const [allowed] = JSON.parse((await run(["rpc", "rpcutil", "ping", "-I", OURS[1], "--json"])).stdout) as JsonResult[];
        assert.equal(allowed.statuscode, 0);
      }
    });

    it("a Ruby agent on an mcompat node answers the legacy client, and audit names the legacy callerid", async () => {
      const theirs = await legacyMco(["rpc", "rpcutil", "inventory", "-I", OURS[0], "--json"], clientCfg);
      const [inventory] = JSON.parse(theirs.stdout) as JsonResult[];
      assert.equal(inventory.statuscode, 0);
      assert.ok((inventory.data.agents as string[]).includes("package"), JSON.stringify(inventory.data.agents));
      const mine = await mcoProcess(["rpc", "puppet", "status", "-I", OURS[0], "--json", "--config", clientCfg]);
      const [status] = JSON.parse(mine.stdout) as JsonResult[];
      assert.equal(status.statuscode, 0, mine.stdout);
      assert.equal(typeof status.data.enabled, "boolean");
      assert.ok(readFileSync(`${auditLog}.0`, "utf8").includes(`caller=${CALLERID[security]}@mco-client.example.net agent=puppet action=status`));
    });
  });
}

describe("aes_security on ActiveMQ: a real mcollectived and an mcompat node, both clients", function () {
  this.timeout(120_000);
  let broker: { port: number; stop(): Promise<void> };
  let legacy: LegacyNode;
  let ours: ServerNode;
  let clientCfg: string;

  before(async () => {
    broker = await testActiveMq();
    const wire: LegacyWire = { connector: "activemq", port: broker.port, security: "aes_security", keys: await makeSslKeys() };
    legacy = await startMcollectived(LEGACY, facts(1).factsFile, facts(1).classesFile, wire);
    ours = await startServer({ identity: OURS[0], ...facts(2), extra: legacyWireLines(wire) }, broker.port);
    clientCfg = writeLegacyClientConfig("mco-client.example.net", wire);
  });

  after(async () => {
    await ours?.stop();
    await legacy?.stop();
    await broker?.stop();
  });

  it("each client reads both nodes' encrypted replies", async () => {
    const expected = [LEGACY, OURS[0]].sort();
    const args = ["rpc", "rpcutil", "get_fact", "fact=country", "--json"];
    for (const out of [await mcoProcess([...args, "--config", clientCfg]), await legacyMco(args, clientCfg)]) {
      const results = JSON.parse(out.stdout) as JsonResult[];
      assert.deepEqual(results.map((r) => [r.sender, r.statuscode, r.data.value]).sort(), expected.map((n) => [n, 0, "uk"]), out.stderr);
    }
  });
});
