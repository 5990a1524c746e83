/**
 * Which application plugins the client's libdirs hold (`<libdir>/mcollective/application/<name>.rb`), found without
 * starting Ruby: a plain `mco rpc` only checks that no such file exists.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../../config/index.js";
import { shellSplit } from "./argv.js";

/** The bundled applications that win over a Ruby application of the same name. */
export const NATIVE_FIRST = ["package", "puppet", "service"];

/** The client config as `-c`/`--config` (on the command line or in MCOLLECTIVE_EXTRA_OPTS) names it; undefined when unreadable. */
export async function clientConfigFor(argv: string[], env: NodeJS.ProcessEnv): Promise<Config | undefined> {
  const words = [...argv, ...(env.MCOLLECTIVE_EXTRA_OPTS ? shellSplit(env.MCOLLECTIVE_EXTRA_OPTS) : [])];
  let explicit: string | undefined;
  for (const [i, word] of words.entries()) {
    if (word === "-c" || word === "--config") explicit = words[i + 1];
    else if (word.startsWith("--config=")) explicit = word.slice("--config=".length);
    else if (/^-c./.test(word)) explicit = word.slice(2);
    if (explicit !== undefined) break;
  }
  try {
    const { findConfigFile, loadConfig } = await import("../../config/index.js");
    return loadConfig(findConfigFile("client", explicit));
  } catch {
    return undefined;
  }
}

/**
 * The libdirs that may hold site plugins. A libdir holding an MCollective library itself (its `mcollective.rb` beside
 * `mcollective/`, as Debian's vendor_ruby) brings that library's core applications, which our mco implements and our
 * compat layer refuses to load in Ruby (mcollective/legacy_guard.rb).
 */
function pluginLibdirs(config: Config): string[] {
  return config.libdirs.filter((dir) => !existsSync(join(dir, "mcollective.rb")));
}

/** The plugin file of application `name`, first libdir first; undefined when none has it. */
export function rubyApplicationFile(config: Config, name: string): string | undefined {
  if (!/^\w+$/.test(name)) return undefined;
  return pluginLibdirs(config).map((dir) => join(dir, "mcollective", "application", `${name}.rb`)).find((file) => existsSync(file));
}

export interface RubyApplication {
  name: string;
  description: string;
}

/** Every application plugin in the libdirs, with the `description` its class declares ("" when it is not a plain string). */
export function rubyApplications(config: Config): RubyApplication[] {
  const seen = new Map<string, string>();
  for (const dir of pluginLibdirs(config)) {
    const folder = join(dir, "mcollective", "application");
    if (!existsSync(folder)) continue;
    for (const file of readdirSync(folder).filter((f) => /^\w+\.rb$/.test(f))) {
      const name = file.slice(0, -3);
      if (seen.has(name)) continue;
      const declared = /^\s*description\s*\(?\s*(["'])(.*?)\1/m.exec(readFileSync(join(folder, file), "utf8"));
      seen.set(name, declared?.[2] ?? "");
    }
  }
  return [...seen].map(([name, description]) => ({ name, description }));
}
