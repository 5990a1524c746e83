/** Where plugin DDLs are found: each libdir's `mcollective/<type>/` folders, then the bundled agent DDLs in `ddl/`. */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../../config/index.js";

/** mco's plugin types in listing order, with their section titles. */
export const PLUGIN_TYPES: Array<[type: string, title: string]> = [
  ["agent", "Agents"],
  ["aggregate", "Aggregate"],
  ["connector", "Connectors"],
  ["data", "Data Queries"],
  ["discovery", "Discovery Methods"],
  ["validator", "Validator Plugins"],
];

export interface PluginDdlFile {
  type: string;
  /** As listed: the file name without extension and without a `_data`/`_validator` suffix. */
  name: string;
  file: string;
}

/** Every plugin DDL: `<libdir>/mcollective/<type>/*.ddl|*.json` for each libdir, then the bundled agent DDLs; first of a type/name wins. */
export function findPluginDdls(libdirs: string[], bundledAgentDir: string): PluginDdlFile[] {
  const found = new Map<string, PluginDdlFile>();
  const scan = (type: string, dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir).sort()) {
      const match = /^(.+)\.(ddl|json)$/.exec(entry);
      if (!match) continue;
      const name = match[1].replace(new RegExp(`_${type}$`), "");
      if (!found.has(`${type}/${name}`)) found.set(`${type}/${name}`, { type, name, file: join(dir, entry) });
    }
  };
  for (const libdir of libdirs) for (const [type] of PLUGIN_TYPES) scan(type, join(libdir, "mcollective", type));
  scan("agent", bundledAgentDir);
  return [...found.values()];
}

/** The plugin DDLs installed for this config. */
export async function installedDdls(config: Config): Promise<PluginDdlFile[]> {
  const { BUNDLED_DDL_DIR } = await import("../../client/index.js");
  return findPluginDdls(config.libdirs, BUNDLED_DDL_DIR);
}
