import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeFrame, FrameReader, rubySymbol, symbolHash } from "../../src/shim/frames.js";

const dumpMarshal = (value: unknown) => encodeFrame(value).subarray(4);
const loadMarshal = (hex: string) => new FrameReader().push(rubyFrame(Buffer.from(hex, "hex")))[0];

/** Ruby 3.1's Marshal.dump([2.5, 1e-7, 2**30, 2**31, -2**31-1, 2**64-1, -(2**64), 123, -123, 255, 256, -256, -129, "é", :sym, {"k"=>nil}]). */
const RUBY_NUMBERS = "04085b156608322e35660931652d376c2b07000000406c2b07000000806c2d07010000806c2b09ffffffffffffffff6c2d0a0000000000000000010069017b69806901ff6902000169ff0069ff7f492207c3a9063a0645543a0873796d7b064922066b063b005430";
/** Ruby's dump of s = "k".freeze; h = {s => 2**64-1}; {"a" => [h, h, s, 1.5, 1.5], :b => :b, "c" => {1 => 2}}: object and symbol links. */
const RUBY_LINKS = "04087b0849220661063a0645545b0a7b064922066b063b00546c2b09ffffffffffffffff400840096608312e35400b3a06623b0649220663063b00547b0669066907";

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

  it("writes integers of every size, floats, strings and symbols byte for byte as Ruby does, big integers exactly", () => {
    const values = [2.5, 1e-7, 2 ** 30, 2 ** 31, -(2 ** 31) - 1, 2n ** 64n - 1n, -(2n ** 64n), 123, -123, 255, 256, -256, -129, "é", rubySymbol("sym"), { k: null }];
    assert.equal(dumpMarshal(values).toString("hex"), RUBY_NUMBERS);
    assert.deepEqual(loadMarshal(RUBY_NUMBERS), [2.5, 1e-7, 2 ** 30, 2 ** 31, -(2 ** 31) - 1, 2n ** 64n - 1n, -(2n ** 64n), 123, -123, 255, 256, -256, -129, "é", "sym", { k: null }]);
  });

  it("follows Ruby's object and symbol links, floats included", () => {
    const h = { k: 2n ** 64n - 1n };
    assert.deepEqual(loadMarshal(RUBY_LINKS), { a: [h, h, "k", 1.5, 1.5], b: "b", c: { 1: 2 } });
  });

  it("refuses Ruby values a frame never carries, and links that point nowhere", () => {
    assert.throws(() => loadMarshal("04086f3a0b4f626a65637400"), /holds a Object/);
    assert.throws(() => loadMarshal("04085b064006"), /link/);
    assert.throws(() => loadMarshal("04085b07"), /more than the bytes left/);
  });

  it("encodes requests with Symbol keys at the top and string keys inside, as agents expect", () => {
    // Ruby: Marshal.dump({op: :call, data: {package: "bash", opts: {"a" => [1, nil]}}})
    const ruby = "04087b073a076f703a0963616c6c3a09646174617b073a0c7061636b61676549220962617368063a0645543a096f7074737b0649220661063b09545b07690630";
    const frame = encodeFrame(symbolHash({ op: rubySymbol("call"), data: symbolHash({ package: "bash", opts: { a: [1, undefined] } }), skipped: undefined }));
    assert.equal(frame.readUInt32BE(0), frame.length - 4);
    assert.equal(frame.subarray(4).toString("hex"), ruby);
  });
});
