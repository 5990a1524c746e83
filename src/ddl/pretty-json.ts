/** JSON text laid out as Ruby's `JSON.pretty_generate` does, which is how Choria's packager writes JSON DDLs. */

/** Two-space indent, `"key": value`, and empty containers opened and closed on separate lines, as Ruby writes them. */
export function rubyPrettyJson(value: unknown, indent = ""): string {
  const inner = indent + "  ";
  if (Array.isArray(value)) {
    if (value.length === 0) return `[\n\n${indent}]`;
    return `[\n${value.map((v) => inner + rubyPrettyJson(v, inner)).join(",\n")}\n${indent}]`;
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return `{\n${indent}}`;
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${rubyPrettyJson(v, inner)}`).join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value ?? null);
}
