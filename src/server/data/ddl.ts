/**
 * The DDL model of a data plugin, as the ddl helper's `src/ddl` contract defines it (declared here until that
 * module lands on main), and a builder for the bundled plugins' DDLs.
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

export interface ActionDdl {
  name: string;
  description: string;
  display: "always" | "ok" | "failed";
  inputs: Record<string, InputDdl>;
  outputs: Record<string, OutputDdl>;
  aggregates: unknown[];
}

export interface Ddl {
  pluginType: string;
  metadata: { name: string; description: string; author: string; license: string; version: string; url: string; timeout: number; [k: string]: unknown };
  actions: Record<string, ActionDdl>;
  dataquery?: ActionDdl;
  requires?: { mcollective?: string };
}

/** A data plugin DDL: metadata, the `dataquery` description, its one `query` input (if any) and its outputs. */
export function dataDdl(spec: {
  metadata: Ddl["metadata"];
  description: string;
  query?: Omit<InputDdl, "optional"> & { optional?: boolean };
  outputs: Record<string, OutputDdl>;
}): Ddl {
  const inputs: Record<string, InputDdl> = spec.query ? { query: { optional: false, ...spec.query } } : {};
  return {
    pluginType: "data",
    metadata: spec.metadata,
    actions: {},
    dataquery: { name: "data", description: spec.description, display: "always", inputs, outputs: spec.outputs, aggregates: [] },
  };
}

/** Every output of a data DDL at its default (or null), as a legacy `Data::Result` starts. */
export function outputDefaults(ddl: Ddl): Record<string, unknown> {
  const outputs = ddl.dataquery?.outputs ?? {};
  return Object.fromEntries(Object.entries(outputs).map(([name, out]) => [name, out.default ?? null]));
}
