/** The shape of a discovery method: a name, what filters it can honour, and a function that lists nodes. */
import { readFileSync } from "node:fs";
import type { Config } from "../../config/index.js";
import type { Filter } from "../../protocol/index.js";
import type { TlsFiles } from "../../security/index.js";
import { ClientError } from "../options.js";
import { rubyRegex } from "../../ruby/index.js";

export type FilterCapability = "identity" | "fact" | "class" | "agent" | "compound";

/** Network access a method may need, lent by the client (only `mc` uses it). */
export interface DiscoveryNetwork {
  /** Broadcasts a discovery ping with `filter` and returns the senders that answered, in arrival order. */
  ping(filter: Filter, opts: { timeoutMs: number; windowMs?: number; stopAfter?: number }): Promise<string[]>;
}

export interface DiscoveryContext {
  /** The user's filter; `agent` holds the agent that will be called plus any `-A`. */
  filter: Filter;
  /** The `-A` agents the user typed (the called agent is not a user filter). */
  userAgents: string[];
  collective: string;
  timeoutMs: number;
  windowMs?: number;
  /** `--do` values: `key=value` or a bare value. */
  options: string[];
  /** Stop once this many nodes are known (limit method `first` with a plain count). */
  stopAfter?: number;
  config: Config;
  tls: TlsFiles;
  network: DiscoveryNetwork;
}

export interface DiscoveryMethod {
  name: string;
  aliases: string[];
  capabilities: FilterCapability[];
  /** True when the method waits on the network for the discovery timeout (the "for N second(s)" of mco's line). */
  timed: boolean;
  discover(ctx: DiscoveryContext): Promise<string[]>;
}

/** `--do file=/x` or (when `bare`) `--do /x`: the value of `key`, or the first option without a key. */
export function discoveryOption(options: string[], key: string, bare = false): string | undefined {
  for (const option of options) {
    const eq = option.indexOf("=");
    if (eq > 0 && option.slice(0, eq) === key) return option.slice(eq + 1);
  }
  return bare ? options.find((o) => !/^\w+=/.test(o)) : undefined;
}

/** A file-based method's input; a file that cannot be read is a ClientError naming it as `what` (`the inventory file`). */
export function readDiscoveryFile(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    throw new ClientError(`Cannot read ${what} ${file}`);
  }
}

/** mco's identity rule: `/re/` is a regex with every `/` removed, anything else an exact name. */
export function identityMatches(identity: string, patterns: string[]): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((p) => (p.startsWith("/") ? rubyRegex(p.replace(/\//g, "")).test(identity) : p === identity));
}
