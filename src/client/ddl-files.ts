/** Finds and reads agent DDLs: the config's libdirs first (`<libdir>/mcollective/agent/<name>.ddl|.json`), then the bundled `ddl/`. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Config } from "../config/index.js";
import { parseDdl, type Ddl } from "../ddl/index.js";

/** The repository's `ddl/` folder (this file runs from `dist/src/client/`). */
export const BUNDLED_DDL_DIR = fileURLToPath(new URL("../../../ddl/", import.meta.url));

/** Every place an agent DDL may live, in search order. */
export function agentDdlCandidates(config: Config, agent: string): string[] {
  const fromLibdirs = config.libdirs.flatMap((dir) => [
    join(dir, "mcollective", "agent", `${agent}.ddl`),
    join(dir, "mcollective", "agent", `${agent}.json`),
  ]);
  return [...fromLibdirs, join(BUNDLED_DDL_DIR, `${agent}.ddl`), join(BUNDLED_DDL_DIR, `${agent}.json`)];
}

/** The agent's DDL, or undefined when none is installed (mco then sends values as strings). */
export function loadAgentDdl(config: Config, agent: string): Ddl | undefined {
  const file = agentDdlCandidates(config, agent).find((f) => existsSync(f));
  return file === undefined ? undefined : parseDdl(readFileSync(file, "utf8"), file);
}
