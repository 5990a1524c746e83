/**
 * Ruby Marshal 4.8 for the worker frames, limited to what they carry: nil, true, false, Integer (Fixnum and Bignum,
 * exact: a Bignum beyond 2^53 is a JS BigInt), Float, String, Symbol, Array and Hash. Anything else is refused.
 * Our own because @hyrious/marshal reads a Bignum as a rounded double and cannot write a BigInt.
 */

/** A Ruby Hash for dump: a Map keeps Symbol keys and key order. */
export type RubyHashMap = Map<unknown, unknown>;

const FIXNUM_MIN = -(2 ** 30);
const FIXNUM_MAX = 2 ** 30 - 1;

/** Marshal bytes of `value`: JS symbols are Ruby Symbols, Maps and plain objects Hashes, integers beyond 2^30 Bignums. */
export function dumpMarshal(value: unknown): Buffer {
  const w: Writer = { out: [4, 8], symbols: new Map() };
  writeValue(w, value, 0);
  return Buffer.from(w.out);
}

/** The bytes so far and the Symbols already written, which later uses link to as Ruby's own dump does. */
interface Writer {
  out: number[];
  symbols: Map<string, number>;
}

function writeValue(w: Writer, v: unknown, depth: number): void {
  const out = w.out;
  if (depth > 200) throw new TypeError("value nested too deeply for a worker frame");
  if (v === null || v === undefined) out.push(0x30);
  else if (v === true) out.push(0x54);
  else if (v === false) out.push(0x46);
  else if (typeof v === "bigint") writeInteger(out, v);
  else if (typeof v === "number") {
    if (Number.isInteger(v) && !Object.is(v, -0)) writeInteger(out, BigInt(v));
    else writeBytes((out.push(0x66), out), Buffer.from(floatText(v)));
  } else if (typeof v === "string") {
    out.push(0x49, 0x22);
    writeBytes(out, Buffer.from(v, "utf8"));
    out.push(0x06);
    writeSymbol(w, "E"); // one ivar, :E => true: the string is UTF-8
    out.push(0x54);
  } else if (typeof v === "symbol") {
    writeSymbol(w, Symbol.keyFor(v) ?? "");
  } else if (Array.isArray(v)) {
    out.push(0x5b);
    writeLong(out, v.length);
    for (const item of v) writeValue(w, item, depth + 1);
  } else if (v instanceof Map || (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype)) {
    const entries = v instanceof Map ? [...v.entries()] : Object.entries(v as object);
    out.push(0x7b);
    writeLong(out, entries.length);
    for (const [k, x] of entries) (writeValue(w, k, depth + 1), writeValue(w, x, depth + 1));
  } else {
    throw new TypeError(`a worker frame cannot carry ${Object.prototype.toString.call(v)}`);
  }
}

function writeSymbol(w: Writer, name: string): void {
  const seen = w.symbols.get(name);
  if (seen !== undefined) return void (w.out.push(0x3b), writeLong(w.out, seen));
  w.symbols.set(name, w.symbols.size);
  w.out.push(0x3a);
  writeBytes(w.out, Buffer.from(name, "utf8"));
}

function writeInteger(out: number[], n: bigint): void {
  if (n >= FIXNUM_MIN && n <= FIXNUM_MAX) return void (out.push(0x69), writeLong(out, Number(n)));
  let magnitude = n < 0n ? -n : n;
  const bytes: number[] = [];
  for (; magnitude > 0n; magnitude >>= 8n) bytes.push(Number(magnitude & 0xffn));
  if (bytes.length % 2) bytes.push(0);
  out.push(0x6c, n < 0n ? 0x2d : 0x2b);
  writeLong(out, bytes.length / 2);
  out.push(...bytes);
}

function floatText(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  return Object.is(x, -0) ? "-0" : String(x);
}

function writeBytes(out: number[], bytes: Buffer): void {
  writeLong(out, bytes.length);
  for (const b of bytes) out.push(b);
}

/** Marshal's packed long: small values in one byte, others as 1-4 little-endian bytes after a signed count. */
function writeLong(out: number[], n: number): void {
  if (n === 0) return void out.push(0);
  if (n > 0 && n < 123) return void out.push(n + 5);
  if (n < 0 && n > -124) return void out.push((n - 5) & 0xff);
  const bytes: number[] = [];
  let rest = n;
  for (let i = 0; i < 4; i++) {
    bytes.push(rest & 0xff);
    rest >>= 8;
    if (rest === 0 || rest === -1) break;
  }
  out.push((n > 0 ? bytes.length : -bytes.length) & 0xff, ...bytes);
}

/** Reads one Marshal value: Hash keys as strings (Symbols by name), Symbols as strings, strings decoded as UTF-8. */
export function loadMarshal(data: Uint8Array): unknown {
  if (data[0] !== 4 || data[1] !== 8) throw new TypeError("not Marshal 4.8 data");
  return new Reader(data).value(0);
}

class Reader {
  private at = 2;
  private readonly symbols: string[] = [];
  private readonly objects: unknown[] = [];

  constructor(private readonly data: Uint8Array) {}

  value(depth: number): unknown {
    if (depth > 200) throw new TypeError("Marshal data nested too deeply");
    const type = this.byte();
    switch (type) {
      case 0x30:
        return null;
      case 0x54:
        return true;
      case 0x46:
        return false;
      case 0x69:
        return this.long();
      case 0x3a:
      case 0x3b:
        return this.symbolAfter(type);
      case 0x40:
        return this.link();
      case 0x49: // an object with instance variables: only a String's or Symbol's encoding is expected
        return this.withIvars(depth);
      case 0x43: // an instance of a String/Array/Hash subclass: read as the base class
        this.symbolAfter(this.byte());
        return this.value(depth + 1);
      case 0x6c:
        return this.enter(this.bignum());
      case 0x66:
        return this.enter(this.float());
      case 0x22:
        return this.enter(Buffer.from(this.bytes()).toString("utf8"));
      case 0x5b: {
        const items: unknown[] = [];
        this.enter(items);
        for (let n = this.long(); n > 0; n--) items.push(this.value(depth + 1));
        return items;
      }
      case 0x7b:
      case 0x7d: {
        const hash: Record<string, unknown> = {};
        this.enter(hash);
        for (let n = this.long(); n > 0; n--) {
          const key = this.value(depth + 1);
          hash[typeof key === "string" ? key : String(key)] = this.value(depth + 1);
        }
        if (type === 0x7d) this.value(depth + 1); // the Hash's default value, which JSON has no place for
        return hash;
      }
    }
    throw new TypeError(`a worker frame holds a Ruby value of Marshal type '${String.fromCharCode(type)}', which it never should`);
  }

  private withIvars(depth: number): unknown {
    const inner = this.value(depth + 1);
    for (let n = this.long(); n > 0; n--) {
      this.value(depth + 1);
      this.value(depth + 1);
    }
    return inner;
  }

  private symbolAfter(type: number): string {
    if (type === 0x3b) return this.lookup(this.symbols, this.long(), "symbol");
    if (type !== 0x3a) throw new TypeError("a Marshal symbol was expected");
    const name = Buffer.from(this.bytes()).toString("utf8");
    this.symbols.push(name);
    return name;
  }

  private link(): unknown {
    return this.lookup(this.objects, this.long(), "object");
  }

  private lookup<T>(table: T[], index: number, what: string): T {
    if (index < 0 || index >= table.length) throw new TypeError(`Marshal ${what} link ${index} points nowhere`);
    return table[index];
  }

  private enter<T>(value: T): T {
    this.objects.push(value);
    return value;
  }

  private bignum(): number | bigint {
    const negative = this.byte() === 0x2d;
    const bytes = this.take(this.long() * 2);
    let n = 0n;
    for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
    if (negative) n = -n;
    // Within 2^53 a number is exact and is what every other integer here is.
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }

  private float(): number {
    const text = Buffer.from(this.bytes()).toString("latin1");
    if (text === "nan") return NaN;
    if (text === "inf" || text === "-inf") return text === "inf" ? Infinity : -Infinity;
    return Number(text.split("\0")[0]);
  }

  private long(): number {
    const c = (this.byte() << 24) >> 24;
    if (c === 0) return 0;
    if (c >= 5) return c - 5;
    if (c <= -5) return c + 5;
    const bytes = this.take(Math.abs(c));
    let n = 0;
    for (let i = bytes.length - 1; i >= 0; i--) n = n * 256 + bytes[i];
    return c > 0 ? n : n - 256 ** bytes.length;
  }

  private bytes(): Uint8Array {
    return this.take(this.long());
  }

  private take(n: number): Uint8Array {
    if (n < 0 || this.at + n > this.data.length) throw new TypeError("Marshal data too short");
    this.at += n;
    return this.data.subarray(this.at - n, this.at);
  }

  private byte(): number {
    return this.take(1)[0];
  }
}
