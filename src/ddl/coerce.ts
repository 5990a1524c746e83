/** `mco rpc key=value`: turning a command-line string into the typed value the DDL declares. */
import { parseJsonExact } from "../protocol/index.js";
import { DdlError } from "./errors.js";
import type { InputDdl } from "./model.js";

const TRUE_WORDS = ["true", "t", "yes", "y", "1"];
const FALSE_WORDS = ["false", "f", "no", "n", "0"];

/**
 * Types `raw` by the input's DDL type, as mco does (booleans from yes/no words, numbers from digits), plus what
 * Choria fixed: negative and exponent numbers, and hash/array/any inputs given as JSON text. Strings and lists stay.
 */
export function coerceCliValue(input: InputDdl, name: string, raw: string): unknown {
  switch (input.type) {
    case "boolean":
      return toBoolean(name, raw);
    case "integer":
    case "float":
    case "number":
      return toNumber(name, raw);
    case "hash":
    case "Hash":
      return fromJson(name, raw, "a hash", (v) => typeof v === "object" && v !== null && !Array.isArray(v));
    case "array":
    case "Array":
      return fromJson(name, raw, "an array", Array.isArray);
    case "any":
    case "":
      return parseJson(raw) ?? raw;
    default:
      return raw;
  }
}

function toBoolean(name: string, raw: string): boolean {
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  throw new DdlError(`input '${name}': ${raw} does not look like a boolean argument (use true/false, yes/no, y/n, t/f or 1/0)`, 4, name);
}

function toNumber(name: string, raw: string): number | bigint {
  const text = raw.trim();
  // Beyond 2^53 a double would round the integer: it travels as a BigInt, a JSON number with every digit.
  if (/^[-+]?\d+$/.test(text)) return Number.isSafeInteger(Number(text)) ? parseInt(text, 10) : BigInt(text);
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return Number(text);
  throw new DdlError(`input '${name}': ${raw} does not look like a number`, 4, name);
}

function fromJson(name: string, raw: string, what: string, ok: (v: unknown) => boolean): unknown {
  const value = parseJson(raw);
  if (value === undefined || !ok(value)) throw new DdlError(`input '${name}': '${raw}' is not a valid JSON string with ${what} inside`, 4, name);
  return value;
}

function parseJson(raw: string): unknown {
  try {
    return parseJsonExact(raw);
  } catch {
    return undefined;
  }
}
