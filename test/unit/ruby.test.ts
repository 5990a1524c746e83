import assert from "node:assert/strict";
import { RubyRegexError, rubyRegex, rubyRegexFromText, rubySprintf, strftime } from "../../src/ruby/index.js";

describe("ruby: regex translation", () => {
  it("takes Ruby option letters and a leading (?i) as options", () => {
    assert.equal(rubyRegex("abc", "i").test("ABC"), true);
    assert.equal(rubyRegex("(?i)abc").test("ABC"), true);
    assert.equal(rubyRegex("(?i-mx)abc").test("xABC"), true);
    assert.equal(rubyRegex("a.b", "m").test("a\nb"), true);
    assert.equal(rubyRegex("a.b").test("a\nb"), false);
  });

  it("reads Regexp#to_s with its options", () => {
    assert.equal(rubyRegexFromText("(?i-mx:^abc$)").test("ABC"), true);
    assert.equal(rubyRegexFromText("(?-mix:^abc$)").test("ABC"), false);
  });

  it("refuses options switched on inside a pattern rather than ignoring them", () => {
    assert.throws(() => rubyRegex("a(?i)b"), RubyRegexError);
    assert.throws(() => rubyRegex("a(?i:b)"), RubyRegexError);
  });
});

describe("ruby: sprintf %f", () => {
  it("rounds the shortest decimal half to even, as Ruby 3.1 prints (checked against ruby -e 'puts \"%0.1f\" % x')", () => {
    const cases: Array<[number, string, string]> = [
      [0.25, "%0.1f", "0.2"], [0.35, "%0.1f", "0.4"], [0.0005, "%0.3f", "0.001"], [0.0025, "%0.3f", "0.002"], [0.45, "%0.1f", "0.4"], [0.15, "%0.1f", "0.2"],
      [2.675, "%0.2f", "2.68"], [0.125, "%0.2f", "0.12"], [1.5e-7, "%0.8f", "0.00000015"], [1e21, "%0.1f", "1000000000000000000000.0"],
    ];
    for (const [x, fmt, want] of cases) assert.equal(rubySprintf(fmt, [x]), want, `${fmt} % ${x}`);
  });

  it("prints %e and %g as Ruby 3.1 does (checked against ruby -e 'puts fmt % x')", () => {
    const cases: Array<[number, string, string]> = [
      [35573.125, "%e", "3.557312e+04"], [0, "%.2e", "0.00e+00"], [2.5, "%.0e", "2e+00"], [2.5, "%#.0e", "2.e+00"],
      [73683.6, "%.3g", "7.37e+04"], [1551.4, "%.3g", "1.55e+03"], [0, "%g", "0"], [100000, "%g", "100000"],
      [1e-5, "%g", "1e-05"], [1.5, "%#g", "1.50000"], [1e-10, "%G", "1E-10"], [1.95, "%.2g", "2"],
    ];
    for (const [x, fmt, want] of cases) assert.equal(rubySprintf(fmt, [x]), want, `${fmt} % ${x}`);
  });
});

describe("ruby: strftime", () => {
  it("prints %F %T %z and the single fields as Ruby does, in UTC or the local zone", () => {
    const t = new Date(Date.UTC(2026, 10, 2, 3, 4, 5));
    assert.equal(strftime(t, "%F %T %z %% %Y/%m/%d %H:%M:%S", true), "2026-11-02 03:04:05 +0000 % 2026/11/02 03:04:05");
    const local = new Date(2026, 0, 9, 8, 7, 6);
    assert.equal(strftime(local, "%F %T"), "2026-01-09 08:07:06");
  });
});

describe("ruby: regex forms JavaScript reads differently", () => {
  it("translates a negated POSIX class and drops (?#comments)", () => {
    assert.equal(rubyRegex("\\A[[:^digit:]]+\\z").test("abc"), true);
    assert.equal(rubyRegex("\\A[[:^digit:]]+\\z").test("ab1"), false);
    assert.equal(rubyRegex("\\Aweb(?# the web tier)\\d\\z").test("web1"), true);
  });

  it("refuses what it would otherwise match as plain letters", () => {
    for (const source of ["\\p{Alpha}", "\\Gx", "a\\Kb", "a\\Rb", "[a[:^digit:]]", "[[:nosuch:]]"]) {
      assert.throws(() => rubyRegex(source), RubyRegexError, source);
    }
  });
});
