/** `mco completion`: names for shell completion (agents, their actions and inputs, applications), one per line. */
import { readFileSync } from "node:fs";
import { UsageError } from "../argv.js";
import type { Application } from "../app.js";
import { installedDdls } from "../plugin-ddls.js";
import type { Session } from "../session.js";

interface CompletionValues {
  listAgents?: boolean;
  listActions?: boolean;
  listInputs?: boolean;
  listApplications?: boolean;
  agent?: string;
  action?: string;
}

/** `name`, or `name:description` when verbose. */
const entry = (verbose: boolean) => ([name, description]: [string, string]) => (verbose ? `${name}:${description}\n` : `${name}\n`);

export const completion: Application = {
  name: "completion",
  description: "Helper for shell completion systems",
  options: [
    { key: "listAgents", flags: ["--list-agents"], description: "List all known agents" },
    { key: "listActions", flags: ["--list-actions"], description: "List all actions for an agent" },
    { key: "listInputs", flags: ["--list-inputs"], description: "List all inputs for an action" },
    { key: "listApplications", flags: ["--list-applications"], description: "List all known applications" },
    { key: "agent", flags: ["--agent"], arg: "AGENT", description: "The agent to operate on" },
    { key: "action", flags: ["--action"], arg: "ACTION", description: "The action to operate on" },
  ],
  sections: [],
  async run(session: Session): Promise<number> {
    const v = session.values as CompletionValues;
    const chosen = [v.listAgents, v.listActions, v.listInputs, v.listApplications].filter(Boolean).length;
    if (chosen !== 1) throw new UsageError("Please choose either --list-[agents|actions|inputs|applications]");
    const show = entry(session.verbose);
    if (v.listApplications) {
      const { APPLICATIONS } = await import("./index.js");
      session.io.stdout.write(APPLICATIONS.map((a): [string, string] => [a.name, a.description]).sort().map(show).join(""));
      return 0;
    }
    const { parseDdl } = await import("../../../ddl/index.js");
    const agents = (await installedDdls(await session.config())).filter((f) => f.type === "agent");
    if (v.listAgents) {
      const rows = agents.map((f): [string, string] => [f.name, parseDdl(readFileSync(f.file, "utf8"), f.file).metadata.description]);
      session.io.stdout.write(rows.sort().map(show).join(""));
      return 0;
    }
    if (v.agent === undefined) throw new UsageError("Please specify an agent to list actions for");
    const file = agents.find((f) => f.name === v.agent);
    if (!file) return 0;
    const ddl = parseDdl(readFileSync(file.file, "utf8"), file.file);
    if (v.listActions) {
      session.io.stdout.write(Object.values(ddl.actions).map((a): [string, string] => [a.name, a.description]).sort().map(show).join(""));
      return 0;
    }
    if (v.action === undefined) throw new UsageError("Please specify an action and agent to list inputs for");
    const inputs = Object.entries(ddl.actions[v.action]?.inputs ?? {}).map(([name, input]): [string, string] => [name, input.description]);
    session.io.stdout.write(inputs.sort().map(show).join(""));
    return 0;
  },
};
