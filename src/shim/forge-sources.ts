/** Where agent plugins for the Forge layout come from: a plain agent folder, or the agents bundled with mcompat. */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { readDdlFile } from "../ddl-ruby/index.js";
import { PACKAGE_ROOT } from "../package-root.js";
import { BUNDLED_LIBDIR } from "./bundled.js";
import type { AgentPlugin } from "./forge.js";

/** The plugin type folders an agent folder may have; anything else in it (specs, READMEs) is not packaged. */
const PLUGIN_TYPE_DIRS = ["agent", "aggregate", "application", "data", "util", "validator"];

function walk(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith(".")) return [];
    return statSync(join(dir, entry.name)).isDirectory() ? walk(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`];
  });
}

function readFiles(root: string, names: string[]): Map<string, string> {
  return new Map(names.map((name) => [name, readFileSync(join(root, name), "utf8")]));
}

/**
 * A plain agent folder (agent/<name>.rb + <name>.ddl, and util/, validator/, application/, aggregate/, data/ as it has
 * them), with its `.plugin.yaml` Hiera overrides and the extra module files of its `puppet/` folder.
 */
export function pluginFromFolder(dir: string): AgentPlugin {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir} is not a folder`);
  const agentDir = join(dir, "agent");
  const ddls = existsSync(agentDir) ? readdirSync(agentDir).filter((f) => f.endsWith(".ddl")) : [];
  if (ddls.length !== 1) {
    throw new Error(ddls.length ? `${agentDir} has ${ddls.length} DDLs (${ddls.join(", ")}); package one agent at a time` : `cannot package ${dir}: no agent DDL in ${agentDir}`);
  }
  const ddl = readDdlFile(join(agentDir, ddls[0]));
  if (ddl.pluginType !== "agent") throw new Error(`${join(agentDir, ddls[0])} is a ${ddl.pluginType} DDL, not an agent's`);
  const name = ddl.metadata.name;
  if (`${name}.ddl` !== ddls[0]) throw new Error(`${join(agentDir, ddls[0])} names its agent '${name}'; it must be ${name}.ddl`);
  if (!existsSync(join(agentDir, `${name}.rb`)) && ddl.metadata.provider !== "external") throw new Error(`cannot package ${dir}: agent/${name}.rb is missing`);
  const names = PLUGIN_TYPE_DIRS.filter((type) => existsSync(join(dir, type))).flatMap((type) => walk(join(dir, type), `${type}/`));
  const extrasDir = join(dir, "puppet");
  const extras = existsSync(extrasDir) ? new Map(walk(extrasDir).map((file) => [file, readFileSync(join(extrasDir, file))])) : undefined;
  return { ddl, files: readFiles(dir, names), overrides: hieraOverrides(join(dir, ".plugin.yaml")), extras };
}

/** The Hiera keys an agent folder's `.plugin.yaml` sets over the generated ones, as mco plugin package merged them. */
function hieraOverrides(file: string): Record<string, unknown> | undefined {
  if (!existsSync(file)) return undefined;
  let data: unknown;
  try {
    data = parseYaml(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file} is not YAML: ${(err as Error).message}`);
  }
  if (data === null) return undefined;
  if (typeof data !== "object" || Array.isArray(data)) throw new Error(`${file} must hold a mapping of Hiera keys to values`);
  return data as Record<string, unknown>;
}

/** Which files of the shared bundled libdir belong to each bundled agent: each deploys as its own module. */
const BUNDLED_FILES: Record<string, RegExp> = {
  package: /^(agent\/package\.rb|util\/package\/.*|validator\/package_name\..*|data\/package_data\..*)$/,
  service: /^(agent\/service\.rb|util\/service\/.*|validator\/service_name\..*|data\/service_data\..*)$/,
  puppet: /^(agent\/puppet\.rb|util\/puppet_agent_mgr\.rb|util\/puppet_server_address_validation\.rb|validator\/puppet_.*|data\/(puppet|resource)_data\..*)$/,
};

/** The bundled package, service and puppet agents: Ruby from compat/agents/mcollective, DDLs from ddl/. */
export function bundledPlugins(): AgentPlugin[] {
  const root = join(BUNDLED_LIBDIR, "mcollective");
  const sources = walk(root);
  return Object.entries(BUNDLED_FILES).map(([name, pattern]) => {
    const files = readFiles(root, sources.filter((f) => pattern.test(f)));
    const ddlFile = join(PACKAGE_ROOT, "ddl", `${name}.ddl`);
    files.set(`agent/${name}.ddl`, readFileSync(ddlFile, "utf8"));
    return { ddl: readDdlFile(ddlFile, { ruby: false }), files };
  });
}
