import assert from "node:assert/strict";
import { RubyRegexError, rubyRegex, rubyRegexFromText } from "../../src/ruby/index.js";

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
