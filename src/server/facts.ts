/**
 * Facts and classes of this node: `factsource = yaml` (`plugin.yaml`, merged), `facter`, or a Ruby fact source plugin
 * (`<libdir>/mcollective/facts/<name>_facts.rb`) run in Ruby; and `classesfile`. Ruby agents get these same facts.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { parse as parseYaml } from "yaml";
import type { Config } from "../config/index.js";
import { rubyPluginFacts } from "../shim/index.js";
import { parseJsonExact } from "../protocol/index.js";
import type { Logger } from "./logger.js";
import { WatchedFiles } from "./watched.js";

export interface FactSource {
  /** The current facts; cheap, call per request. */
  facts(): Record<string, unknown>;
  /** Reads the sources again now (SIGHUP). */
  reload(): Promise<void>;
}

/** The fact source a server.cfg configures. */
export function factSourceFromConfig(config: Config, log: Logger): FactSource {
  const source = config.string("factsource", "yaml");
  if (source === "facter") return new FacterFacts(config.int("fact_cache_time", 300), log);
  const plugin = config.libdirs.map((dir) => join(dir, "mcollective", "facts", `${source.toLowerCase()}_facts.rb`)).find((f) => existsSync(f));
  if (source !== "yaml" && plugin) {
    return new RefreshedFacts(`fact source ${plugin}`, () => rubyPluginFacts(source, config.entries(), config.file), config.int("fact_cache_time", 300), log);
  }
  if (source !== "yaml") log.warn(`factsource '${source}' is not supported (no ${source.toLowerCase()}_facts.rb in the libdirs); reading plugin.yaml instead`);
  const files = config.string("plugin.yaml").split(":").filter((f) => f !== "");
  return new YamlFacts(files, log);
}

/** Several YAML (or JSON) files merged in order, a later file's top-level keys winning; re-read when one changes. */
export class YamlFacts implements FactSource {
  private readonly watched: WatchedFiles<Record<string, unknown>>;

  constructor(files: string[], log: Logger) {
    this.watched = new WatchedFiles(files, readFactFiles, {}, (err) => log.error(`facts not reloaded, keeping the previous ones: ${err.message}`));
    for (const file of files) if (!existsSync(file)) log.warn(`fact file ${file} does not exist`);
  }

  facts(): Record<string, unknown> {
    return this.watched.get();
  }

  async reload(): Promise<void> {
    this.watched.invalidate();
    this.watched.get();
  }
}

function readFactFiles(files: string[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const file of files) {
    if (!existsSync(file)) continue;
    let parsed: unknown;
    try {
      parsed = exactIntegers(parseYaml(readFileSync(file, "utf8"), { intAsBigInt: true }));
    } catch (err) {
      throw new Error(`cannot parse fact file ${file}: ${(err as Error).message}`);
    }
    if (parsed === null || parsed === undefined) continue;
    if (typeof parsed !== "object" || Array.isArray(parsed)) throw new Error(`fact file ${file} does not hold a map of facts`);
    Object.assign(merged, unwrapPuppetFacts(parsed as Record<string, unknown>));
  }
  // As the legacy Facts::Base ("Got empty facts"): a file caught truncated while it is rewritten must not empty the node's facts.
  if (Object.keys(merged).length === 0) throw new Error(`the fact files ${files.join(", ")} hold no facts`);
  return merged;
}

/** YAML read with every integer a BigInt, back to numbers where a double holds them exactly (all but the huge). */
function exactIntegers(value: unknown): unknown {
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  if (Array.isArray(value)) return value.map(exactIntegers);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, exactIntegers(v)]));
  return value;
}

const PUPPET_FACTS_KEYS = new Set(["name", "values", "timestamp", "expiration"]);

/**
 * The facts of a `puppet facts` dump (`name`, `values`, `timestamp`, `expiration`), which sites write as their fact
 * file; MCollective read only top-level keys, so -F and inventory saw no facts in it (mco-client.md F.12).
 */
function unwrapPuppetFacts(doc: Record<string, unknown>): Record<string, unknown> {
  const { name, values } = doc;
  const isDump = typeof name === "string" && typeof values === "object" && values !== null && !Array.isArray(values)
    && Object.keys(doc).every((key) => PUPPET_FACTS_KEYS.has(key));
  return isDump ? (values as Record<string, unknown>) : doc;
}

/** Facts a program gives, refreshed on reload and when older than `fact_cache_time`; a failed read keeps the last good ones. */
export class RefreshedFacts implements FactSource {
  private cached: Record<string, unknown> = {};
  private readAt = 0;
  private pending?: Promise<void>;

  constructor(private readonly what: string, private readonly read: () => Promise<Record<string, unknown>>, private readonly cacheSeconds: number, private readonly log: Logger) {}

  facts(): Record<string, unknown> {
    if (Date.now() - this.readAt > this.cacheSeconds * 1000) void this.reload();
    return this.cached;
  }

  reload(): Promise<void> {
    this.pending ??= this.refresh().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async refresh(): Promise<void> {
    this.readAt = Date.now();
    try {
      this.cached = await this.read();
    } catch (err) {
      this.log.error(`${this.what} failed, keeping the previous facts: ${(err as Error).message}`);
    }
  }
}

/** Facts from `facter --json`. */
export class FacterFacts extends RefreshedFacts {
  constructor(cacheSeconds: number, log: Logger) {
    super("facter", () => runFacter(log), cacheSeconds, log);
  }
}

async function runFacter(log: Logger): Promise<Record<string, unknown>> {
  const result = await execa("facter", ["--json"], { reject: false, timeout: 60_000 });
  // facter exits non-zero when some facts cannot be read (e.g. /proc files as non-root) yet prints the rest.
  try {
    const facts = parseJsonExact(String(result.stdout)) as Record<string, unknown>;
    if (result.exitCode !== 0) log.warn(`facter exited ${result.exitCode}; using the facts it printed`);
    return facts;
  } catch {
    throw new Error(`exit ${result.exitCode}: ${String(result.stderr).trim().split("\n").pop()}`);
  }
}

/** The classes file: one class per line, blank lines ignored; re-read when it changes. */
export class ClassesFile {
  private readonly watched: WatchedFiles<string[]>;

  constructor(file: string, log: Logger) {
    this.watched = new WatchedFiles([file], ([f]) => (existsSync(f) ? readFileSync(f, "utf8").split("\n").map((l) => l.trim()).filter((l) => l !== "") : []), [], (err) =>
      log.error(`classes not reloaded: ${err.message}`),
    );
  }

  classes(): string[] {
    return this.watched.get();
  }

  reload(): void {
    this.watched.invalidate();
  }
}
