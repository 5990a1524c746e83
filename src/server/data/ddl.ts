/** Building the bundled data plugins' DDLs in the `src/ddl` model, and a query result's starting values. */
import type { Ddl, InputDdl, OutputDdl } from "../../ddl/index.js";

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
    dataquery: { name: "query", description: spec.description, display: "always", inputs, outputs: spec.outputs, aggregates: [] },
  };
}

/** Every output of a data DDL at its default (or null), as a legacy `Data::Result` starts. */
export function queryDefaults(ddl: Ddl): Record<string, unknown> {
  const outputs = ddl.dataquery?.outputs ?? {};
  return Object.fromEntries(Object.entries(outputs).map(([name, out]) => [name, out.default ?? null]));
}
