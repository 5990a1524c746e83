/**
 * The frame scanner against the golden frames Ruby and ActiveMQ wrote (every capture, cut anywhere) and against the
 * STOMP library's own parser, taken from the library's CommonJS bundle, which the scanner never replaces.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import fc from "fast-check";
import { Parser, type IRawFrameType } from "@stomp/stompjs";
import { FrameScanner, installFrameScanner } from "../../src/transport/stomp/frame-scanner.js";
import { goldenFrames } from "../helpers/stomp-recorder.js";
import { REPO } from "../helpers/server.js";

type Seen = { command: string | undefined; headers: Array<[string, string]>; body: Buffer } | "heartbeat";

const libraryParser: new (onFrame: (f: IRawFrameType) => void, onPing: () => void) => { parseChunk(c: ArrayBuffer): void } =
  createRequire(import.meta.url)("@stomp/stompjs").Parser;

const seen = (frame: IRawFrameType): Seen => ({ command: frame.command, headers: frame.headers, body: Buffer.from(frame.binaryBody ?? []) });

function scanned(chunks: Buffer[]): Seen[] {
  const out: Seen[] = [];
  const scanner = new FrameScanner((f) => out.push(seen(f)), () => out.push("heartbeat"));
  for (const chunk of chunks) scanner.push(chunk);
  return out;
}

function byLibrary(chunks: Buffer[]): Seen[] {
  const out: Seen[] = [];
  const parser = new libraryParser((f) => out.push(seen(f)), () => out.push("heartbeat"));
  for (const chunk of chunks) parser.parseChunk(Uint8Array.prototype.slice.call(chunk).buffer);
  return out;
}

/** `bytes` cut at the given offsets. */
function cut(bytes: Buffer, offsets: number[]): Buffer[] {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, p));
    from = p;
  }
  return chunks;
}

const CAPTURES = readdirSync(join(REPO, "fixtures", "wire-legacy"))
  .filter((f) => f.endsWith(".jsonl"))
  .map((f) => f.replace(/\.jsonl$/, ""));

describe("STOMP frame scanner", () => {
  for (const capture of CAPTURES) {
    it(`reads every frame of ${capture} as captured, with heartbeats between, however the bytes are cut`, () => {
      const frames = goldenFrames(capture);
      const stream = Buffer.concat(frames.flatMap((f) => [f.raw, Buffer.from("\n")]));
      const expected: Seen[] = frames.flatMap((f) => [{ command: f.command, headers: f.headers, body: f.body }, "heartbeat" as const]);
      assert.deepEqual(scanned([stream]), expected);
      fc.assert(
        fc.property(fc.array(fc.nat(), { maxLength: 40 }), (offsets) => {
          assert.deepEqual(scanned(cut(stream, offsets)), expected);
        }),
        { numRuns: 200 },
      );
    });
  }

  it("gives what the library's parser gives for any well-formed stream, cut anywhere", () => {
    const text = (chars: string, min: number) => fc.string({ unit: fc.constantFrom(...chars), minLength: min, maxLength: 12 });
    const keyChars = "abcz-_.09é";
    const valueChars = "abcz:/ -é✓\r";
    const frame = fc.record({
      command: fc.constantFrom("MESSAGE", "RECEIPT", "ERROR", "CONNECTED"),
      headers: fc.array(fc.tuple(text(keyChars, 1), text(valueChars, 0)), { maxLength: 6 }),
      body: fc.uint8Array({ maxLength: 300 }),
      sized: fc.boolean(),
      eolsAfter: fc.nat({ max: 3 }),
    });
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 30 }), (frames, offsets) => {
        const stream = Buffer.concat(
          frames.map((f) => {
            const body = f.sized ? Buffer.from(f.body) : Buffer.from(f.body.filter((b) => b !== 0));
            const headers = f.headers.filter(([k]) => k !== "content-length").map(([k, v]) => `${k}:${v}\n`);
            if (f.sized) headers.push(`content-length:${body.length}\n`);
            return Buffer.concat([Buffer.from(`${f.command}\n${headers.join("")}\n`), body, Buffer.from("\0" + "\n".repeat(f.eolsAfter))]);
          }),
        );
        const chunks = cut(stream, offsets);
        assert.deepEqual(scanned(chunks), byLibrary(chunks));
      }),
      { numRuns: 500 },
    );
  });

  it("holds a large body arriving in many chunks and reads it whole", () => {
    const body = Buffer.alloc(3 * 1024 * 1024, 7);
    const stream = Buffer.concat([Buffer.from(`MESSAGE\ncontent-length:${body.length}\n\n`), body, Buffer.from("\0\nRECEIPT\nreceipt-id:1\n\n\0")]);
    const chunks = cut(stream, Array.from({ length: 100 }, (_, i) => i * 65536 + 3));
    const out = scanned(chunks);
    assert.equal(out.length, 3);
    assert.ok(out[0] !== "heartbeat" && out[0].body.equals(body));
    assert.deepEqual(out.slice(1), ["heartbeat", { command: "RECEIPT", headers: [["receipt-id", "1"]], body: Buffer.alloc(0) }]);
  });

  it("copies a frame whose headers come a line at a time only when its empty line and its end have come", () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `header-${i}:value-${i}\n`);
    const chunks = [Buffer.from("MESSAGE\n"), ...lines.map((l) => Buffer.from(l)), Buffer.from("\n"), Buffer.from("body\0")];
    const streamBytes = chunks.reduce((n, c) => n + c.length, 0);
    const concat = Buffer.concat;
    let copied = 0;
    Buffer.concat = (list: readonly Uint8Array[], total?: number) => {
      const joined = concat(list, total);
      copied += joined.length;
      return joined;
    };
    let out: Seen[];
    try {
      out = scanned(chunks);
    } finally {
      Buffer.concat = concat;
    }
    assert.equal(out.length, 1);
    assert.ok(out[0] !== "heartbeat" && out[0].headers.length === 2000 && out[0].body.toString() === "body");
    // Twice here (once for the headers, once for the body); re-reading the held bytes at every line would copy about
    // a thousand times the stream.
    assert.ok(copied < 3 * streamBytes, `copied ${copied} bytes for a ${streamBytes}-byte stream`);
  });

  it("reads a header line without a colon as a name with an empty value, and the lines after it as usual", () => {
    const out = scanned([Buffer.from("MESSAGE\nbare\nalso bare\nkey:a:b\nlast:c\n\nx\0")]);
    assert.deepEqual(out, [{ command: "MESSAGE", headers: [["bare", ""], ["also bare", ""], ["key", "a:b"], ["last", "c"]], body: Buffer.from("x") }]);
  });

  it("goes on with the next frame when a frame's handler throws", () => {
    const commands: Array<string | undefined> = [];
    const scanner = new FrameScanner((f) => {
      commands.push(f.command);
      if (f.command === "ERROR") throw new Error("handler failed");
    }, () => {});
    const log = console.log;
    console.log = () => {};
    try {
      scanner.push(Buffer.from("ERROR\nmessage:x\n\n\0MESSAGE\n\nhi\0"));
    } finally {
      console.log = log;
    }
    assert.deepEqual(commands, ["ERROR", "MESSAGE"]);
  });

  it("once installed, is what every session of the library reads its frames with", () => {
    installFrameScanner();
    // A content-length that is not a number: the library's parser waits for ever, the scanner reads to the NUL.
    const bad = Buffer.from("MESSAGE\ncontent-length:many\n\nhi\0");
    assert.deepEqual(byLibrary([bad]), []);
    const out: IRawFrameType[] = [];
    new Parser((f) => out.push(f), () => {}).parseChunk(bad as unknown as ArrayBuffer);
    assert.deepEqual(out.map(seen), [{ command: "MESSAGE", headers: [["content-length", "many"]], body: Buffer.from("hi") }]);
  });

  it("gives each session its own scanner, so a frame cut off by a lost connection never runs into the next", () => {
    installFrameScanner();
    const lost: IRawFrameType[] = [];
    const next: IRawFrameType[] = [];
    new Parser((f) => lost.push(f), () => {}).parseChunk(Buffer.from("MESSAGE\ncontent-length:5\n\nhe") as unknown as ArrayBuffer);
    new Parser((f) => next.push(f), () => {}).parseChunk(Buffer.from("RECEIPT\nreceipt-id:7\n\n\0") as unknown as ArrayBuffer);
    assert.deepEqual([lost.length, next.map(seen)], [0, [{ command: "RECEIPT", headers: [["receipt-id", "7"]], body: Buffer.alloc(0) }]]);
  });
});
