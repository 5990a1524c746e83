/** The DDL model shared by the Ruby-DSL reader, the JSON reader and everything that uses a DDL. */

export type PluginType = "agent" | "data" | "discovery" | "validator" | "aggregate" | "connector" | string;

export interface Metadata {
  name: string;
  description: string;
  author: string;
  license: string;
  version: string;
  url: string;
  timeout: number;
  provider?: string;
  [k: string]: unknown;
}

export interface Ddl {
  pluginType: PluginType;
  metadata: Metadata;
  actions: Record<string, ActionDdl>;
  /** The single query of a data plugin DDL. */
  dataquery?: ActionDdl;
  requires?: { mcollective?: string };
  /** Free text of `usage <<-TEXT`, shown by `plugin doc`. */
  usage?: string;
  /** Filter kinds a discovery plugin supports (classes, facts, identity, agents, compound). */
  capabilities?: string[];
}

export type Display = "always" | "ok" | "failed";

export interface ActionDdl {
  name: string;
  description: string;
  display: Display;
  inputs: Record<string, InputDdl>;
  outputs: Record<string, OutputDdl>;
  aggregates: AggregateSpec[];
}

/**
 * `validation` holds a named validator as a bare word (`shellsafe`), a regex given as a Ruby string as written
 * (`^[a-z]+$`) and a Ruby regex literal in Ruby's `to_s` form (`(?-mix:.+)`), exactly as the JSON DDL carries them.
 */
export interface InputDdl {
  prompt: string;
  description: string;
  type: string;
  validation?: string;
  maxlength?: number;
  optional: boolean;
  default?: unknown;
  list?: unknown[];
}

export interface OutputDdl {
  description: string;
  display_as: string;
  default?: unknown;
  type?: string;
}

/** One `aggregate fn(:output, {...})` line: args[0] is the output name, args[1] optional options such as format. */
export interface AggregateSpec {
  function: string;
  args: unknown[];
  /** Set only by the ignored legacy form `aggregate fn(:x), :format => "..."`; kept so JSON conversion is faithful. */
  format?: string;
}
