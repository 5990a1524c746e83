/**
 * The Ruby values a legacy MCollective body may hold (docs/ARCHITECTURE.md, "Legacy security codecs"), kept lossless:
 * String bytes with their encoding, Symbol vs String, Float vs Integer, Regexp, shared objects, so a decoded body
 * re-encodes to the same bytes.
 */

const utf8Decoder = new TextDecoder();

/** UTF-8 bytes as a plain Uint8Array (Buffer.from is the fast encoder for short strings). */
function utf8Bytes(text: string): Uint8Array {
  const buf = Buffer.from(text, "utf8");
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

/** A Ruby String: raw bytes and the encoding Ruby tagged them with. */
export class RString {
  constructor(
    readonly bytes: Uint8Array,
    /** `UTF-8` (ivar `:E => true`), `US-ASCII` (`:E => false`), `ASCII-8BIT` (no ivar), or an `:encoding` name. */
    readonly encoding: string,
  ) {}

  static utf8(text: string): RString {
    return new RString(utf8Bytes(text), "UTF-8");
  }

  static ascii(text: string): RString {
    return new RString(utf8Bytes(text), "US-ASCII");
  }

  static binary(bytes: Uint8Array): RString {
    return new RString(bytes, "ASCII-8BIT");
  }

  /** The text in its own encoding where JS knows it (ISO-8859-1, Shift_JIS, ...), else read as UTF-8. */
  get text(): string {
    if (this.encoding === "UTF-8" || this.encoding === "US-ASCII" || this.encoding === "ASCII-8BIT") return utf8Decoder.decode(this.bytes);
    try {
      return new TextDecoder(this.encoding).decode(this.bytes);
    } catch {
      return utf8Decoder.decode(this.bytes);
    }
  }
}

/**
 * A Ruby Symbol. Not a JS `Symbol.for`: that registry is never collected, and Symbol names come off the network.
 */
export class RSymbol {
  constructor(readonly name: string) {}
}

export function rsym(name: string): RSymbol {
  return new RSymbol(name);
}

/** A Ruby Float; kept apart from Integer because `1.0` and `1` are different bytes on the wire. */
export class RFloat {
  constructor(readonly value: number) {}
}

/** A Ruby Regexp (`--one` broadcasts put one in the identity filter). */
export class RRegexp {
  constructor(
    readonly source: string,
    /** Ruby's option bits: 1 ignorecase, 2 extended, 4 multiline (plus encoding flags). */
    readonly options: number,
    readonly encoding: string,
  ) {}
}

/** A Ruby Hash; entries keep Ruby's insertion order and key types. */
export class RHash {
  constructor(readonly entries: [RValue, RValue][]) {}

  /** The value under Symbol `name`, or undefined. */
  sym(name: string): RValue | undefined {
    return this.entries.find(([k]) => k instanceof RSymbol && k.name === name)?.[1];
  }

  /** The value under String `name`, or undefined. */
  str(name: string): RValue | undefined {
    return this.entries.find(([k]) => k instanceof RString && k.text === name)?.[1];
  }
}

/** Every value the legacy wire may carry; Integers beyond 2^53 are `bigint`. */
export type RValue = null | boolean | number | bigint | RSymbol | RString | RFloat | RRegexp | RValue[] | RHash;
