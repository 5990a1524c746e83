/** What every data plugin is and what it may ask of the server. */
import type { Ddl } from "../../ddl/index.js";

export interface DataPlugin {
  name: string;
  ddl: Ddl;
  /**
   * Runs the query; the result holds every DDL output (defaults where the plugin set nothing). Rejects on bad input.
   * A plugin that reads files or runs long stops its work when `signal` aborts (the DDL timeout passed).
   */
  query(arg: string | null, signal?: AbortSignal): Promise<Record<string, unknown>>;
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
  /** `plugin.puppet.*` settings (`lastrunfile`, `resourcefile`, `agent_disabled_lockfile`, `agent_catalog_run_lockfile`, `pidfile`). */
  puppetConf?: Record<string, string>;
  /** Unix milliseconds; defaults to the clock. */
  now?: () => number;
}

/** One data plugin file exports one of these. */
export type DataPluginFactory = (ctx: DataContext) => DataPlugin;
