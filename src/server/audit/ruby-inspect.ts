/**
 * Ruby 2.x/3.1 `PP.singleline_pp` text of JSON-shaped data, as the legacy logfile audit writes request data:
 * `{:fact=>"country", :n=>1}`; the top-level keys are symbols, nested hash keys stay strings.
 */

/** The request data hash as Ruby prints it with symbol keys. */
export function inspectRequestData(data: Record<string, unknown>): string {
  return inspectHash(Object.entries(data), inspectSymbol);
}

/** Any JSON value as Ruby prints it (hash keys as strings). */
export function inspectValue(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") return inspectNumber(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return inspectMultilineString(value);
  if (Array.isArray(value)) return `[${value.map(inspectValue).join(", ")}]`;
  if (typeof value === "object") return inspectHash(Object.entries(value as Record<string, unknown>), inspectMultilineString);
  return inspectString(String(value));
}

function inspectHash(entries: Array<[string, unknown]>, key: (k: string) => string): string {
  return `{${entries.map(([k, v]) => `${key(k)}=>${inspectValue(v)}`).join(", ")}}`;
}

// pp shows a string of several lines as its lines joined with " + ".
function inspectMultilineString(s: string): string {
  const lines = s.match(/[^\n]*\n|[^\n]+$/g) ?? [""];
  return lines.length > 1 ? lines.map((line) => inspectString(line)).join(" + ") : inspectString(s);
}

const NAMED_ESCAPES: Record<string, string> = {
  "\n": "\\n", "\t": "\\t", "\r": "\\r", "\f": "\\f", "\v": "\\v", "\b": "\\b", "\x07": "\\a", "\x1b": "\\e",
  '"': '\\"', "\\": "\\\\",
};

/** A String#inspect of a UTF-8 string, or of a US-ASCII one (as a symbol of ASCII only is) with `\xNN` escapes. */
export function inspectString(s: string, ascii = false): string {
  let out = "";
  const chars = Array.from(s);
  chars.forEach((ch, i) => {
    const code = ch.codePointAt(0)!;
    if (NAMED_ESCAPES[ch]) out += NAMED_ESCAPES[ch];
    else if (ch === "#" && ["{", "$", "@"].includes(chars[i + 1])) out += "\\#";
    else if (ascii && (code < 0x20 || code === 0x7f)) out += `\\x${code.toString(16).toUpperCase().padStart(2, "0")}`;
    else if (code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
    else if (code >= 0xd800 && code <= 0xdfff) out += `\\u${code.toString(16).toUpperCase()}`;
    else out += ch;
  });
  return `"${out}"`;
}

const OPERATOR_SYMBOLS = new Set([
  "+", "-", "*", "/", "%", "**", "==", "===", "!=", "=~", "!~", "!", "<", ">", "<=", ">=", "<=>", "<<", ">>",
  "&", "|", "^", "~", "+@", "-@", "[]", "[]=", "`",
]);
// Ruby counts every printable non-ASCII character as an identifier character.
const PLAIN_SYMBOL = /^(?:[@$]|@@)?[A-Za-z_\u0080-\u2027\u202A-\u{10FFFF}][\w\u0080-\u2027\u202A-\u{10FFFF}]*$|^[A-Za-z_\u0080-\u2027\u202A-\u{10FFFF}][\w\u0080-\u2027\u202A-\u{10FFFF}]*[?!=]$/u;

// Ruby's special global variables ($!, $$, $1, $-w ...) are valid bare symbols too.
const SPECIAL_GLOBAL = /^\$(?:[~*$?!@/\\;,.=:<>"&`'+0]|\d+|-[\w\u0080-\u2027\u202A-\u{10FFFF}])$/u;

/** A Symbol#inspect: `:name`, or `:"quoted name"` when the name is not a bare identifier or operator. */
export function inspectSymbol(name: string): string {
  return PLAIN_SYMBOL.test(name) || OPERATOR_SYMBOLS.has(name) || SPECIAL_GLOBAL.test(name) ? `:${name}` : `:${inspectString(name, /^[\x00-\x7f]*$/.test(name))}`;
}

/** An Integer#inspect for whole numbers (JSON cannot tell 1 from 1.0 once read), else a Float#inspect. */
export function inspectNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "Infinity" : "-Infinity";
  if (Number.isInteger(n) && Math.abs(n) < 1e21 && !Object.is(n, -0)) return String(n);
  return inspectFloat(n);
}

// Float#to_s: fixed notation for 1e-4 <= |x| < 1e16 (at 1e15 and up only with a fraction), else `d.ddde+XX`.
function inspectFloat(n: number): string {
  const [mantissa, exp] = Math.abs(n).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const point = Number(exp) + 1; // position of the decimal point after the first digit
  const sign = n < 0 || Object.is(n, -0) ? "-" : "";
  if (point > -4 && (point <= 15 || (point === 16 && digits.length > point))) {
    if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
    const whole = digits.slice(0, point).padEnd(point, "0");
    const frac = digits.slice(point) || "0";
    return `${sign}${whole}.${frac}`;
  }
  const frac = digits.slice(1) || "0";
  const e = Number(exp);
  return `${sign}${digits[0]}.${frac}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}
