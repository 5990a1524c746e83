/**
 * Ruby Marshal 4.8, only the subset legacy MCollective puts on the wire (nil, true, false, Integer, Float, String,
 * Symbol, Array, Hash, Regexp, and object links `@`), read and written losslessly so that Ruby's bytes re-encode
 * byte for byte.
 *
 * Written by hand rather than with @hyrious/marshal, and used for the Ruby worker frames (src/shim/frames.ts) too: on
 * network bytes we need an allow-list and depth/size bounds enforced while reading (it instantiates any class and
 * recurses without limit), exact Integers beyond 2^53 (it sums Bignums in floats), the US-ASCII vs UTF-8 tag on
 * Strings and Ruby's float text on writing, and links by object identity the way Ruby makes them (it links equal
 * JS strings and numbers by value, which changes the bytes).
 */
import { ProtocolError } from "../protocol/errors.js";
import { MAX_NESTING } from "../protocol/json.js";
import { RFloat, RHash, RRegexp, RString, RSymbol, type RValue } from "./ruby.js";

export interface MarshalLimits {
  /** Largest blob accepted. */
  maxBytes: number;
  /** Deepest nesting of Arrays, Hashes and wrappers. */
  maxDepth: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const DEFAULT_LIMITS: MarshalLimits = { maxBytes: 4 * 1024 * 1024, maxDepth: MAX_NESTING };

const TYPE_NAMES: Record<number, string> = {
  0x6f: "Object",
  0x75: "user-dumped object (_dump, e.g. Time)",
  0x55: "user-marshalled object (marshal_dump)",
  0x53: "Struct",
  0x7d: "Hash with a default value",
  0x65: "extended object",
  0x43: "user subclass of a core class",
  0x63: "Class",
  0x6d: "Module",
  0x4d: "old Module",
  0x64: "data object",
};

/** Reads one Marshal blob; anything outside the subset or the limits throws `ProtocolError` naming `layer`. */
export function readMarshal(bytes: Uint8Array, layer: string, limits: MarshalLimits = DEFAULT_LIMITS): RValue {
  if (bytes.length > limits.maxBytes) throw new ProtocolError(`${layer} is ${bytes.length} bytes, over the limit of ${limits.maxBytes}`, "size");
  if (bytes.length < 3 || bytes[0] !== 4 || bytes[1] !== 8) throw new ProtocolError(`${layer} is not Ruby Marshal 4.8 data`, "encoding");
  // a plain view, so that Strings read from a Buffer are plain Uint8Arrays too
  const reader = new Reader(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), layer, limits.maxDepth);
  const value = reader.value(0);
  if (reader.pos !== bytes.length) throw reader.fail(`has ${bytes.length - reader.pos} bytes after the value`);
  return value;
}

class Reader {
  pos = 2;
  private readonly symbols: RSymbol[] = [];
  private readonly objects: RValue[] = [];
  /** Object indexes still being read: a link to one would make a cycle. */
  private readonly open = new Set<number>();

  constructor(
    private readonly bytes: Uint8Array,
    private readonly layer: string,
    private readonly maxDepth: number,
  ) {}

  fail(what: string): ProtocolError {
    return new ProtocolError(`${this.layer} ${what} (Marshal offset ${this.pos})`, "encoding");
  }

  value(depth: number): RValue {
    if (depth > this.maxDepth) throw new ProtocolError(`${this.layer} nests deeper than ${this.maxDepth} levels`, "size");
    const type = this.byte();
    switch (type) {
      case 0x30: return null;
      case 0x54: return true;
      case 0x46: return false;
      case 0x69: return this.long();
      case 0x6c: return this.remember(this.bignum());
      case 0x66: return this.remember(new RFloat(this.float()));
      case 0x22: return this.remember(RString.binary(this.chunk()));
      case 0x2f: return this.remember(this.regexp());
      case 0x3a: return this.symbol();
      case 0x3b: return this.symlink();
      case 0x40: return this.link();
      case 0x49: return this.ivars(depth);
      case 0x5b: return this.array(depth);
      case 0x7b: return this.hash(depth);
      default: {
        const name = TYPE_NAMES[type];
        this.pos--;
        throw name === undefined ? this.fail(`has unknown type byte 0x${type.toString(16).padStart(2, "0")}`) : this.fail(`holds a ${name}, which the legacy wire never carries`);
      }
    }
  }

  private byte(): number {
    if (this.pos >= this.bytes.length) throw this.fail("ends early");
    return this.bytes[this.pos++];
  }

  /** Marshal's packed integer (w_long): counts, lengths, indexes and Fixnums. */
  private long(): number {
    const head = (this.byte() << 24) >> 24;
    if (head === 0) return 0;
    if (head > 4) return head - 5;
    if (head < -4) return head + 5;
    const n = Math.abs(head);
    let value = 0;
    for (let i = 0; i < n; i++) value += this.byte() * 2 ** (8 * i);
    return head > 0 ? value : value - 2 ** (8 * n);
  }

  /** A count of items that each take at least one byte, so it cannot exceed what is left. */
  private count(what: string): number {
    const n = this.long();
    if (n < 0 || n > this.bytes.length - this.pos) throw this.fail(`has a ${what} of ${n}, more than the bytes left`);
    return n;
  }

  private chunk(): Uint8Array {
    const n = this.count("length");
    this.pos += n;
    return this.bytes.subarray(this.pos - n, this.pos);
  }

  private remember<T extends RValue>(value: T): T {
    this.objects.push(value);
    return value;
  }

  private bignum(): number | bigint {
    const sign = this.byte();
    if (sign !== 0x2b && sign !== 0x2d) throw this.fail("has a Bignum without a sign");
    const n = this.count("Bignum size") * 2;
    if (n > this.bytes.length - this.pos) throw this.fail("ends inside a Bignum");
    let value = 0n;
    for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(this.bytes[this.pos + i]);
    this.pos += n;
    if (sign === 0x2d) value = -value;
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }

  private float(): number {
    const text = decoder.decode(this.chunk());
    if (text === "inf") return Infinity;
    if (text === "-inf") return -Infinity;
    if (text === "nan") return NaN;
    if (!/^-?\d+(\.\d+)?(e[+-]?\d+)?$/.test(text)) throw this.fail(`has a Float that is not a number: ${JSON.stringify(text)}`);
    return Number(text);
  }

  private regexp(): RRegexp {
    const source = decoder.decode(this.chunk());
    return new RRegexp(source, this.byte(), "ASCII-8BIT");
  }

  private symbol(): RSymbol {
    const sym = new RSymbol(decoder.decode(this.chunk()));
    this.symbols.push(sym);
    return sym;
  }

  private symlink(): RSymbol {
    const index = this.long();
    const sym = this.symbols[index];
    if (sym === undefined) throw this.fail(`links to Symbol #${index}, which was never defined`);
    return sym;
  }

  private link(): RValue {
    const index = this.long();
    if (index < 0 || index >= this.objects.length) throw this.fail(`links to object #${index}, which was never defined`);
    if (this.open.has(index)) throw this.fail(`links object #${index} into itself`);
    return this.objects[index];
  }

  private symbolKey(): RSymbol {
    const type = this.byte();
    if (type === 0x3a) return this.symbol();
    if (type === 0x3b) return this.symlink();
    this.pos--;
    throw this.fail("has an instance variable name that is not a Symbol");
  }

  /** `I`: a String, Regexp or Symbol followed by its encoding; other instance variables are refused. */
  private ivars(depth: number): RValue {
    const start = this.pos;
    const type = this.bytes[start];
    if (type !== 0x22 && type !== 0x2f && type !== 0x3a) {
      const name = TYPE_NAMES[type];
      throw this.fail(name === undefined ? "has instance variables on something other than a String, Regexp or Symbol" : `holds a ${name}, which the legacy wire never carries`);
    }
    const index = this.objects.length;
    const inner = this.value(depth + 1) as RString | RRegexp | RSymbol;
    const count = this.long();
    let encoding = "ASCII-8BIT";
    for (let i = 0; i < count; i++) {
      const name = this.symbolKey();
      const value = this.value(depth + 1);
      if (name.name === "E" && typeof value === "boolean") encoding = value ? "UTF-8" : "US-ASCII";
      else if (name.name === "encoding" && value instanceof RString) encoding = value.text;
      else throw this.fail(`has instance variable ${name.name}, which the legacy wire never carries`);
    }
    if (inner instanceof RSymbol) return inner;
    const tagged = inner instanceof RString ? new RString(inner.bytes, encoding) : new RRegexp(inner.source, inner.options, encoding);
    this.objects[index] = tagged;
    return tagged;
  }

  private array(depth: number): RValue[] {
    const n = this.count("length");
    const out: RValue[] = [];
    const index = this.objects.length;
    this.remember(out);
    this.open.add(index);
    for (let i = 0; i < n; i++) out.push(this.value(depth + 1));
    this.open.delete(index);
    return out;
  }

  private hash(depth: number): RHash {
    const n = this.count("size");
    const out = new RHash([]);
    const index = this.objects.length;
    this.remember(out);
    this.open.add(index);
    for (let i = 0; i < n; i++) out.entries.push([this.value(depth + 1), this.value(depth + 1)]);
    this.open.delete(index);
    return out;
  }
}

/** Writes `value` as one Marshal blob the way Ruby 2.x/3.x would, links for shared objects and equal flonums included. */
export function writeMarshal(value: RValue): Uint8Array {
  const writer = new Writer();
  writer.out.push(4, 8);
  writer.value(value);
  return writer.out.result();
}

/** A growing byte buffer; cheaper than a number[] for the thousands of bodies a daemon writes per second. */
class Output {
  private buf = new Uint8Array(256);
  private length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  push(...bytes: number[]): void {
    this.room(bytes.length);
    for (const b of bytes) this.buf[this.length++] = b;
  }

  append(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** Text known to be ASCII, one byte per character, without an encoder round. */
  appendAscii(text: string): void {
    this.room(text.length);
    for (let i = 0; i < text.length; i++) this.buf[this.length++] = text.charCodeAt(i);
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

class Writer {
  readonly out = new Output();
  /** Symbols by name, as Ruby interns them. */
  private readonly symbols = new Map<string, number>();
  /** Object table: heap objects by identity, flonums by value (as Ruby's table keys them). */
  private readonly objects = new Map<unknown, number>();
  private count = 0;
  private readonly encodingNames = new Map<string, RString>();

  value(value: RValue): void {
    if (value === null) return void this.out.push(0x30);
    if (value === true) return void this.out.push(0x54);
    if (value === false) return void this.out.push(0x46);
    if (typeof value === "number" || typeof value === "bigint") return this.integer(value);
    if (value instanceof RSymbol) return this.symbol(value.name);
    const key = value instanceof RFloat && isFlonum(value.value) ? `flonum:${floatBits(value.value)}` : value;
    const index = this.objects.get(key);
    if (index !== undefined) {
      this.out.push(0x40);
      return this.long(index);
    }
    this.objects.set(key, this.count++);
    if (value instanceof RFloat) {
      this.out.push(0x66);
      return this.bytes(encoder.encode(rubyFloatText(value.value)));
    }
    if (value instanceof RString) return this.tagged(value.encoding, () => { this.out.push(0x22); this.bytes(value.bytes); });
    if (value instanceof RRegexp) {
      return this.tagged(value.encoding, () => {
        this.out.push(0x2f);
        this.bytes(encoder.encode(value.source));
        this.out.push(value.options & 0xff);
      });
    }
    if (Array.isArray(value)) {
      this.out.push(0x5b);
      this.long(value.length);
      for (const item of value) this.value(item);
      return;
    }
    this.out.push(0x7b);
    this.long(value.entries.length);
    for (const [k, v] of value.entries) {
      this.value(k);
      this.value(v);
    }
  }

  private integer(value: number | bigint): void {
    if (typeof value === "number" && !Number.isInteger(value)) throw new TypeError(`Marshal Integer ${value} is not whole; wrap Floats in RFloat`);
    const big = BigInt(value);
    if (big >= -(2n ** 30n) && big < 2n ** 30n) {
      this.out.push(0x69);
      return this.long(Number(big));
    }
    this.count++; // Ruby gives every Bignum an object index, though it never links one
    this.out.push(0x6c, big < 0n ? 0x2d : 0x2b);
    let magnitude = big < 0n ? -big : big;
    const digits: number[] = [];
    while (magnitude > 0n) {
      digits.push(Number(magnitude & 0xffn));
      magnitude >>= 8n;
    }
    if (digits.length % 2 === 1) digits.push(0);
    this.long(digits.length / 2);
    this.out.push(...digits);
  }

  private symbol(sym: string): void {
    const index = this.symbols.get(sym);
    if (index !== undefined) {
      this.out.push(0x3b);
      return this.long(index);
    }
    this.symbols.set(sym, this.symbols.size);
    const ascii = /^[\x00-\x7f]*$/.test(sym);
    if (!ascii) this.out.push(0x49);
    this.out.push(0x3a);
    if (ascii) {
      this.long(sym.length);
      this.out.appendAscii(sym);
    } else {
      this.bytes(encoder.encode(sym));
    }
    if (!ascii) {
      this.long(1);
      this.symbol("E");
      this.out.push(0x54);
    }
  }

  /** A String or Regexp with its encoding ivar: `:E` for UTF-8/US-ASCII, none for binary, else `:encoding`. */
  private tagged(encoding: string, body: () => void): void {
    if (encoding === "ASCII-8BIT") return body();
    this.out.push(0x49);
    body();
    this.long(1);
    if (encoding === "UTF-8" || encoding === "US-ASCII") {
      this.symbol("E");
      this.out.push(encoding === "UTF-8" ? 0x54 : 0x46);
      return;
    }
    this.symbol("encoding");
    // Ruby writes one name String per encoding and links it afterwards
    let name = this.encodingNames.get(encoding);
    if (name === undefined) this.encodingNames.set(encoding, (name = RString.binary(encoder.encode(encoding))));
    this.value(name);
  }

  private bytes(bytes: Uint8Array): void {
    this.long(bytes.length);
    this.out.append(bytes);
  }

  /** Marshal's packed integer, shortest form. */
  long(n: number): void {
    if (n === 0) return void this.out.push(0);
    if (n > 0 && n < 123) return void this.out.push(n + 5);
    if (n < 0 && n > -124) return void this.out.push((n - 5) & 0xff);
    const bytes: number[] = [];
    let x = n;
    for (let i = 0; i < 4; i++) {
      bytes.push(x & 0xff);
      x >>= 8;
      if (x === 0 && n > 0) break;
      if (x === -1 && n < 0) break;
    }
    this.out.push(n > 0 ? bytes.length : 256 - bytes.length, ...bytes);
  }
}

function floatBits(value: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return view.getBigUint64(0);
}

/** Whether 64-bit Ruby keeps this Float as an immediate "flonum", which its Marshal table remembers by value. */
function isFlonum(value: number): boolean {
  const bits = floatBits(value);
  if (bits === 0n) return true;
  const top = (bits >> 60n) & 7n;
  return (top === 3n || top === 4n) && bits !== 0x3000000000000000n;
}

/** Float text as Ruby's Marshal writes it: shortest round-trip digits, `1e2` rather than `100.0`. */
export function rubyFloatText(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  const [mantissa, exponent] = Math.abs(value).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const point = Number(exponent) + 1;
  const sign = value < 0 ? "-" : "";
  if (point < -3 || point > digits.length) {
    return `${sign}${digits[0]}${digits.length > 1 ? "." + digits.slice(1) : ""}e${point - 1}`;
  }
  if (point > 0) return `${sign}${digits.slice(0, point)}${point < digits.length ? "." + digits.slice(point) : ""}`;
  return `${sign}0.${"0".repeat(-point)}${digits}`;
}
