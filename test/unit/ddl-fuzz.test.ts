import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { DdlError, parseDdl } from "../../src/ddl/index.js";

const SAMPLES = [
  ...readdirSync(join(process.cwd(), "ddl")).map((f) => join(process.cwd(), "ddl", f)),
  "/usr/lib/ruby/vendor_ruby/mcollective/agent/rpcutil.ddl",
  "/usr/lib/ruby/vendor_ruby/mcollective/data/agent_data.ddl",
  "/usr/lib/ruby/vendor_ruby/mcollective/aggregate/average.ddl",
].map((f) => readFileSync(f, "utf8"));

/** Ruby fragments most likely to confuse a tokenizer or parser. */
const FRAGMENTS = ["do", "end", "{", "}", "[", "]", "(", ")", '"', "'", "#{", "<<-X\n", "<<~'Y'\n", "%w[", "%q(", "/", ":", "::", "=>", ",", "\n", "|x|", "if", "else", "\\", "=begin\n", "?", "-1", "1.5e", "0x", "@", "$", "`", "\u0000", "é", "#"];

/** Parses `text`; passes when the reader returns a DDL or throws a DdlError, fails on any other outcome. */
function readsOrExplains(text: string): boolean {
  try {
    parseDdl(text, "fuzz.ddl");
    return true;
  } catch (err) {
    if (err instanceof DdlError) return true;
    throw new Error(`crashed with ${String(err)} on ${JSON.stringify(text.slice(0, 200))}`);
  }
}

describe("ddl reader under fuzzing (fast-check)", function () {
  this.timeout(60_000);

  it("gives a result or a DdlError for random text", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 400 }), readsOrExplains), { numRuns: 2000 });
  });

  it("gives a result or a DdlError for random sequences of Ruby fragments", () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...FRAGMENTS, "action", "input", ":a", "x"), { maxLength: 60 }), (parts) => readsOrExplains(parts.join(" "))), { numRuns: 3000 });
  });

  it("gives a result or a DdlError for every truncation of real DDLs", () => {
    for (const text of SAMPLES) {
      for (let cut = 0; cut < text.length; cut += 7) readsOrExplains(text.slice(0, cut));
    }
  });

  it("gives a result or a DdlError when fragments are spliced into real DDLs", () => {
    const arb = fc.record({ sample: fc.nat(SAMPLES.length - 1), at: fc.nat(), piece: fc.constantFrom(...FRAGMENTS) });
    fc.assert(
      fc.property(fc.array(arb, { minLength: 1, maxLength: 4 }), (edits) => {
        let text = SAMPLES[edits[0].sample];
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + e.piece + text.slice(at);
        }
        return readsOrExplains(text);
      }),
      { numRuns: 1500 },
    );
  });

  it("gives a result or a DdlError for random JSON documents", () => {
    fc.assert(fc.property(fc.json({ maxDepth: 4 }), readsOrExplains), { numRuns: 1000 });
  });

  it("refuses absurd nesting with a DdlError instead of overflowing the stack", () => {
    for (const text of ["[".repeat(100_000), "x(".repeat(50_000), "a do\n".repeat(20_000), "-".repeat(100_000) + "1", "!".repeat(100_000) + "x", "{".repeat(100_000)]) {
      assert.throws(() => parseDdl(text, "deep.ddl"), DdlError);
    }
  });
});
