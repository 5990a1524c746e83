/** Reads a config file and its `plugin.d/` folder from disk into a Config (the module's only file I/O). */
import { accessSync, constants, existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { hostname } from "node:os";
import { Config } from "./config.js";
import { ConfigError, ConfigEntry, parseConfigText } from "./parse.js";
import { ConfigRole, configCandidates } from "./locate.js";

/** Loads `file` plus `<dir>/plugin.d/*.cfg|*.conf` (`plugin.d/puppet.cfg: command = x` → `plugin.puppet.command`). */
export function loadConfig(file: string, host = hostname()): Config {
  if (!existsSync(file)) throw new ConfigError(`Cannot find config file '${file}'`);
  const entries: ConfigEntry[] = parseConfigText(readFileSync(file, "utf8"), file);
  const pluginDir = join(dirname(file), "plugin.d");
  if (existsSync(pluginDir)) {
    for (const name of readdirSync(pluginDir).sort()) {
      const match = /^(.+)\.(cfg|conf)$/.exec(name);
      if (!match) continue;
      const path = join(pluginDir, name);
      entries.push(...parseConfigText(readFileSync(path, "utf8"), path, `plugin.${match[1]}.`));
    }
  }
  return new Config(entries, file, host);
}

/** The config file to use: the explicit one, else the first readable default for the role. */
export function findConfigFile(role: ConfigRole, explicit?: string): string {
  if (explicit) return explicit;
  const candidates = configCandidates(role);
  for (const path of candidates) {
    try {
      accessSync(path, constants.R_OK);
      return path;
    } catch {
      // not readable: try the next one
    }
  }
  throw new ConfigError(`Cannot find a ${role} config file; tried ${candidates.join(", ")} (use --config FILE)`);
}
