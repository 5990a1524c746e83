/** Length-prefixed Ruby Marshal frames between Node and a Ruby worker (4-byte big-endian length, then Marshal). */
import { dump, load, RubyHash } from "@hyrious/marshal";

/** A Ruby Hash whose top-level keys are Symbols (`{agent: "x"}` → `{:agent => "x"}`), nested hashes string-keyed. */
export function symbolHash(obj: Record<string, unknown>): RubyHash {
  return new RubyHash(Object.entries(obj).filter(([, v]) => v !== undefined).map(([k, v]) => [Symbol.for(k), toRuby(v)]));
}

/** JSON-like data as Ruby sees JSON: string keys, nil for undefined. */
function toRuby(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof RubyHash) return value;
  if (Array.isArray(value)) return value.map(toRuby);
  if (value !== null && typeof value === "object") {
    return new RubyHash(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toRuby(v)]));
  }
  return value;
}

/** One frame holding `value`. */
export function encodeFrame(value: unknown): Buffer {
  const body = dump(value);
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  frame.set(body, 4);
  return frame;
}

const decoder = new TextDecoder();

/** Ruby values as plain JS: symbols and byte strings become strings. */
function fromRuby(value: unknown): unknown {
  if (value instanceof Uint8Array) return decoder.decode(value);
  if (typeof value === "symbol") return Symbol.keyFor(value) ?? "";
  if (Array.isArray(value)) return value.map(fromRuby);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fromRuby(v);
    return out;
  }
  return value;
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
      frames.push(fromRuby(load(body, { hashSymbolKeysToString: true })));
    }
    return frames;
  }
}
