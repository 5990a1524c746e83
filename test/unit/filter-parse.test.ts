import assert from "node:assert/strict";
import { FilterError, buildFilter, parseCompound, parseFactFilter, parseWithFilter } from "../../src/filter/index.js";

describe("filter parsing (command line to wire)", () => {
  describe("-F fact strings", () => {
    const cases: Array<[string, string, string, string]> = [
      ["country=uk", "country", "==", "uk"],
      ["uptime=>100", "uptime", ">=", "100"],
      ["uptime=<100", "uptime", "<=", "100"],
      ["uptime >= 100", "uptime", ">=", "100"],
      ["load<2", "load", "<", "2"],
      ["os!=windows", "os", "!=", "windows"],
      ["os==debian", "os", "==", "debian"],
      ["host=~web", "host", "=~", "web"],
      ["host=/^web\\d+/", "host", "=~", "/^web\\d+/"],
      ["os = debian", "os", "==", "debian"],
      ["release=12.1=x", "release", "==", "12.1=x"],
    ];
    for (const [text, name, operator, value] of cases) {
      it(`reads ${JSON.stringify(text)} as ${name} ${operator} ${value}`, () => {
        assert.deepEqual(parseFactFilter(text), { fact: name, operator, value });
      });
    }

    it("rejects a word without an operator with mco's message", () => {
      assert.throws(() => parseFactFilter("justaword"), (err: unknown) => {
        assert.ok(err instanceof FilterError);
        assert.equal(err.message, "Could not parse fact justaword it does not appear to be in a valid format");
        return true;
      });
    });
  });

  it("-W splits words into fact filters and classes", () => {
    assert.deepEqual(parseWithFilter("role=web apache  os>=7"), {
      facts: [
        { fact: "role", operator: "==", value: "web" },
        { fact: "os", operator: ">=", value: "7" },
      ],
      classes: ["apache"],
    });
  });

  describe("-S compound statements", () => {
    it("produces the legacy token list for parens, or, and, !", () => {
      assert.deepEqual(parseCompound("(a=1 or b=2) and !c"), [
        { "(": "(" },
        { statement: "a=1" },
        { or: "or" },
        { statement: "b=2" },
        { ")": ")" },
        { and: "and" },
        { not: "not" },
        { statement: "c" },
      ]);
    });

    it("matches the captured wire form of country=uk and role=db", () => {
      assert.deepEqual(parseCompound("country=uk and role=db"), [
        { statement: "country=uk" },
        { and: "and" },
        { statement: "role=db" },
      ]);
    });

    it("joins spaces around an operator and strips quotes from values", () => {
      assert.deepEqual(parseCompound('a = 1 and x="hello world"'), [
        { statement: "a=1" },
        { and: "and" },
        { statement: "x=hello world" },
      ]);
    });

    it("keeps regex classes and regex fact values", () => {
      assert.deepEqual(parseCompound("/^role::/ or os=/deb/"), [
        { statement: "/^role::/" },
        { or: "or" },
        { statement: "os=/deb/" },
      ]);
    });

    it("reads a data function call as an fstatement", () => {
      assert.deepEqual(parseCompound('fstat("/etc/hosts").size>1000'), [
        { fstatement: { name: "fstat", params: "/etc/hosts", r_compare: "1000", operator: ">", value: "size" } },
      ]);
      assert.deepEqual(parseCompound("fact('os.family')=Debian"), [
        { fstatement: { name: "fact", params: "os.family", r_compare: "Debian", operator: "==" } },
      ]);
      assert.deepEqual(parseCompound("fstat('/x').md5=/abc/"), [
        { fstatement: { name: "fstat", params: "/x", r_compare: "(?-mix:abc)", operator: "=~", value: "md5" } },
      ]);
    });

    it("treats upper-case AND as a statement, which is then a parse error", () => {
      assert.throws(() => parseCompound("a=1 AND b=2"), /Parse errors found while parsing -S input a=1 AND b=2/);
    });

    it("names malformed tokens", () => {
      for (const bad of ["foo(", "/foo/=bar", "foo/=bar", "fstat('/x')"]) {
        assert.throws(() => parseCompound(bad), /Malformed token\(s\) found while parsing -S input/, bad);
      }
    });

    it("names unbalanced parentheses", () => {
      assert.throws(() => parseCompound("(a=1 and b=2"), /Missing parenthesis/);
      assert.throws(() => parseCompound("a=1)"), /Missing parenthesis/);
    });

    it("rejects operators without operands", () => {
      for (const bad of ["and a", "a and", "a b", "not ", "a not b", "()"]) {
        assert.throws(() => parseCompound(bad), FilterError, bad);
      }
    });
  });

  it("builds the wire filter with every category in mco's key order", () => {
    const filter = buildFilter({ facts: ["country=uk"], classes: ["role::web"], agents: ["rpcutil"], identities: ["node1"], compound: ["a=1"] });
    assert.deepEqual(Object.keys(filter), ["fact", "cf_class", "agent", "identity", "compound"]);
    assert.equal(
      JSON.stringify(filter),
      '{"fact":[{"fact":"country","value":"uk","operator":"=="}],"cf_class":["role::web"],"agent":["rpcutil"],"identity":["node1"],"compound":[[{"statement":"a=1"}]]}'
    );
    assert.deepEqual(buildFilter(), { fact: [], cf_class: [], agent: [], identity: [], compound: [] });
  });
});
