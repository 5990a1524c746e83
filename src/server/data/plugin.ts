/** What every data plugin is and what it may ask of the server. */
import type { Ddl } from "../../ddl/index.js";

export interface DataPlugin {
  name: string;
  ddl: Ddl;
  /** Runs the query; the result holds every DDL output (defaults where the plugin set nothing). Rejects on bad input. */
  query(arg: string | null): Promise<Record<string, unknown>>;
}

/** The server state data plugins read; optional parts widen what some plugins can answer. */
export interface DataContext {
  agents: () => string[];
  facts: () => Record<string, unknown>;
  configDir?: string;
  /** Metadata of a loaded agent (from its DDL), for the `agent` plugin. */
  agentMetadata?: (agent: string) => Record<string, unknown> | undefined;
  /** The node's collectives, for the `collective` plugin. */
  collectives?: () => string[];
  /** `plugin.puppet.*` settings (e.g. `lastrunfile`, `resourcefile`), for the `resource` plugin. */
  puppetConf?: Record<string, string>;
  /** Unix milliseconds; defaults to the clock. */
  now?: () => number;
}

/** One data plugin file exports one of these. */
export type DataPluginFactory = (ctx: DataContext) => DataPlugin;
