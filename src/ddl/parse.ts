/** parseDdl: one entry point for both DDL formats, with the plugin type taken from where the file lives. */
import { readJsonDdl } from "./json-ddl.js";
import type { Ddl, PluginType } from "./model.js";
import { readRubyDdl } from "./ruby-ddl.js";

const PLUGIN_DIRS = ["agent", "data", "discovery", "validator", "aggregate", "connector", "security", "audit", "registration", "util"];

/** Parses a DDL given its text; `file` names it in errors and hints its plugin type. JSON is detected by a leading `{`. */
export function parseDdl(text: string, file: string): Ddl {
  if (/^\s*\{/.test(text)) return readJsonDdl(text, file);
  return readRubyDdl(text, file, pluginTypeOf(file));
}

/** The plugin type implied by a DDL's path: `.../mcollective/<type>/x.ddl` or a `_data`/`_validator` suffix. */
export function pluginTypeOf(file: string): PluginType | undefined {
  const parts = file.split(/[\\/]/);
  const dir = parts[parts.length - 2];
  if (dir && PLUGIN_DIRS.includes(dir)) return dir;
  const base = parts[parts.length - 1];
  if (/_data\.ddl$/.test(base)) return "data";
  if (/_validator\.ddl$/.test(base)) return "validator";
  return undefined;
}
