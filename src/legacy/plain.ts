/** Ruby values to the plain JS the pipeline works with, and back the way Ruby clients and agents shape them. */
import { ProtocolError } from "../protocol/errors.js";
import { RFloat, RHash, RRegexp, RString, RSymbol, rsym, type RValue } from "./ruby.js";

/**
 * Plain JS: Symbols and Strings become strings, Hashes objects with string keys, Floats numbers, Integers beyond
 * 2^53 stay `bigint`, a Regexp becomes the `/re/` text filters already understand.
 */
export function toPlain(value: RValue, layer: string): unknown {
  if (value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "bigint") return value;
  if (value instanceof RSymbol) return value.name;
  if (value instanceof RString) return value.text;
  if (value instanceof RFloat) return value.value;
  if (value instanceof RRegexp) return `/${value.source}/`;
  if (Array.isArray(value)) return value.map((v) => toPlain(v, layer));
  return Object.fromEntries(value.entries.map(([k, v]) => [plainKey(k, layer), toPlain(v, layer)]));
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
