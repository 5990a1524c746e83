/**
 * The one home of the Forge layout: an agent's plugin files become a `mcollective_agent_<name>` module as
 * `mco plugin package` built them (files/mcollective/..., data/plugin.yaml, hiera.yaml, manifests/init.pp calling
 * choria/mcollective's `mcollective::module_plugin`, metadata.json), with the Choria JSON DDL beside the Ruby one.
 * Modules hold real copies, because Puppet's file server and the Forge refuse symlinks.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { rubyPrettyJson, toJsonDdl, type Ddl } from "../ddl/index.js";
import { moduleHieraYaml, moduleDefaultsYaml, moduleManifest, moduleReadme } from "./forge-templates.js";
import { bundledPlugins } from "./forge-sources.js";

/** One agent's plugin: its files keyed by their path under mcollective/ (agent/x.rb, util/x/y.rb, ...), and its DDL. */
export interface AgentPlugin {
  ddl: Ddl;
  files: Map<string, string>;
}

export interface ForgeOptions {
  /** The Forge author part of metadata.json's name (`<vendor>-mcollective_agent_<name>`). */
  vendor?: string;
  /** Overrides the DDL's metadata version. */
  version?: string;
}

export type PluginRole = "server" | "client" | "common";

/** Which module_plugin list a file belongs to, as mco plugin package sorted them: the agent's code is server-only. */
export function roleOf(file: string): PluginRole {
  if (/^agent\/.*\.(ddl|json)$/.test(file)) return "common";
  if (file.startsWith("agent/")) return "server";
  if (/^(application|aggregate)\//.test(file)) return "client";
  return "common";
}

export function moduleName(plugin: AgentPlugin): string {
  return `mcollective_agent_${plugin.ddl.metadata.name.toLowerCase().replace(/-/g, "_")}`;
}

/** Every file of the module, keyed by its path inside the module folder. */
export function forgeModule(plugin: AgentPlugin, opts: ForgeOptions = {}): Map<string, string> {
  const name = moduleName(plugin);
  const agent = plugin.ddl.metadata.name;
  const files = new Map(plugin.files);
  // A JSON DDL the author wrote is kept, as the packager did; otherwise it is made from the Ruby one.
  if (!files.has(`agent/${agent}.json`)) files.set(`agent/${agent}.json`, `${rubyPrettyJson(toJsonDdl(plugin.ddl))}\n`);
  const sorted = [...files.keys()].sort();
  const out = new Map<string, string>();
  for (const file of sorted) out.set(`files/mcollective/${file}`, files.get(file)!);

  const hiera: string[] = [`---`, `${name}::config_name: ${yamlString(agent.toLowerCase())}`];
  for (const role of ["common", "server", "client"] as const) {
    const ofRole = sorted.filter((f) => roleOf(f) === role);
    hiera.push(yamlList(`${name}::${role}_files`, ofRole), yamlList(`${name}::${role}_directories`, nestedDirs(ofRole)));
  }
  // An external agent's program is the one file module_plugin lays with the executable mode.
  const external = plugin.ddl.metadata.provider === "external" && files.has(`agent/${agent}`) ? [`agent/${agent}`] : [];
  hiera.push(yamlList(`${name}::executable_files`, external));
  out.set("data/plugin.yaml", `${hiera.join("\n")}\n`);
  out.set("data/defaults.yaml", moduleDefaultsYaml(name));
  out.set("hiera.yaml", moduleHieraYaml());
  out.set("manifests/init.pp", moduleManifest(name));
  out.set("README.md", moduleReadme(name, plugin.ddl));
  out.set("metadata.json", `${JSON.stringify(metadata(plugin.ddl, name, opts), null, 2)}\n`);
  return out;
}

function metadata(ddl: Ddl, name: string, opts: ForgeOptions): object {
  const vendor = opts.vendor ?? "mcompat";
  if (!/^[a-z0-9]+$/i.test(vendor)) throw new Error(`vendor '${vendor}' is not a Forge author name (letters and digits only)`);
  const meta = ddl.metadata;
  return {
    name: `${vendor}-${name}`,
    version: opts.version ?? meta.version,
    author: meta.author,
    license: meta.license,
    summary: meta.description,
    source: meta.url,
    project_page: meta.url,
    dependencies: [{ name: "choria/mcollective", version_requirement: ">= 0.14.5 < 2.0.0" }],
    requirements: [{ name: "puppet", version_requirement: ">= 7.0.0 < 9.0.0" }],
  };
}

/** Folders below a plugin type folder (util/package, not util), which module_plugin creates before the files. */
function nestedDirs(files: string[]): string[] {
  const dirs = new Set<string>();
  for (const file of files) {
    for (let dir = dirname(file); dir.includes("/"); dir = dirname(dir)) dirs.add(dir);
  }
  return [...dirs].sort();
}

function yamlString(text: string): string {
  return JSON.stringify(text);
}

function yamlList(key: string, items: string[]): string {
  return items.length ? `${key}:\n${items.map((i) => `  - ${yamlString(i)}`).join("\n")}` : `${key}: []`;
}

/** Writes the module as `<outDir>/<module name>/`, replacing an earlier build so no stale file ships; returns that folder. */
export function writeForgeModule(outDir: string, plugin: AgentPlugin, opts: ForgeOptions = {}): string {
  const dir = join(outDir, moduleName(plugin));
  const files = forgeModule(plugin, opts);
  rmSync(dir, { recursive: true, force: true });
  for (const [file, content] of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
  return dir;
}

/** Writes the bundled agents' modules under `outDir`, the same way as any site's agent; returns the folders. */
export function writeForgeModules(outDir: string): string[] {
  return bundledPlugins().map((plugin) => writeForgeModule(outDir, plugin));
}
