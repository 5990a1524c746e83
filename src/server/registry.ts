/**
 * Finding agents: `<libdir>/mcollective/agent/<name>.{ddl,json,rb}`, Forge-module layouts under a libdir
 * (`<module>/files/mcollective/agent/`, `<module>/lib/mcollective/agent/`), then the bundled `ddl/` and
 * `compat/agents/`. The first place that has a file of a kind wins, so a site's copy overrides a bundled one.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, extname, join } from "node:path";
import type { Config } from "../config/index.js";
import type { Ddl } from "../ddl/index.js";
import { readDdlFile } from "../ddl-ruby/index.js";
import { POOL_KEYS } from "../shim/index.js";
import { RESERVED_AGENTS } from "../agents/index.js";
import { PACKAGE_ROOT } from "../package-root.js";

/** The files found for one agent name. */
export interface AgentFiles {
  name: string;
  ddlFile?: string;
  rb?: string;
}

/** An agent ready to serve: its DDL, and whether Node or a Ruby worker runs it. */
export interface LoadedAgent {
  name: string;
  ddl: Ddl;
  ddlFile: string;
  kind: "native" | "ruby";
  rb?: string;
}

export interface AgentProblem {
  agent: string;
  reason: string;
}

/** The repository's root, where `ddl/` and `compat/` live (this file runs from `dist/src/server/`). */
const BUNDLED_DIRS = [join(PACKAGE_ROOT, "ddl"), join(PACKAGE_ROOT, "compat", "agents", "mcollective", "agent")];
/** Where Debian's mcollective-common keeps the core rpcutil DDL: a last resort for the native agents. */
const SYSTEM_AGENT_DIR = "/usr/lib/ruby/vendor_ruby/mcollective/agent";

/** Every folder that may hold agent files, most important first. */
export function agentDirs(libdirs: string[]): string[] {
  const dirs: string[] = [];
  for (const libdir of libdirs) {
    dirs.push(join(libdir, "mcollective", "agent"), join(libdir, "files", "mcollective", "agent"), join(libdir, "lib", "mcollective", "agent"));
    for (const module of subfolders(libdir)) {
      dirs.push(join(module, "files", "mcollective", "agent"), join(module, "lib", "mcollective", "agent"));
    }
  }
  return [...dirs, ...BUNDLED_DIRS, SYSTEM_AGENT_DIR].filter(isDir);
}

/** The agent files found in `dirs`, by agent name; the first file of each kind wins. */
export function findAgentFiles(dirs: string[]): Map<string, AgentFiles> {
  const found = new Map<string, AgentFiles>();
  for (const dir of dirs) {
    for (const file of readdirSync(dir).sort()) {
      const ext = extname(file);
      if (![".ddl", ".json", ".rb"].includes(ext)) continue;
      const name = basename(file, ext);
      const entry = found.get(name) ?? { name };
      if (ext === ".rb") entry.rb ??= join(dir, file);
      else entry.ddlFile ??= join(dir, file);
      found.set(name, entry);
    }
  }
  return found;
}

/**
 * Reads the DDL of every agent found and decides who runs it. An agent that cannot serve (no DDL, unreadable DDL,
 * no implementation, deactivated in the config) is reported with the reason and left out; the others load.
 */
export function resolveAgents(config: Config, files: Map<string, AgentFiles>, native: string[]): { agents: LoadedAgent[]; problems: AgentProblem[] } {
  const agents: LoadedAgent[] = [];
  const problems: AgentProblem[] = [];
  const defaultActive = config.bool("activate_agents", true);
  for (const entry of [...files.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const { name } = entry;
    const isNative = native.includes(name);
    if (!isNative && RESERVED_AGENTS.includes(name)) continue;
    if (!entry.ddlFile) {
      // A native agent's Ruby file (Debian ships discovery.rb) is not an agent to run.
      if (!isNative) problems.push({ agent: name, reason: `no DDL file (${name}.ddl or ${name}.json) next to ${entry.rb}` });
      continue;
    }
    let ddl: Ddl;
    try {
      // Ruby the pure reader cannot evaluate is read by Ruby rather than leaving the agent out.
      ddl = readDdlFile(entry.ddlFile, { ruby: config.get(POOL_KEYS.ruby) ?? "ruby" });
    } catch (err) {
      problems.push({ agent: name, reason: `cannot read DDL ${entry.ddlFile}: ${(err as Error).message}` });
      continue;
    }
    if (ddl.pluginType !== "agent") continue;
    const active = config.get(`plugin.${name}.activate_agent`);
    if (!isNative && (active === undefined ? !defaultActive : !config.bool(`plugin.${name}.activate_agent`))) {
      problems.push({ agent: name, reason: "deactivated by activate_agent in the config" });
      continue;
    }
    if (isNative) agents.push({ name, ddl, ddlFile: entry.ddlFile, kind: "native" });
    else if (entry.rb) agents.push({ name, ddl, ddlFile: entry.ddlFile, kind: "ruby", rb: entry.rb });
    else problems.push({ agent: name, reason: `DDL ${entry.ddlFile} has no implementation (${name}.rb not found)` });
  }
  if (native.includes("discovery") && !agents.some((a) => a.name === "discovery")) {
    agents.push({ name: "discovery", ddl: DISCOVERY_DDL, ddlFile: "(built in)", kind: "native" });
  }
  return { agents: agents.sort((a, b) => a.name.localeCompare(b.name)), problems };
}

/** The discovery agent is not SimpleRPC and may have no DDL anywhere; this is what it reports about itself. */
const DISCOVERY_DDL: Ddl = {
  pluginType: "agent",
  metadata: {
    name: "discovery",
    description: "Discovery Agent",
    author: "mcompat",
    license: "Apache-2.0",
    version: "1.0",
    url: "https://choria.io",
    timeout: 2,
  },
  actions: {},
};

function subfolders(dir: string): string[] {
  if (!isDir(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((name) => join(dir, name))
    .filter((path) => isDir(path) && (existsSync(join(path, "files")) || existsSync(join(path, "lib"))));
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
