/**
 * Finds and reads agent DDLs: the config's libdirs first (`<libdir>/mcollective/agent/<name>.ddl|.json`), then the
 * bundled agents', as the build pre-parsed them into JSON (`dist/ddl/`), then as written (`ddl/`).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/index.js";
import { parseDdl, type Ddl } from "../ddl/index.js";
import { PACKAGE_ROOT } from "../package-root.js";

/** The bundled agents' DDLs as written. */
export const BUNDLED_DDL_DIR = join(PACKAGE_ROOT, "ddl");

/** The bundled DDLs as JSON: read with JSON.parse, they spare a plain `mco rpc` the Ruby-DSL reader's load and run. */
const PREPARSED_DDL_DIR = join(PACKAGE_ROOT, "dist", "ddl");

/** Every place an agent DDL may live, in search order. */
export function agentDdlCandidates(config: Config, agent: string): string[] {
  const fromLibdirs = config.libdirs.flatMap((dir) => [
    join(dir, "mcollective", "agent", `${agent}.ddl`),
    join(dir, "mcollective", "agent", `${agent}.json`),
  ]);
  return [...fromLibdirs, join(PREPARSED_DDL_DIR, `${agent}.ddl.json`), join(BUNDLED_DDL_DIR, `${agent}.ddl`)];
}

/** The agent's DDL, or undefined when none is installed (mco then sends values as strings). */
export function loadAgentDdl(config: Config, agent: string): Ddl | undefined {
  const file = agentDdlCandidates(config, agent).find((f) => existsSync(f));
  return file === undefined ? undefined : parseDdl(readFileSync(file, "utf8"), file);
}
