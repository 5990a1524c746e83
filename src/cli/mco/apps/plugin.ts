/** `mco plugin doc [name | type/name]`: list the installed plugin DDLs or render one as `mco plugin doc` does. */
import { readFileSync } from "node:fs";
import { UsageError } from "../argv.js";
import type { Application } from "../app.js";
import { installedDdls, PLUGIN_TYPES, type PluginDdlFile } from "../plugin-ddls.js";
import type { Session } from "../session.js";

/** The listing printed by `mco plugin doc` without a name; DDLs that fail to parse are reported at the end. */
export async function pluginListing(files: PluginDdlFile[]): Promise<string> {
  const { parseDdl } = await import("../../../ddl/index.js");
  const errors: string[] = [];
  let text = "Please specify a plugin. Available plugins are:\n\n";
  for (const [type, title] of PLUGIN_TYPES) {
    text += `${title}:\n`;
    for (const f of files.filter((p) => p.type === type).sort((a, b) => a.name.localeCompare(b.name))) {
      try {
        const ddl = parseDdl(readFileSync(f.file, "utf8"), f.file);
        text += `  ${f.name.padEnd(25)} ${ddl.metadata.description}\n`;
      } catch (err) {
        errors.push(`  ${`${type}/${f.name}`.padEnd(25)} ${(err as Error).message}\n`);
      }
    }
    text += "\n";
  }
  if (errors.length > 0) text += "Plugin Load Errors:\n" + errors.join("");
  return text;
}

/** The DDL file for `name` or `type/name`; throws mco's messages when it is missing or ambiguous. */
export function resolvePlugin(files: PluginDdlFile[], target: string): PluginDdlFile {
  const qualified = /^(.+?)\/(.+)$/.exec(target);
  if (qualified) {
    const [, type, name] = qualified;
    const hit = files.find((f) => f.type === type && f.name === name);
    if (!hit) throw new UsageError(`Could not find a '${type}' plugin named '${name}'`);
    return hit;
  }
  const hits = files.filter((f) => f.name === target);
  if (hits.length > 1) throw new UsageError("Duplicate plugin name found, please specify a full path like agent/rpcutil");
  if (hits.length === 0) throw new UsageError(`Could not find a plugin named '${target}' in any supported plugin type`);
  return hits[0];
}

export const plugin: Application = {
  name: "plugin",
  description: "MCollective Plugin Application",
  usage: ["mco plugin doc [<plugin> | <type>/<plugin>]"],
  options: [],
  sections: [],
  async run(session: Session): Promise<number> {
    const [command, target] = session.positionals;
    if (command !== "doc") {
      throw new UsageError(command === undefined ? "Please specify a plugin command: doc" : `Unsupported plugin command '${command}': only 'doc' is available`);
    }
    const files = await installedDdls(await session.config());
    if (target === undefined || target === ".") {
      session.io.stdout.write(await pluginListing(files));
      return 0;
    }
    let found: PluginDdlFile;
    try {
      found = resolvePlugin(files, target);
    } catch (err) {
      // mco aborts with just the message.
      session.io.stderr.write(`${(err as Error).message}\n`);
      return 1;
    }
    const { parseDdl, renderDoc } = await import("../../../ddl/index.js");
    session.io.stdout.write(renderDoc(parseDdl(readFileSync(found.file, "utf8"), found.file)));
    return 0;
  },
};
