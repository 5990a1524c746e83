/**
 * The one home of the Forge layout: an agent's plugin files become a `mcollective_agent_<name>` module as
 * `mco plugin package` built them (files/mcollective/..., data/plugin.yaml, hiera.yaml, manifests/init.pp calling
 * choria/mcollective's `mcollective::module_plugin`, metadata.json), with the Choria JSON DDL beside the Ruby one,
 * as a folder or as a release .tar.gz. Modules hold real copies, because Puppet's file server and the Forge refuse
 * symlinks.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { stringify as yamlStringify } from "yaml";
import { rubyPrettyJson, toJsonDdl, type Ddl } from "../ddl/index.js";
import { moduleHieraYaml, moduleDefaultsYaml, moduleManifest, moduleReadme } from "./forge-templates.js";
import { bundledPlugins } from "./forge-sources.js";

/** One agent's plugin: its files keyed by their path under mcollective/ (agent/x.rb, util/x/y.rb, ...), and its DDL. */
export interface AgentPlugin {
  ddl: Ddl;
  files: Map<string, string>;
  /** Hiera keys that replace or join the generated data/plugin.yaml (an agent folder's `.plugin.yaml`). */
  overrides?: Record<string, unknown>;
  /** Files laid into the module last, over anything generated, keyed by their path in it (an agent folder's `puppet/`). */
  extras?: Map<string, Buffer>;
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
export function forgeModule(plugin: AgentPlugin, opts: ForgeOptions = {}): Map<string, string | Buffer> {
  const name = moduleName(plugin);
  const agent = plugin.ddl.metadata.name;
  const files = new Map(plugin.files);
  // A JSON DDL the author wrote is kept, as the packager did; otherwise it is made from the Ruby one.
  if (!files.has(`agent/${agent}.json`)) files.set(`agent/${agent}.json`, `${rubyPrettyJson(toJsonDdl(plugin.ddl))}\n`);
  const sorted = [...files.keys()].sort();
  const out = new Map<string, string | Buffer>();
  for (const file of sorted) out.set(`files/mcollective/${file}`, files.get(file)!);

  // Each Hiera key with its rendered YAML; an override keeps the generated key's place, as a Ruby Hash#merge does.
  const hiera = new Map<string, string>([[`${name}::config_name`, `${name}::config_name: ${yamlString(agent.toLowerCase())}`]]);
  for (const role of ["common", "server", "client"] as const) {
    const ofRole = sorted.filter((f) => roleOf(f) === role);
    hiera.set(`${name}::${role}_files`, yamlList(`${name}::${role}_files`, ofRole));
    hiera.set(`${name}::${role}_directories`, yamlList(`${name}::${role}_directories`, nestedDirs(ofRole)));
  }
  // An external agent's program is the one file module_plugin lays with the executable mode.
  const external = plugin.ddl.metadata.provider === "external" && files.has(`agent/${agent}`) ? [`agent/${agent}`] : [];
  hiera.set(`${name}::executable_files`, yamlList(`${name}::executable_files`, external));
  for (const [key, value] of Object.entries(plugin.overrides ?? {})) hiera.set(key, yamlStringify({ [key]: value }).trimEnd());
  out.set("data/plugin.yaml", `---\n${[...hiera.values()].join("\n")}\n`);
  out.set("data/defaults.yaml", moduleDefaultsYaml(name));
  out.set("hiera.yaml", moduleHieraYaml());
  out.set("manifests/init.pp", moduleManifest(name));
  out.set("README.md", moduleReadme(name, plugin.ddl));
  out.set("metadata.json", `${JSON.stringify(metadata(plugin.ddl, name, opts), null, 2)}\n`);
  for (const [file, content] of plugin.extras ?? []) out.set(file, content);
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

/**
 * Packs a module folder written by writeForgeModule as the release a Forge or `puppet module install` takes,
 * `<outDir>/<name>-<version>.tar.gz` with everything under one `<name>-<version>/` folder (what `pdk build` made for
 * `mco plugin package`), named from the module's final metadata.json; returns its path. Needs GNU tar.
 */
export function writeForgeRelease(outDir: string, moduleDir: string): string {
  const meta = parseMetadata(readFileSync(join(moduleDir, "metadata.json")));
  const release = `${meta.name}-${meta.version}`;
  const tarball = join(outDir, `${release}.tar.gz`);
  const folder = basename(moduleDir);
  // The module's folder name holds only [a-z0-9_], so it needs no escaping in tar's rename expression.
  execFileSync("tar", ["--create", "--gzip", "--file", tarball, "--sort=name", "--owner=0", "--group=0", "--numeric-owner",
    `--transform=s,^${folder},${release},`, "-C", dirname(moduleDir), folder], { stdio: ["ignore", "ignore", "pipe"] });
  return tarball;
}

/** The Forge name and version a module's metadata.json gives (an agent folder's puppet/ may have replaced it). */
function parseMetadata(text: Buffer): { name: string; version: string } {
  let meta: { name?: unknown; version?: unknown } = {};
  try {
    meta = JSON.parse(String(text)) as typeof meta;
  } catch (err) {
    throw new Error(`the module's metadata.json is not JSON: ${(err as Error).message}`);
  }
  if (typeof meta.name !== "string" || !/^[a-z0-9]+[-/][a-z][a-z0-9_]*$/i.test(meta.name) || typeof meta.version !== "string" || !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(meta.version)) {
    throw new Error(`the module's metadata.json needs a name "<author>-<module>" and a version "x.y.z" (has ${JSON.stringify(meta.name)} and ${JSON.stringify(meta.version)})`);
  }
  return { name: meta.name.replace("/", "-"), version: meta.version };
}

/** Writes the bundled agents' modules under `outDir`, the same way as any site's agent; returns the folders. */
export function writeForgeModules(outDir: string): string[] {
  return bundledPlugins().map((plugin) => writeForgeModule(outDir, plugin));
}
