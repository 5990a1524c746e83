/** What a caller can ask of the RPC client, and the defaults mco takes from the config when it does not. */
import type { Config } from "../config/index.js";
import type { FilterSpec } from "../filter/index.js";

export interface ClientOptions {
  /** Host filters; `with` holds `-W` strings (facts and classes mixed). */
  filter?: FilterSpec & { with?: string[] };
  /** Sub-collective (`-T`); the config's main collective otherwise. */
  collective?: string;
  discovery?: {
    /** `mc` (default), `flatfile`, `inventory`, `puppetdb` (or an alias: `broadcast`, `file`, `choria`). */
    method?: string;
    /** `--do` values: `key=value` or, for file methods, a bare path. */
    options?: string[];
    /** `--dt`: overrides the config's `discovery_timeout`. */
    timeoutSec?: number;
    /** End mc discovery once no new node replied for this long. */
    windowMs?: number;
  };
  /** `-t`: the exact time to wait for replies; otherwise DDL timeout + discovery timeout. */
  timeoutSec?: number;
  ttl?: number;
  /** `--limit-nodes`: a count (`"5"`) or a percentage (`"10%"`). */
  limit?: string;
  limitSeed?: number;
  batch?: { size: string; sleepSec: number };
  connectTimeoutMs?: number;
  /** `--publish_timeout`: how long a request may take to reach the broker (config `publish_timeout`, default 2 s). */
  publishTimeoutSec?: number;
  /** The environment `CHORIA_FED_COLLECTIVE` is read from; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** Where the client reports what mco logs as warnings (nodes that never replied); unset drops them. */
  warn?: (message: string) => void;
}

/** The config-derived settings of one client, resolved once. */
export interface ResolvedSettings {
  collective: string;
  discoveryTimeoutSec: number;
  /** How long `mco ping` listens: `-t`, else 5 s plus `--dt` or the config's `discovery_timeout` (unset: 0, not mc's 2). */
  pingTimeoutSec: number;
  discoveryMethod: string;
  discoveryOptions: string[];
  discoveryWindowMs?: number;
  ttl: number;
  limitMethod: "first" | "random";
  directAddressing: boolean;
  directAddressingThreshold: number;
  connectTimeoutMs: number;
  publishTimeoutMs: number;
}

/** Thrown for a request the client cannot make as asked (bad collective, unreadable node list, ...). */
export class ClientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ClientError";
  }
}

/** Applies mco's precedence: explicit option, then config, then MCollective's default. */
export function resolveSettings(config: Config, options: ClientOptions): ResolvedSettings {
  const collective = options.collective ?? config.mainCollective;
  const known = config.collectives.length > 0 ? config.collectives : [config.mainCollective];
  if (!known.includes(collective)) {
    throw new ClientError(`Unknown collective '${collective}' known collectives are '${known.join(", ")}'`);
  }
  const windowed = config.bool("plugin.choria.discovery.broadcast.windowed_timeout", false);
  const limitMethod = config.string("rpclimitmethod", "first");
  if (limitMethod !== "first" && limitMethod !== "random") {
    throw new ClientError(`rpclimitmethod should be 'first' or 'random' but is '${limitMethod}'`);
  }
  return {
    collective,
    discoveryTimeoutSec: options.discovery?.timeoutSec ?? config.int("discovery_timeout", 2),
    pingTimeoutSec: options.timeoutSec ?? 5 + (options.discovery?.timeoutSec ?? (config.has("discovery_timeout") ? config.int("discovery_timeout") : 0)),
    discoveryMethod: options.discovery?.method ?? config.string("default_discovery_method", "mc"),
    discoveryOptions: options.discovery?.options ?? config.all("default_discovery_options").filter((o) => o !== ""),
    discoveryWindowMs: options.discovery?.windowMs ?? (windowed ? 300 : undefined),
    ttl: options.ttl ?? config.ttl,
    limitMethod,
    directAddressing: config.bool("direct_addressing", true),
    directAddressingThreshold: config.int("direct_addressing_threshold", 10),
    connectTimeoutMs: options.connectTimeoutMs ?? (config.has("connection_timeout") ? config.int("connection_timeout") * 1000 : 5000),
    publishTimeoutMs: (options.publishTimeoutSec ?? config.int("publish_timeout", 2)) * 1000,
  };
}
