/** The typed view of a merged legacy configuration, with defaults and raw `plugin.*` access. */
import { ConfigError, ConfigEntry, parseBool, parseConfigText } from "./parse.js";
import { KNOWN_KEYS } from "./keys.js";

export class Config {
  private readonly values = new Map<string, string>();
  private readonly repeated = new Map<string, string[]>();
  /** Non-fatal problems found while reading, for the caller to log. */
  readonly warnings: string[] = [];

  /** `file` is the main config file, used to find `plugin.d/` and to name errors. */
  constructor(entries: ConfigEntry[] = [], readonly file?: string, private readonly hostname = "localhost") {
    for (const entry of entries) this.set(entry.key, entry.value, `${entry.file}:${entry.line}`);
  }

  /** A config from text alone, for tests and embedded defaults. */
  static fromText(text: string, hostname = "localhost"): Config {
    return new Config(parseConfigText(text), undefined, hostname);
  }

  /** Sets one key as a config line would; a later line for the same key wins, except repeatable keys. */
  set(key: string, value: string, where = "<set>"): void {
    if (!key.startsWith("plugin.") && !(key in KNOWN_KEYS)) {
      this.warnings.push(`${where}: unknown config parameter '${key}' ignored`);
    }
    if (key === "default_discovery_options") {
      this.repeated.set(key, [...(this.repeated.get(key) ?? []), value]);
    }
    this.values.set(key, value);
  }

  /** The raw value of any key as written, or the default for a known key. */
  get(key: string): string | undefined {
    return this.values.get(key) ?? KNOWN_KEYS[key]?.default;
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  string(key: string, fallback = ""): string {
    return this.get(key) ?? fallback;
  }

  int(key: string, fallback = 0): number {
    const raw = this.get(key);
    if (raw === undefined || raw === "") return fallback;
    if (!/^-?\d+$/.test(raw)) {
      throw new ConfigError(`Could not parse value for configuration option '${key}' with value '${raw}'`, this.file);
    }
    return Number(raw);
  }

  bool(key: string, fallback = false): boolean {
    const raw = this.get(key);
    return raw === undefined || raw === "" ? fallback : parseBool(raw, key);
  }

  /** A comma-separated value as a trimmed list without empty items. */
  list(key: string): string[] {
    return (this.get(key) ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  }

  /** Every value given for a repeatable key, in file order. */
  all(key: string): string[] {
    return this.repeated.get(key) ?? (this.values.has(key) ? [this.values.get(key)!] : []);
  }

  /** All `plugin.<name>.*` settings with the prefix removed, as agents read them. */
  pluginConf(name: string): Record<string, string> {
    const prefix = `plugin.${name}.`;
    const out: Record<string, string> = {};
    for (const [key, value] of this.values) if (key.startsWith(prefix)) out[key.slice(prefix.length)] = value;
    return out;
  }

  /** Every raw key and value, for passing the whole config to Ruby workers. */
  entries(): Record<string, string> {
    return Object.fromEntries(this.values);
  }

  get identity(): string {
    const id = this.get("identity") ?? this.hostname;
    if (!/^[\w.-]+$/.test(id)) throw new ConfigError(`Identities can only match /\\w\\.\\-/ but '${id}' does not`, this.file);
    return id;
  }

  get collectives(): string[] {
    return this.list("collectives");
  }

  get mainCollective(): string {
    return this.get("main_collective") ?? this.collectives[0] ?? "mcollective";
  }

  /** Plugin directories; each must be absolute, as MCollective requires. */
  get libdirs(): string[] {
    const dirs = (this.get("libdir") ?? "").split(":").filter((d) => d !== "");
    for (const dir of dirs) {
      if (!dir.startsWith("/")) throw new ConfigError(`libdir paths should be absolute paths but '${dir}' is relative`, this.file);
    }
    return dirs;
  }

  get ttl(): number {
    return this.int("ttl", 60);
  }

  get loglevel(): string {
    return this.string("loglevel", "info");
  }
}
