import assert from "node:assert/strict";
import fc from "fast-check";
import { parseJsonExact, parseRpcReply, ProtocolError, stringifyJson } from "../../src/protocol/index.js";

describe("JSON with exact integers", () => {
  it("reads integers beyond 2^53 as BigInt and leaves every other value as JSON.parse gives it", () => {
    const text = '{"rlim":18446744073709551615,"neg":-18446744073709551616,"safe":9007199254740991,"f":1.5e300,"s":"18446744073709551615","a":[12345678901234567890,{"x":"\\"1234567890123456789"}]}';
    assert.deepEqual(parseJsonExact(text), {
      rlim: 18446744073709551615n, neg: -18446744073709551616n, safe: 9007199254740991, f: 1.5e300, s: "18446744073709551615",
      a: [12345678901234567890n, { x: '"1234567890123456789' }],
    });
  });

  it("writes a BigInt as a JSON number with every digit, and everything else as JSON.stringify does", () => {
    assert.equal(stringifyJson({ rlim: 2n ** 64n - 1n, s: "2", n: [-(2n ** 70n), 1.5] }), '{"rlim":18446744073709551615,"s":"2","n":[-1180591620717411303424,1.5]}');
    assert.equal(stringifyJson({ a: 1n }, 2), '{\n  "a": 1\n}');
  });

  it("reads back what it writes, for any JSON value with big integers in it", () => {
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(fc.bigInt(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string(), fc.boolean(), fc.constant(null)),
      node: fc.oneof({ depthSize: "small" }, tie("leaf"), fc.array(tie("node")), fc.dictionary(fc.string(), tie("node"))),
    })).node;
    fc.assert(fc.property(value, (v) => {
      // What reading gives: integers within 2^53 as numbers, beyond it as BigInt, whichever type wrote them.
      const exact = (x: unknown): unknown => (typeof x === "bigint" && Number.isSafeInteger(Number(x)) ? Number(x)
        : typeof x === "number" && /^-?\d{16,}$/.test(String(x)) && !Number.isSafeInteger(x) ? BigInt(String(x)) : Array.isArray(x) ? x.map(exact)
        : x !== null && typeof x === "object" ? Object.fromEntries(Object.entries(x).map(([k, y]) => [k, exact(y)])) : Object.is(x, -0) ? 0 : x);
      assert.deepEqual(parseJsonExact(stringifyJson(v)), exact(v));
    }));
  });

  it("names a big integer where a protocol field wants something else, rather than failing to print it", () => {
    assert.throws(() => parseRpcReply('{"statuscode":123456789012345678901,"statusmsg":"x","data":{}}'),
      (err: unknown) => err instanceof ProtocolError && /statuscode 123456789012345678901 is not an integer from 0 to 5/.test(err.message));
    assert.throws(() => parseRpcReply('{"statuscode":0,"statusmsg":"x","data":123456789012345678901}'),
      (err: unknown) => err instanceof ProtocolError && /got 123456789012345678901/.test(err.message));
  });
});
