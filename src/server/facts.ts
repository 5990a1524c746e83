/** Facts and classes of this node: `factsource = yaml` (`plugin.yaml`, merged) or `facter`, and `classesfile`. */
import { existsSync, readFileSync } from "node:fs";
import { execa } from "execa";
import { parse as parseYaml } from "yaml";
import type { Config } from "../config/index.js";
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
  if (source !== "yaml") log.warn(`factsource '${source}' is not supported; reading plugin.yaml instead`);
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
      parsed = parseYaml(readFileSync(file, "utf8"));
    } catch (err) {
      throw new Error(`cannot parse fact file ${file}: ${(err as Error).message}`);
    }
    if (parsed === null || parsed === undefined) continue;
    if (typeof parsed !== "object" || Array.isArray(parsed)) throw new Error(`fact file ${file} does not hold a map of facts`);
    Object.assign(merged, unwrapPuppetFacts(parsed as Record<string, unknown>));
  }
  return merged;
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

/** Facts from `facter --json`, refreshed on reload and when older than `fact_cache_time`. */
export class FacterFacts implements FactSource {
  private cached: Record<string, unknown> = {};
  private readAt = 0;
  private pending?: Promise<void>;

  constructor(private readonly cacheSeconds: number, private readonly log: Logger) {}

  facts(): Record<string, unknown> {
    if (Date.now() - this.readAt > this.cacheSeconds * 1000) void this.reload();
    return this.cached;
  }

  reload(): Promise<void> {
    this.pending ??= this.runFacter().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async runFacter(): Promise<void> {
    this.readAt = Date.now();
    const result = await execa("facter", ["--json"], { reject: false, timeout: 60_000 });
    // facter exits non-zero when some facts cannot be read (e.g. /proc files as non-root) yet prints the rest.
    try {
      this.cached = JSON.parse(String(result.stdout)) as Record<string, unknown>;
      if (result.exitCode !== 0) this.log.warn(`facter exited ${result.exitCode}; using the facts it printed`);
    } catch {
      this.log.error(`facter failed (exit ${result.exitCode}): ${String(result.stderr).trim().split("\n").pop()}`);
    }
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
