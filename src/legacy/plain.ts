/** Ruby values to the plain JS the pipeline works with, and back the way Ruby clients and agents shape them. */
import { ProtocolError } from "../protocol/errors.js";
import { RFloat, RHash, RRegexp, RString, RSymbol, rsym, type RValue } from "./ruby.js";

/**
 * Plain JS: Symbols and Strings become strings, Hashes objects with string keys, Floats numbers, Integers beyond
 * 2^53 stay `bigint`, a Regexp becomes the `/re/` text filters already understand.
 */
export function toPlain(value: RValue, layer: string): unknown {
  checkExpansion(value, layer);
  return plain(value, layer);
}

function plain(value: RValue, layer: string): unknown {
  if (value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "bigint") return value;
  if (value instanceof RSymbol) return value.name;
  if (value instanceof RString) return value.text;
  if (value instanceof RFloat) return value.value;
  if (value instanceof RRegexp) return `/${value.source}/`;
  if (Array.isArray(value)) return value.map((v) => plain(v, layer));
  return Object.fromEntries(value.entries.map(([k, v]) => [plainKey(k, layer), plain(v, layer)]));
}

/** Values that object links (Marshal `@`, YAML aliases) may add beyond the distinct ones, however small the message. */
const LINK_ALLOWANCE = 100_000;

/**
 * Refuses a value whose links would expand it to more than twice its distinct values plus `LINK_ALLOWANCE`: an Array
 * holding one linked Array twice, 40 levels down, is a few hundred bytes that plain JS (and every filter or log line
 * after it) would expand to 2^40 values. Counted once per distinct Array or Hash, so the check is linear.
 */
function checkExpansion(value: RValue, layer: string): void {
  const sizes = new Map<RValue, number>();
  let distinct = 0;
  const size = (v: RValue): number => {
    if (!Array.isArray(v) && !(v instanceof RHash)) return 1;
    const known = sizes.get(v);
    if (known !== undefined) return known;
    let total = 1;
    // Loops rather than flat() and reduce(): this runs on every message, and most are small.
    if (Array.isArray(v)) {
      distinct += 1 + v.length;
      for (const child of v) total += size(child);
    } else {
      distinct += 1 + 2 * v.entries.length;
      for (const [key, child] of v.entries) total += size(key) + size(child);
    }
    sizes.set(v, total);
    return total;
  };
  const expanded = size(value);
  if (expanded > 2 * distinct + LINK_ALLOWANCE) {
    throw new ProtocolError(`${layer} expands through object links to ${expanded} values from ${distinct} distinct ones`, "size");
  }
}

function plainKey(key: RValue, layer: string): string {
  if (key instanceof RSymbol) return key.name;
  if (key instanceof RString) return key.text;
  if (typeof key === "number" || typeof key === "bigint" || typeof key === "boolean" || key === null) return String(key);
  throw new ProtocolError(`${layer} has a Hash key that is not a String, Symbol or Integer`, "encoding");
}

/**
 * Ruby values for plain JS: text as UTF-8 Strings, whole numbers as Integers, others as Floats, object keys as
 * Symbols at the top level when `keys` is "symbol" and as Strings below. Ruby values pass through unchanged.
 */
export function fromPlain(value: unknown, keys: "symbol" | "string" = "string"): RValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean" || typeof value === "bigint") return value;
  // a whole -0 is Ruby's Integer 0, which has no sign
  if (typeof value === "number") return Number.isInteger(value) ? (value === 0 ? 0 : value) : new RFloat(value);
  if (typeof value === "string") return RString.utf8(value);
  if (value instanceof RSymbol || value instanceof RString || value instanceof RFloat || value instanceof RRegexp || value instanceof RHash) return value;
  if (Array.isArray(value)) return value.map((v) => fromPlain(v));
  if (typeof value === "object") {
    return new RHash(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [keys === "symbol" ? rsym(k) : RString.utf8(k), fromPlain(v)]),
    );
  }
  throw new TypeError(`cannot send a ${typeof value} to a legacy node`);
}
