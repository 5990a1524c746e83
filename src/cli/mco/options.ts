/** The option set every mco application shares (RPC, common and host filter sections) and what it means to the client. */
import { UsageError, type OptionSpec } from "./argv.js";
import type { ClientOptions } from "../../client/index.js";

/** An OptionParser Integer argument; `invalid argument: <flag> <raw>` otherwise. */
export const integer = (raw: string, flag: string): number => {
  if (!/^[+-]?\d+$/.test(raw.trim())) throw new UsageError(`invalid argument: ${flag} ${raw}`);
  return Number(raw);
};

const float = (raw: string, flag: string): number => {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(raw.trim())) throw new UsageError(`invalid argument: ${flag} ${raw}`);
  return Number(raw);
};

const batchSize = (raw: string, flag: string): string => {
  if (!/^\d+$/.test(raw) && !/^[1-9]\d*%$/.test(raw)) throw new UsageError(`invalid argument: ${flag} ${raw}`);
  return raw;
};

const displayMode = (raw: string): string => {
  if (!["ok", "all", "failed"].includes(raw)) throw new UsageError("--display has to be one of 'ok', 'all' or 'failed'");
  return raw;
};

/** Options present in every application: `-c -v -h`. */
export const ALWAYS_OPTIONS: OptionSpec[] = [
  { key: "config", flags: ["-c", "--config"], arg: "FILE", description: "Load configuration from file rather than default" },
  { key: "verbose", flags: ["-v", "--verbose"], description: "Be verbose" },
  { key: "help", flags: ["-h", "--help"], description: "Display this screen" },
];

/** `RPC Options`, added by SimpleRPC applications. */
export const RPC_OPTIONS: OptionSpec[] = [
  { key: "noProgress", flags: ["--np", "--no-progress"], description: "Do not show the progress bar" },
  { key: "one", flags: ["-1", "--one"], description: "Send request to only one discovered nodes" },
  { key: "batch", flags: ["--batch"], arg: "SIZE", description: "Do requests in batches", parse: batchSize },
  { key: "batchSleep", flags: ["--batch-sleep"], arg: "SECONDS", description: "Sleep time between batches", parse: float },
  { key: "limitSeed", flags: ["--limit-seed"], arg: "NUMBER", description: "Seed value for deterministic random batching", parse: integer },
  {
    key: "limit",
    flags: ["--limit-nodes", "--ln", "--limit"],
    arg: "COUNT",
    description: "Send request to only a subset of nodes, can be a percentage",
  },
  { key: "json", flags: ["-j", "--json"], description: "Produce JSON output" },
  { key: "display", flags: ["--display"], arg: "MODE", description: "Influence how results are displayed. One of ok, all or failed", parse: displayMode },
  { key: "jsonStats", flags: ["--json-stats"], description: "Produce JSON output with the request statistics (mcompat)" },
];

/** `Common Options`. */
export const COMMON_OPTIONS: OptionSpec[] = [
  { key: "target", flags: ["-T", "--target"], arg: "COLLECTIVE", description: "Target messages to a specific sub collective" },
  { key: "discoveryTimeout", flags: ["--dt", "--discovery-timeout"], arg: "SECONDS", description: "Timeout for doing discovery", parse: integer },
  { key: "timeout", flags: ["-t", "--timeout"], arg: "SECONDS", description: "Timeout for calling remote agents", parse: integer },
  { key: "verbose", flags: ["-q", "--quiet"], description: "Do not be verbose", value: false },
  { key: "ttl", flags: ["--ttl"], arg: "TTL", description: "Set the message validity period", parse: integer },
  { key: "replyTo", flags: ["--reply-to"], arg: "TARGET", description: "Set a custom target for replies" },
  { key: "discoveryMethod", flags: ["--dm", "--disc-method"], arg: "METHOD", description: "Which discovery method to use", repeat: true },
  { key: "discoveryOptions", flags: ["--do", "--disc-option"], arg: "OPTION", description: "Options to pass to the discovery method", repeat: true },
  { key: "nodes", flags: ["--nodes"], arg: "FILE", description: "List of nodes to address" },
  { key: "publishTimeout", flags: ["--publish_timeout"], arg: "TIMEOUT", description: "Timeout for publishing requests to remote agents.", parse: integer },
  { key: "threaded", flags: ["--threaded"], description: "Start publishing requests and receiving responses in threaded mode." },
  { key: "sort", flags: ["--sort"], description: "Sort the output of an RPC call before processing." },
  {
    key: "connectionTimeout",
    flags: ["--connection-timeout"],
    arg: "TIMEOUT",
    description: "Set the timeout for establishing a connection to the middleware",
    parse: integer,
  },
  {
    key: "discoveryWindow",
    flags: ["--discovery-window"],
    arg: "MS",
    description: "End discovery once no new node replied for MS milliseconds (mcompat)",
    parse: integer,
  },
];

/** `Host Filters`. */
export const FILTER_OPTIONS: OptionSpec[] = [
  { key: "with", flags: ["-W", "--with"], arg: "FILTER", description: "Combined classes and facts filter", repeat: true },
  { key: "select", flags: ["-S", "--select"], arg: "FILTER", description: "Compound filter combining facts and classes", repeat: true },
  { key: "facts", flags: ["-F", "--wf", "--with-fact"], arg: "fact=val", description: "Match hosts with a certain fact", repeat: true },
  { key: "classes", flags: ["-C", "--wc", "--with-class"], arg: "CLASS", description: "Match hosts with a certain config management class", repeat: true },
  { key: "agents", flags: ["-A", "--wa", "--with-agent"], arg: "AGENT", description: "Match hosts with a certain agent", repeat: true },
  { key: "identities", flags: ["-I", "--wi", "--with-identity"], arg: "IDENT", description: "Match hosts with a certain configured identity", repeat: true },
];

/** The parsed values of the shared sections, typed. */
export interface CommonValues {
  config?: string;
  verbose?: boolean;
  help?: boolean;
  noProgress?: boolean;
  one?: boolean;
  batch?: string;
  batchSleep?: number;
  limitSeed?: number;
  limit?: string;
  json?: boolean;
  jsonStats?: boolean;
  display?: "ok" | "all" | "failed";
  target?: string;
  discoveryTimeout?: number;
  timeout?: number;
  ttl?: number;
  replyTo?: string;
  discoveryMethod?: string[];
  discoveryOptions?: string[];
  nodes?: string;
  publishTimeout?: number;
  sort?: boolean;
  connectionTimeout?: number;
  discoveryWindow?: number;
  with?: string[];
  select?: string[];
  facts?: string[];
  classes?: string[];
  agents?: string[];
  identities?: string[];
}

/** What the shared options ask of the client library; mco's rules for conflicting options are checked here. */
export function clientOptionsFrom(v: CommonValues): ClientOptions {
  const methods = [...new Set(v.discoveryMethod ?? [])];
  if (methods.length > 1) throw new UsageError("Discovery method is already set by a competing option");
  if (v.nodes !== undefined && (methods.length > 0 || (v.discoveryOptions ?? []).length > 0)) {
    throw new UsageError("Cannot mix --disc-method, --disc-option and --nodes");
  }
  if (v.limit !== undefined && !/^\d+%*$/.test(v.limit)) {
    throw new UsageError(`Invalid limit specified: ${v.limit} valid limits are /^d+%*$/`);
  }
  return {
    filter: {
      facts: v.facts ?? [],
      classes: v.classes ?? [],
      agents: v.agents ?? [],
      identities: v.identities ?? [],
      compound: v.select ?? [],
      with: v.with ?? [],
    },
    collective: v.target,
    discovery: {
      method: v.nodes !== undefined ? "flatfile" : methods[0],
      options: v.nodes !== undefined ? [v.nodes] : v.discoveryOptions,
      timeoutSec: v.discoveryTimeout,
      windowMs: v.discoveryWindow,
    },
    timeoutSec: v.timeout,
    ttl: v.ttl,
    limit: v.one ? "1" : v.limit,
    limitSeed: v.limitSeed,
    batch: v.batch !== undefined && v.batch !== "0" ? { size: v.batch, sleepSec: v.batchSleep ?? 1 } : undefined,
    connectTimeoutMs: v.connectionTimeout !== undefined ? v.connectionTimeout * 1000 : undefined,
    publishTimeoutSec: v.publishTimeout,
  };
}
