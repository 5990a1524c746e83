import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Config } from "../../src/config/index.js";
import { buildFilter } from "../../src/filter/index.js";
import {
  ClientError,
  batches,
  broadcastFilter,
  checkCapabilities,
  directFilter,
  discoveryFilter,
  discoveryMethod,
  emptyStats,
  haltCode,
  limitCount,
  nodeQuery,
  parseInventory,
  parseNodeList,
  pickNodes,
  resolveSettings,
  selectNodes,
  type RpcStats,
} from "../../src/client/index.js";

const base = (over: Partial<RpcStats>): RpcStats => ({ ...emptyStats("a", "b"), ...over });

describe("client library, pure parts", () => {
  describe("exit codes", () => {
    it("0 when all answered ok, and also when some were silent without failures", () => {
      assert.equal(haltCode(base({ discovered: ["a", "b"], responded: ["a", "b"], ok: 2 })), 0);
      assert.equal(haltCode(base({ discovered: ["a", "b"], responded: ["a"], ok: 1, noResponse: ["b"] })), 0);
    });
    it("2 when a reply failed, 3 when nobody answered, 1 when nothing was discovered", () => {
      assert.equal(haltCode(base({ discovered: ["a", "b"], responded: ["a", "b"], ok: 1, failed: 1 })), 2);
      assert.equal(haltCode(base({ discovered: ["a"], noResponse: ["a"] })), 3);
      assert.equal(haltCode(base({ discovered: [] })), 1);
    });
    it("4 when discovery was skipped and nobody answered", () => {
      assert.equal(haltCode(base({ discovered: ["a"], discoveryPerformed: false })), 4);
    });
  });

  describe("limits and batches", () => {
    it("counts plain and percentage limits, never below one", () => {
      assert.equal(limitCount("3", 10), 3);
      assert.equal(limitCount("25%", 10), 2);
      assert.equal(limitCount("1%", 10), 1);
      assert.throws(() => limitCount("x", 3));
    });
    it("picks the first nodes, or a seeded random set that repeats", () => {
      const nodes = ["e", "d", "c", "b", "a"];
      assert.deepEqual(pickNodes(nodes, 2, "first"), ["e", "d"]);
      const one = pickNodes(nodes, 3, "random", 42);
      assert.deepEqual(pickNodes([...nodes].reverse(), 3, "random", 42), one);
      assert.equal(new Set(one).size, 3);
    });
    it("splits into batches of N or N%", () => {
      assert.deepEqual(batches(["a", "b", "c"], "2"), [["a", "b"], ["c"]]);
      assert.deepEqual(batches(["a", "b", "c", "d"], "50%"), [["a", "b"], ["c", "d"]]);
    });
  });

  describe("request filters", () => {
    const user = buildFilter({ facts: ["country=uk"], classes: ["role::web"], identities: ["node1"] });
    it("discovery adds the called agent and the collective", () => {
      assert.deepEqual(discoveryFilter(user, "rpcutil", "mcollective"), { ...user, agent: ["rpcutil"], collective: "mcollective" });
    });
    it("direct drops identities but keeps facts and classes", () => {
      const f = directFilter(user, "rpcutil");
      assert.deepEqual(f.identity, []);
      assert.deepEqual(f.fact, user.fact);
      assert.deepEqual(f.agent, ["rpcutil"]);
      assert.equal("collective" in f, false);
    });
    it("broadcast keeps identities; an agent already given is not repeated", () => {
      const f = broadcastFilter({ ...user, agent: ["rpcutil"] }, "rpcutil");
      assert.deepEqual(f.identity, ["node1"]);
      assert.deepEqual(f.agent, ["rpcutil"]);
    });
  });

  describe("discovery methods", () => {
    it("finds methods by name or alias and refuses unknown ones", () => {
      assert.equal(discoveryMethod("broadcast").name, "mc");
      assert.equal(discoveryMethod("file").name, "flatfile");
      assert.equal(discoveryMethod("choria").name, "puppetdb");
      assert.throws(() => discoveryMethod("nosuch"), new ClientError("Unknown discovery method nosuch"));
    });
    it("refuses filters a method cannot honour", () => {
      assert.throws(
        () => checkCapabilities(discoveryMethod("flatfile"), buildFilter({ facts: ["a=1"] }), []),
        new ClientError("Cannot use fact filters while using the 'flatfile' discovery method"),
      );
      checkCapabilities(discoveryMethod("flatfile"), buildFilter({ identities: ["/web/"], agents: ["rpcutil"] }), []);
    });
    it("reads node lists as text or JSON and rejects bad names", () => {
      assert.deepEqual(parseNodeList("# fleet\nweb1\n\n web2 \nweb1\n", "f"), ["web1", "web2"]);
      assert.deepEqual(parseNodeList('[{"sender":"a"},{"certname":"b"},"c"]', "f"), ["a", "b", "c"]);
      assert.throws(() => parseNodeList("web1\nbad name\n", "nodes.txt"), /Identity 'bad name' in the discovery file nodes.txt/);
    });
    it("writes PuppetDB queries with collective, identity, class, agent and fact parts", () => {
      const pql = nodeQuery(
        { ...buildFilter({ facts: ["country=uk", "mem>5"], classes: ["role::web"], identities: ["/web/"] }), agent: ["package"] },
        "mcollective",
      );
      assert.equal(
        pql,
        'nodes[certname, deactivated] { (certname in inventory[certname] { facts.mcollective.server.collectives.match("\\d+") = "mcollective" }) and ' +
          '(certname ~ "[wW][eE][bB]") and (resources {type = "Class" and title = "Role::Web"}) and ' +
          '(resources {type = "File" and tag = "mcollective_agent_package_server"}) and (inventory {facts.country = "uk"}) and (inventory {facts.mem > 5}) }',
      );
    });
  });

  describe("settings", () => {
    it("takes the discovery timeout from --dt, then the config, then 2 s", () => {
      assert.equal(resolveSettings(Config.fromText(""), {}).discoveryTimeoutSec, 2);
      assert.equal(resolveSettings(Config.fromText("discovery_timeout = 5"), {}).discoveryTimeoutSec, 5);
      assert.equal(resolveSettings(Config.fromText("discovery_timeout = 5"), { discovery: { timeoutSec: 1 } }).discoveryTimeoutSec, 1);
    });
    it("gives mco ping 5 s plus --dt or the config's discovery_timeout (unset: 0), or exactly -t", () => {
      assert.equal(resolveSettings(Config.fromText(""), {}).pingTimeoutSec, 5);
      assert.equal(resolveSettings(Config.fromText("discovery_timeout = 3"), {}).pingTimeoutSec, 8);
      assert.equal(resolveSettings(Config.fromText("discovery_timeout = 3"), { discovery: { timeoutSec: 1 } }).pingTimeoutSec, 6);
      assert.equal(resolveSettings(Config.fromText("discovery_timeout = 3"), { timeoutSec: 2 }).pingTimeoutSec, 2);
    });
    it("refuses a collective the config does not know, in mco's words", () => {
      assert.throws(
        () => resolveSettings(Config.fromText("collectives = mcollective"), { collective: "x" }),
        new ClientError("Unknown collective 'x' known collectives are 'mcollective'"),
      );
    });
  });

  it("flatfile discovery applies identity filters locally", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mcompat-nodes-"));
    writeFileSync(join(dir, "nodes"), "web1\nweb2\ndb1\n");
    const nodes = await discoveryMethod("flatfile").discover({
      filter: buildFilter({ identities: ["/^web/"] }),
      userAgents: [],
      collective: "mcollective",
      timeoutMs: 0,
      options: [join(dir, "nodes")],
      config: Config.fromText(""),
      tls: { certname: "x", cert: "", key: "", ca: "" },
      network: { ping: async () => assert.fail("flatfile must not use the network") },
    });
    assert.deepEqual(nodes, ["web1", "web2"]);
  });

  describe("inventory discovery", () => {
    const inventory = parseInventory(
      [
        "groups:",
        "  - name: ukweb",
        "    filter: { facts: ['country=uk'], classes: ['role::web'] }",
        "nodes:",
        "  - { name: web1, collectives: [mcollective], facts: { country: uk }, classes: ['role::web'], agents: [rpcutil, package] }",
        "  - { name: web2, collectives: [mcollective], facts: { country: de }, classes: ['role::web'], agents: [rpcutil] }",
        "  - { name: far1, collectives: [other], facts: { country: uk }, classes: ['role::web'], agents: [rpcutil] }",
      ].join("\n"),
      "inv.yaml",
    );
    it("filters nodes locally by facts, classes, agents, compound and collective", () => {
      assert.deepEqual(selectNodes(inventory, buildFilter({ facts: ["country=uk"] }), "mcollective"), ["web1"]);
      assert.deepEqual(selectNodes(inventory, buildFilter({ agents: ["package"] }), "mcollective"), ["web1"]);
      assert.deepEqual(selectNodes(inventory, buildFilter({ compound: ["country=de or country=uk"] }), "other"), ["far1"]);
      assert.deepEqual(selectNodes(inventory, buildFilter({ classes: ["role::web"] }), "mcollective"), ["web1", "web2"]);
    });
    it("expands -I group:<name> to the group's filter", () => {
      assert.deepEqual(selectNodes(inventory, buildFilter({ identities: ["group:ukweb"] }), "mcollective"), ["web1"]);
      assert.throws(() => selectNodes(inventory, buildFilter({ identities: ["group:nope"] }), "mcollective"), /Unknown inventory group 'nope'/);
    });
    it("says what is wrong with a bad file", () => {
      assert.throws(() => parseInventory("nodes: [{facts: {}}]", "bad.yaml"), /bad.yaml has a node without a name/);
      assert.throws(() => parseInventory("nodes: 3", "bad.yaml"), /bad.yaml needs a "nodes" list/);
    });
  });
});
