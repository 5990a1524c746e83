/** The agents shipped with mcompat: Ruby in compat/agents (a libdir), DDLs in ddl/. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../package-root.js";
import type { AgentFiles } from "./parent.js";

/** The libdir holding the bundled agents and their util/validator/data files. */
export const BUNDLED_LIBDIR = join(PACKAGE_ROOT, "compat", "agents");

/** package, service and puppet, each with its Ruby file and DDL. */
export function bundledAgents(): AgentFiles[] {
  return ["package", "service", "puppet"]
    .map((agent) => ({ agent, rb: join(BUNDLED_LIBDIR, "mcollective", "agent", `${agent}.rb`), ddl: join(PACKAGE_ROOT, "ddl", `${agent}.ddl`) }))
    .filter((a) => existsSync(a.rb) && existsSync(a.ddl));
}
