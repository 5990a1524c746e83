/**
 * Length-prefixed Ruby Marshal frames between Node and a Ruby worker (4-byte big-endian length, then Marshal), in the
 * Marshal codec src/legacy/ has for the wire: integers beyond 2^53 are exact (BigInt) both ways.
 */
import { fromPlain, readMarshal, rsym, toPlain, writeMarshal, type RHash, type RSymbol } from "../legacy/index.js";

/** Frames come from our own worker, not the network: bounded only by what the length prefix can say. */
const FRAME_LIMITS = { maxBytes: 2 ** 32, maxDepth: 200 };

/** A Ruby Symbol (`:call`) for a frame. */
export function rubySymbol(name: string): RSymbol {
  return rsym(name);
}

/** A Ruby Hash whose top-level keys are Symbols (`{agent: "x"}` → `{:agent => "x"}`), nested hashes string-keyed. */
export function symbolHash(obj: Record<string, unknown>): RHash {
  return fromPlain(obj, "symbol") as RHash;
}

/** One frame holding `value`. */
export function encodeFrame(value: unknown): Buffer {
  const body = writeMarshal(fromPlain(value));
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  frame.set(body, 4);
  return frame;
}

/** Reassembles frames from a byte stream; push() returns every frame completed by the chunk, as plain values. */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): unknown[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: unknown[] = [];
    while (this.buffer.length >= 4) {
      const size = this.buffer.readUInt32BE(0);
      if (this.buffer.length < 4 + size) break;
      const body = this.buffer.subarray(4, 4 + size);
      this.buffer = this.buffer.subarray(4 + size);
      frames.push(toPlain(readMarshal(body, "Ruby worker frame", FRAME_LIMITS), "Ruby worker frame"));
    }
    return frames;
  }
}
