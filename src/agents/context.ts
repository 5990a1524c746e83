/** What native agents may know about the daemon that runs them; the server fills it in. */
import type { Config } from "../config/index.js";
import type { Metadata } from "../ddl/index.js";

/** An agent's DDL metadata, as agent_inventory reports it. */
export type AgentMetadata = Metadata;

export interface DaemonCounters {
  total: number;
  validated: number;
  unvalidated: number;
  filtered: number;
  passed: number;
  ttlexpired: number;
  replies: number;
}

/** The daemon's broker connection, as `choria_util#info` reports it. */
export interface BrokerLink {
  /** `host:port` of the broker connected to now; undefined while disconnected. */
  connected?: string;
  /** Every broker configured or found by SRV, as `host:port`, in order of preference. */
  brokers: string[];
  /** Traffic on the connection so far. */
  stats: { in_msgs: number; out_msgs: number; in_bytes: number; out_bytes: number; reconnects: number };
}

export interface NativeContext {
  identity: string;
  config: Config;
  configFile: string;
  version: string;
  pid: number;
  /** Unix seconds when the daemon started. */
  startTime: number;
  /** Unix seconds now. */
  now(): number;
  facts(): Record<string, unknown>;
  classes(): string[];
  /** Every loaded agent with its DDL metadata, sorted by name. */
  agents(): Array<{ agent: string; metadata: AgentMetadata }>;
  counters(): DaemonCounters;
  dataPlugins(): string[];
  /** Runs a data plugin; undefined when there is no such plugin. */
  queryData(source: string, query: string | null): Promise<Record<string, unknown> | undefined>;
  broker(): BrokerLink;
}

/** An agent implemented in Node: returns the data of a successful reply or throws RpcError. */
export interface NativeAgent {
  name: string;
  run(action: string, data: Record<string, unknown>, ctx: NativeContext): Promise<Record<string, unknown>> | Record<string, unknown>;
}
