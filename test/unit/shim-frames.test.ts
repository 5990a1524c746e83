import assert from "node:assert/strict";
import fc from "fast-check";
import { load, RubyHash } from "@hyrious/marshal";
import { encodeFrame, FrameReader, symbolHash } from "../../src/shim/frames.js";

/** Marshal.dump of a worker reply, as Ruby 3.1 wrote it (string keys, a bignum, a float). */
const RUBY_REPLY = Buffer.from("04087b0a49220974797065063a06455449220a7265706c79063b00544922076964063b0054690c49220f737461747573636f6465063b0054690049220e7374617475736d7367063b00544922074f4b063b005449220964617461063b00547b0849220b656e73757265063b0054492208352e32063b00544922066e063b00545b0969066608322e353054492208626967063b00546c2b08000000000001", "hex");

function rubyFrame(body: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

describe("shim frames", () => {
  it("decodes a reply frame written by Ruby into plain values", () => {
    assert.deepEqual(new FrameReader().push(rubyFrame(RUBY_REPLY)), [{ type: "reply", id: 7, statuscode: 0, statusmsg: "OK",
      data: { ensure: "5.2", n: [1, 2.5, null, true], big: 2 ** 40 } }]);
  });

  it("reassembles frames however the stream splits them", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 20 }), (cuts) => {
      const stream = Buffer.concat([rubyFrame(RUBY_REPLY), rubyFrame(RUBY_REPLY), rubyFrame(RUBY_REPLY)]);
      const reader = new FrameReader();
      const frames: unknown[] = [];
      let at = 0;
      for (const cut of [...cuts, stream.length]) {
        frames.push(...reader.push(stream.subarray(at, Math.min(stream.length, at + cut))));
        at = Math.min(stream.length, at + cut);
      }
      assert.equal(frames.length, 3);
    }));
  });

  it("waits for the rest of a frame instead of decoding half of it", () => {
    const frame = rubyFrame(RUBY_REPLY);
    const reader = new FrameReader();
    assert.deepEqual(reader.push(frame.subarray(0, 3)), []);
    assert.deepEqual(reader.push(frame.subarray(3, 20)), []);
    assert.equal(reader.push(frame.subarray(20)).length, 1);
  });

  it("encodes requests with Symbol keys at the top and string keys inside, as agents expect", () => {
    const frame = encodeFrame(symbolHash({ op: Symbol.for("call"), data: symbolHash({ package: "bash", opts: { a: [1, undefined] } }), skipped: undefined }));
    assert.equal(frame.readUInt32BE(0), frame.length - 4);
    const decoded = load(frame.subarray(4), { hash: "wrap" }) as RubyHash;
    assert.deepEqual(decoded.entries.map(([k]) => k), [Symbol.for("op"), Symbol.for("data")]);
    const data = decoded.entries[1][1] as RubyHash;
    assert.equal(data.entries[0][0], Symbol.for("package"));
    const opts = data.entries[1][1] as RubyHash;
    assert.deepEqual(opts.entries, [["a", [1, null]]]);
  });
});
