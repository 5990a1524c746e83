/** Fixture agents (fixtures/agents, a libdir) and AgentCall builders for the shim tests. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundledAgents, type AgentCall, type AgentFiles } from "../../src/shim/index.js";

export const FIXTURE_LIBDIR = fileURLToPath(new URL("../../../fixtures/agents/", import.meta.url));

/** The .rb and .ddl of a fixture agent. */
export function fixtureAgent(agent: string): AgentFiles {
  const dir = join(FIXTURE_LIBDIR, "mcollective", "agent");
  return { agent, rb: join(dir, `${agent}.rb`), ddl: join(dir, `${agent}.ddl`) };
}

/** A bundled agent: Ruby in compat/agents, DDL in ddl/. */
export function bundledAgent(agent: string): AgentFiles {
  const found = bundledAgents().find((a) => a.agent === agent);
  if (!found) throw new Error(`no bundled agent ${agent}`);
  return found;
}

/** A validated request as the server would hand it to the pool. */
export function agentCall(agent: string, action: string, data: Record<string, unknown> = {}, timeoutSec = 60): AgentCall {
  return { agent, action, data, caller: "choria=tester.mcollective", requestid: "0123456789abcdef0123456789abcdef",
    sender: "tester.example", collective: "mcollective", timeoutSec };
}

/** True while a process with this pid runs (a zombie waiting for its reaper counts as gone). */
export function processAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}
