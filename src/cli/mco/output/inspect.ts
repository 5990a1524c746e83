/** Ruby's `inspect` for JSON values, as mco prints reply data (`["a", "b"]`, `{"k"=>1}`, `nil`, `{:status=>"ok"}`). */

const ESCAPES: Record<string, string> = { '"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\u001b": "\\e", "\f": "\\f", "\v": "\\v", "\b": "\\b", "\u0007": "\\a" };

/** A Ruby string literal: double quotes, backslash escapes, `#{` guarded. */
export function rubyString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (ESCAPES[c]) out += ESCAPES[c];
    else if (c === "#" && (s[i + 1] === "{" || s[i + 1] === "$" || s[i + 1] === "@")) out += "\\#";
    else if (c < " " || c === "\u007f") out += `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`;
    else out += c;
  }
  return out + '"';
}

/** A Ruby symbol as inspect shows it: `:name`, or `:"odd name"`. */
function rubySymbol(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*[?!]?$/.test(name) ? `:${name}` : `:${rubyString(name)}`;
}

/** `value.inspect`; with `symbolKeys` the top-level hash keys print as symbols (mco symbolizes reply data keys). */
export function rubyInspect(value: unknown, symbolKeys = false): string {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "string") return rubyString(value);
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : value > 0 ? "Infinity" : "-Infinity";
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => rubyInspect(v)).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return "{}";
  return `{${entries.map(([k, v]) => `${symbolKeys ? rubySymbol(k) : rubyString(k)}=>${rubyInspect(v)}`).join(", ")}}`;
}
