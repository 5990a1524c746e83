/**
 * The bundled agents as Forge modules (`mcollective_agent_<name>/`), built from their sources
 * (compat/agents/mcollective/** and ddl/<name>.ddl) as real copies: Puppet's file server and the Forge refuse symlinks.
 * They are a build product (`dist/forge/` after `npm ci`, or `mcompat forge DIR`), so the sources exist once.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseDdl, rubyPrettyJson, toJsonDdl } from "../ddl/index.js";
import { PACKAGE_ROOT } from "../package-root.js";
import { BUNDLED_LIBDIR } from "./bundled.js";

/** Plugin files (paths under mcollective/) each module ships; the agent's .rb is its only server-only file. */
const MODULES: Record<string, { version: string; summary: string; files: RegExp }> = {
  package: { version: "5.5.1", summary: "Manage Operating System Packages",
    files: /^(agent\/package\.rb|util\/package\/.*|validator\/package_name\..*|data\/package_data\..*)$/ },
  service: { version: "4.1.0", summary: "Manages Operating System Services",
    files: /^(agent\/service\.rb|util\/service\/.*|validator\/service_name\..*|data\/service_data\..*)$/ },
  puppet: { version: "2.5.0", summary: "Manages the Life Cycle of the Puppet Agent",
    files: /^(agent\/puppet\.rb|util\/puppet_agent_mgr\.rb|util\/puppet_server_address_validation\.rb|validator\/puppet_.*|data\/(puppet|resource)_data\..*)$/ },
};

function walk(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => entry.isDirectory()
    ? walk(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`]);
}

function list(key: string, items: string[]): string {
  return `${key}:\n${items.map((i) => `  - ${i}\n`).join("")}`;
}

/** Every file of every module, keyed by its path under the output folder. */
export function forgeFiles(): Map<string, string> {
  const sources = walk(join(BUNDLED_LIBDIR, "mcollective")).sort();
  const out = new Map<string, string>();
  for (const [name, spec] of Object.entries(MODULES)) {
    const base = `mcollective_agent_${name}`;
    const plugin = new Map(sources.filter((f) => spec.files.test(f)).map((f) => [f, readFileSync(join(BUNDLED_LIBDIR, "mcollective", f), "utf8")]));
    const ddlFile = join(PACKAGE_ROOT, "ddl", `${name}.ddl`);
    const ddlText = readFileSync(ddlFile, "utf8");
    plugin.set(`agent/${name}.ddl`, ddlText);
    plugin.set(`agent/${name}.json`, `${rubyPrettyJson(toJsonDdl(parseDdl(ddlText, ddlFile)))}\n`);
    for (const [file, content] of plugin) out.set(`${base}/files/mcollective/${file}`, content);
    const server = [`agent/${name}.rb`];
    const common = [...plugin.keys()].filter((f) => !server.includes(f)).sort();
    const dirs = [...new Set(common.map((f) => dirname(f)).filter((d) => d.includes("/")))];
    out.set(`${base}/metadata.json`, `${JSON.stringify({ name: `mcompat-mcollective_agent_${name}`, version: spec.version,
      author: "mcompat", summary: spec.summary, license: "Apache-2.0", source: "compat/agents in mcompat",
      dependencies: [{ name: "choria/mcollective", version_requirement: ">= 0.14.5 < 2.0.0" }] }, null, 2)}\n`);
    out.set(`${base}/data/plugin.yaml`, `---\n${base}::config_name: ${name}\n${list(`${base}::common_files`, common)}` +
      `${list(`${base}::server_files`, server)}${list(`${base}::common_directories`, dirs)}`);
    out.set(`${base}/manifests/init.pp`, `# The ${name} agent, deployed by choria/mcollective's module_plugin.
class ${base} (
  String $config_name,
  Array[String] $common_files = [],
  Array[String] $server_files = [],
  Array[String] $common_directories = [],
  Hash $config = {},
  Boolean $server = true,
  Boolean $client = true,
) {
  mcollective::module_plugin { $name:
    config_name        => $config_name,
    common_files       => $common_files,
    server_files       => $server_files,
    common_directories => $common_directories,
    config             => $config,
    server             => $server,
    client             => $client,
  }
}
`);
  }
  return out;
}

/** Writes every module under `outDir`; returns the module folders written. */
export function writeForgeModules(outDir: string): string[] {
  for (const [file, content] of forgeFiles()) {
    mkdirSync(dirname(join(outDir, file)), { recursive: true });
    writeFileSync(join(outDir, file), content);
  }
  return Object.keys(MODULES).map((name) => join(outDir, `mcollective_agent_${name}`));
}
