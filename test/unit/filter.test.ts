import assert from "node:assert/strict";
import type { CompoundToken, Filter } from "../../src/protocol/types.js";
import { compareFact, evaluateExpr, filterDataCalls, lookupFact, matchFilter, type NodeView } from "../../src/filter/index.js";

const node: NodeView = {
  identity: "node1.example.net",
  facts: {
    country: "uk",
    role: "db",
    memory: "2048",
    cores: 8,
    load: 0.75,
    virtual: true,
    tags: ["prod", "eu"],
    os: { family: "Debian", release: { major: "12" }, flags: ["a", "b"] },
    "dotted.key": "flat",
  },
  classes: ["role::db", "Profile::Base"],
  agents: ["rpcutil", "discovery", "package"],
  data: (plugin, query) => (plugin === "fstat" && query === "/etc/hosts" ? { size: 1200, type: "file", present: true } : undefined),
};

function filter(part: Partial<Filter>): Filter {
  return { fact: [], cf_class: [], agent: [], identity: [], compound: [], ...part };
}

const tokens = (...list: CompoundToken[]): Filter => filter({ compound: [list] });
const expr = (text: string): Filter => filter({ compound: [[{ expr: text }]] });

describe("filter: matchFilter", () => {
  it("matches every node with an empty filter", () => {
    assert.equal(matchFilter(filter({}), node), true);
  });

  it("matches identities exactly or by /regex/, any one of them", () => {
    assert.equal(matchFilter(filter({ identity: ["node2.example.net", "node1.example.net"] }), node), true);
    assert.equal(matchFilter(filter({ identity: ["node1"] }), node), false);
    assert.equal(matchFilter(filter({ identity: ["/^node\\d\\./"] }), node), true);
    assert.equal(matchFilter(filter({ identity: ["/^web/"] }), node), false);
  });

  it("needs every agent, by name or /regex/", () => {
    assert.equal(matchFilter(filter({ agent: ["rpcutil", "package"] }), node), true);
    assert.equal(matchFilter(filter({ agent: ["rpcutil", "service"] }), node), false);
    assert.equal(matchFilter(filter({ agent: ["/^pack/"] }), node), true);
  });

  it("needs every class, plain in any case or /regex/", () => {
    assert.equal(matchFilter(filter({ cf_class: ["role::db", "profile::base"] }), node), true);
    assert.equal(matchFilter(filter({ cf_class: ["role::web"] }), node), false);
    assert.equal(matchFilter(filter({ cf_class: ["/^role::/"] }), node), true);
    assert.equal(matchFilter(filter({ cf_class: ["role"] }), node), false);
  });

  it("needs every fact rule, with nested facts by dot path", () => {
    const f = (fact: string, operator: Filter["fact"][number]["operator"], value: string) => filter({ fact: [{ fact, operator, value }] });
    assert.equal(matchFilter(f("country", "==", "UK"), node), true);
    assert.equal(matchFilter(f("os.family", "==", "debian"), node), true);
    assert.equal(matchFilter(f("os.release.major", ">=", "11"), node), true);
    assert.equal(matchFilter(f("os.release.major", "<", "11"), node), false);
    assert.equal(matchFilter(f("os.missing", "!=", "x"), node), false);
    assert.equal(matchFilter(filter({ fact: [{ fact: "country", operator: "==", value: "uk" }, { fact: "role", operator: "==", value: "web" }] }), node), false);
  });

  it("matches compound token lists with and/or/not and parentheses", () => {
    const s = (statement: string): CompoundToken => ({ statement });
    assert.equal(matchFilter(tokens(s("country=uk"), { and: "and" }, s("role=db")), node), true);
    assert.equal(matchFilter(tokens(s("country=fr"), { or: "or" }, s("role::db")), node), true);
    assert.equal(matchFilter(tokens({ not: "not" }, s("role::db")), node), false);
    assert.equal(
      matchFilter(tokens({ "(": "(" }, s("country=fr"), { or: "or" }, s("role=db"), { ")": ")" }, { and: "and" }, { not: "not" }, s("/web/")), node),
      true,
    );
    assert.equal(matchFilter(tokens(s("os.family=/^deb/")), node), true);
    assert.equal(matchFilter(tokens(s("memory>1000"), { and: "and" }, s("cores<=8")), node), true);
  });

  it("gives `and` precedence over `or`", () => {
    const s = (statement: string): CompoundToken => ({ statement });
    assert.equal(matchFilter(tokens(s("country=uk"), { or: "or" }, s("role=web"), { and: "and" }, s("role=x")), node), true);
  });

  it("does not match a malformed token list", () => {
    assert.equal(matchFilter(tokens({ statement: "country=uk" }, { and: "and" }), node), false);
    assert.equal(matchFilter(tokens({ "(": "(" }, { statement: "country=uk" }), node), false);
  });

  it("answers data-plugin calls in token lists, false when the plugin gives nothing", () => {
    const call = (r_compare: string, operator: string, value = "size"): CompoundToken => ({
      fstatement: { name: "fstat", params: "/etc/hosts", value, operator, r_compare },
    });
    assert.equal(matchFilter(tokens(call("1000", ">")), node), true);
    assert.equal(matchFilter(tokens(call("2000", ">")), node), false);
    assert.equal(matchFilter(tokens(call("/^fi/", "=~", "type")), node), true);
    assert.equal(matchFilter(tokens(call("true", "==", "present")), node), true);
    assert.equal(matchFilter(tokens({ fstatement: { name: "nosuch", params: null, value: "x", operator: "==", r_compare: "1" } }), node), false);
  });

  it("evaluates {expr} compound entries", () => {
    assert.equal(matchFilter(expr("with('country=uk') && with('role::db')"), node), true);
    assert.equal(matchFilter(expr("fact('os.release.major') == '12' and !with('web')"), node), true);
    assert.equal(matchFilter(expr("include(fact('tags'), 'eu') && 'package' in agents"), node), true);
    assert.equal(matchFilter(expr("fstat('/etc/hosts').size > 1000"), node), true);
    assert.equal(matchFilter(expr("facts.os.flags[1] == 'b' && facts.cores >= 8"), node), true);
    assert.equal(matchFilter(expr("fact('country') == 'fr'"), node), false);
    assert.equal(matchFilter(expr("fact('country') == "), node), false);
  });

  it("lists the data calls a filter makes, once each", () => {
    const f = filter({
      compound: [
        [{ expr: "fstat('/etc/hosts').size > 1 && fstat('/etc/hosts').type == 'file'" }],
        [{ fstatement: { name: "sysctl", params: "kernel.ostype", value: "value", operator: "==", r_compare: "Linux" } }],
      ],
    });
    assert.deepEqual(filterDataCalls(f), [
      { plugin: "fstat", query: "/etc/hosts" },
      { plugin: "sysctl", query: "kernel.ostype" },
    ]);
  });
});

describe("filter: facts", () => {
  it("looks up a literal dotted key before walking the path, and array indexes", () => {
    assert.equal(lookupFact(node.facts, "dotted.key"), "flat");
    assert.equal(lookupFact(node.facts, "os.flags.0"), "a");
    assert.equal(lookupFact(node.facts, "os.flags.5"), undefined);
  });

  it("compares numbers numerically and strings case-insensitively", () => {
    assert.equal(compareFact(8, ">", "10"), false);
    assert.equal(compareFact("9", "<", "10"), true);
    assert.equal(compareFact(0.75, ">=", "0.5"), true);
    assert.equal(compareFact("Debian", "=~", "^deb"), true);
    assert.equal(compareFact("abc", "<", "abd"), true);
  });

  it("compares booleans by truthiness and never orders them", () => {
    assert.equal(compareFact(true, "==", "true"), true);
    assert.equal(compareFact(true, "!=", "yes"), false);
    assert.equal(compareFact(false, "==", "0"), true);
    assert.equal(compareFact(true, ">", "0"), false);
  });

  it("matches a list fact when any element does, and != when none equals", () => {
    assert.equal(compareFact(["prod", "eu"], "==", "eu"), true);
    assert.equal(compareFact(["prod", "eu"], "!=", "eu"), false);
    assert.equal(compareFact(["prod", "eu"], "!=", "us"), true);
  });

  it("never matches an object fact directly", () => {
    assert.equal(compareFact({ a: 1 }, "==", "x"), false);
  });
});

describe("filter: expressions", () => {
  it("reports an unreadable expression", () => {
    assert.throws(() => evaluateExpr("with('x') &&", node), /unexpected end in compound filter/);
    assert.throws(() => evaluateExpr("'open", node), /unterminated string/);
  });

  it("checks semver constraints", () => {
    assert.equal(evaluateExpr("semver('1.4.2', '>= 1.2')", node), true);
    assert.equal(evaluateExpr("semver('1.1.0', '>= 1.2')", node), false);
  });

  it("reads semver constraints as Choria does: pre-releases, ^, ~, x-ranges, comma lists, short versions", () => {
    const cases: Array<[string, string, boolean]> = [
      ["1.2.3-rc1", ">= 1.2.3", false],
      ["1.2.3", ">= 1.2.3-rc1", true],
      ["1.2.9", "^1.2", true],
      ["2.0.0", "^1.2", false],
      ["1.5.7", "~1.5", true],
      ["1.6.0", "~1.5", false],
      ["1.9.0", "1.x", true],
      ["1.4", ">= 1.2, < 2", true],
      ["v2.1", ">= 1.2, < 2", false],
      ["7", "7.x", true],
      ["not a version", ">= 0", false],
      ["1.0.0", "not a range", false],
    ];
    for (const [version, constraint, expected] of cases) {
      assert.equal(evaluateExpr(`semver('${version}', '${constraint}')`, node), expected, `semver('${version}', '${constraint}')`);
    }
  });
});
