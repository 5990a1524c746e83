/**
 * Ruby 3.1's `inspect`, `to_s` and `pretty_inspect` of JSON-shaped data. One walk with options: `pp` writes a
 * string of several lines as its lines joined with " + " (what PP, and so the audit log and `mco -v`, print),
 * `symbolKeys` prints the top-level hash keys as symbols (request data, and reply data as mco symbolizes it).
 */

export interface InspectOptions {
  symbolKeys?: boolean;
  pp?: boolean;
}

/** `value.inspect` (or with `pp`, `PP.singleline_pp`); hash keys are strings below the top level. */
export function rubyInspect(value: unknown, options: InspectOptions = {}): string {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") return inspectNumber(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return options.pp ? inspectLines(value).join(" + ") : inspectString(value);
  const inner: InspectOptions = { pp: options.pp };
  if (Array.isArray(value)) return `[${value.map((v) => rubyInspect(v, inner)).join(", ")}]`;
  if (typeof value === "object") return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${inspectKey(k, options)}=>${rubyInspect(v, inner)}`).join(", ")}}`;
  return inspectString(String(value));
}

/** `value.to_s`: strings as they are, nil as nothing, numbers as Ruby prints them, anything else inspected. */
export function rubyToS(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  return rubyInspect(value);
}

/** The request data hash as the legacy audit log prints it: `PP.singleline_pp` with symbol keys. */
export function inspectRequestData(data: Record<string, unknown>): string {
  return rubyInspect(data, { symbolKeys: true, pp: true });
}

/**
 * `value.pretty_inspect` (Ruby's PP, 79 columns): the one-line form when it fits, otherwise arrays and hashes
 * break one element per line, indented by one; a hash value that does not fit after its key moves to the next
 * line, and a string of several lines breaks after each " +".
 */
export function rubyPretty(value: unknown, symbolKeys = false, width = 79): string {
  return pretty(value, { symbolKeys, pp: true }, 0, 0, 0, width);
}

function pretty(value: unknown, options: InspectOptions, indent: number, column: number, trail: number, width: number): string {
  const flat = rubyInspect(value, options);
  if (column + flat.length + trail <= width || value === null || value === undefined) return flat;
  if (typeof value === "string") return inspectLines(value).join(` +\n${" ".repeat(indent)}`);
  if (typeof value !== "object") return flat;
  const inner: InspectOptions = { pp: true };
  const pad = " ".repeat(indent + 1);
  if (Array.isArray(value)) {
    const items = value.map((v, i) => pretty(v, inner, indent + 1, indent + 1, i === value.length - 1 ? trail + 1 : 1, width));
    return `[${items.join(`,\n${pad}`)}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const pairs = entries.map(([k, v], i) => {
    const key = `${inspectKey(k, options)}=>`;
    const after = i === entries.length - 1 ? trail + 1 : 1;
    const inline = rubyInspect(v, inner);
    if (indent + 1 + key.length + inline.length + after <= width) return key + inline;
    const nested = " ".repeat(indent + 2);
    return `${key}\n${nested}${pretty(v, inner, indent + 2, indent + 2, after, width)}`;
  });
  return `{${pairs.join(`,\n${pad}`)}}`;
}

function inspectKey(key: string, options: InspectOptions): string {
  return options.symbolKeys ? inspectSymbol(key) : options.pp ? inspectLines(key).join(" + ") : inspectString(key);
}

// PP shows a string of several lines as its lines, each inspected.
function inspectLines(s: string): string[] {
  const lines = s.match(/[^\n]*\n|[^\n]+$/g) ?? [""];
  return lines.length > 1 ? lines.map((line) => inspectString(line)) : [inspectString(s)];
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
  return floatText(n);
}

/** Float#to_s, which prints a whole number as `150.0`. */
export function inspectFloat(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "Infinity" : "-Infinity";
  return floatText(n);
}

// Float#to_s: fixed notation for 1e-4 <= |x| < 1e16 (at 1e15 and up only with a fraction), else `d.ddde+XX`.
function floatText(n: number): string {
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
