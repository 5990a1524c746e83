/** Parsing of the legacy `key = value` configuration format (pure: text in, entries out). */

/** A config file line that could not be read, with where it was. */
export class ConfigError extends Error {
  constructor(message: string, readonly file?: string, readonly line?: number) {
    super(file ? `${file}${line ? `:${line}` : ""}: ${message}` : message);
    this.name = "ConfigError";
  }
}

export interface ConfigEntry {
  key: string;
  value: string;
  file: string;
  line: number;
}

const LINE = /^(.+?)\s*=\s*(.*)$/;

/** Reads `key = value` lines; `#` comments and blank lines are skipped, the value is kept verbatim past the `=`. */
export function parseConfigText(text: string, file = "<config>", keyPrefix = ""): ConfigEntry[] {
  const entries: ConfigEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const match = LINE.exec(line);
    if (!match || match[1].trim() === "") {
      throw new ConfigError(`cannot parse '${line}': expected 'key = value'`, file, index + 1);
    }
    entries.push({ key: keyPrefix + match[1].trim(), value: match[2].trim(), file, line: index + 1 });
  });
  return entries;
}

/** MCollective's boolean words (`Util.str_to_bool`). */
export function parseBool(value: string, key = "value"): boolean {
  if (/^(1|yes|true|y|t)$/i.test(value)) return true;
  if (/^(0|no|false|n|f)$/i.test(value)) return false;
  throw new ConfigError(`Cannot convert string value '${value}' of '${key}' into a boolean.`);
}
