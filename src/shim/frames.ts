/** Length-prefixed Ruby Marshal frames between Node and a Ruby worker (4-byte big-endian length, then Marshal). */
import { dumpMarshal, loadMarshal, type RubyHashMap } from "./marshal.js";

/** A Ruby Hash whose top-level keys are Symbols (`{agent: "x"}` → `{:agent => "x"}`), nested hashes string-keyed. */
export function symbolHash(obj: Record<string, unknown>): RubyHashMap {
  return new Map(Object.entries(obj).filter(([, v]) => v !== undefined).map(([k, v]) => [Symbol.for(k), v]));
}

/** One frame holding `value`. */
export function encodeFrame(value: unknown): Buffer {
  const body = dumpMarshal(value);
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  frame.set(body, 4);
  return frame;
}

/** Reassembles frames from a byte stream; push() returns every frame completed by the chunk. */
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
      frames.push(loadMarshal(body));
    }
    return frames;
  }
}
