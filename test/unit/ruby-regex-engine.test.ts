import assert from "node:assert/strict";
import { RubyRegexError, rubyRegex } from "../../src/ruby/index.js";

describe("ruby: regexes run on a linear-time engine", () => {
  it("answers a pattern that backtracks exponentially on a long input, without backtracking", () => {
    const identity = "a".repeat(5_000) + ".example.net";
    assert.equal(rubyRegex("^([\\w.]|[\\w.])*$x").test(identity), false);
    assert.equal(rubyRegex("^(a+)+$").test("a".repeat(5_000) + "!"), false);
    assert.equal(rubyRegex("^([\\w.]|[\\w.])*$").test(identity), true);
  });

  it("refuses backreferences and lookarounds, naming the pattern", () => {
    for (const pattern of ["(a)\\1", "a(?=b)", "a(?!b)", "(?<=a)b", "(?<!a)b", "(?<word>a)\\k<word>"]) {
      assert.throws(() => rubyRegex(pattern), (err: unknown) => err instanceof RubyRegexError && err.message.includes(pattern) && /backreferences and lookarounds/.test(err.message), pattern);
    }
  });

  it("keeps Ruby's anchors: \\A, \\z, \\Z and line-wise ^ and $", () => {
    assert.equal(rubyRegex("\\Aweb\\z").test("web"), true);
    assert.equal(rubyRegex("\\Aweb\\z").test("web\n"), false);
    assert.equal(rubyRegex("\\Aweb\\Z").test("web\n"), true);
    assert.equal(rubyRegex("\\Aweb\\Z").test("web\nx"), false);
    assert.equal(rubyRegex("^db$").test("web\ndb\nmail"), true);
    assert.equal(rubyRegex("\\Adb").test("web\ndb"), false);
  });
});
