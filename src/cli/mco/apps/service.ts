/** `mco service <service> <action>`: start, stop, restart and report services with the service agent. */
import type { RpcResult } from "../../../client/index.js";
import { UsageError } from "../argv.js";
import type { Application } from "../app.js";
import { actionAndTarget, confirmUnfiltered, YES_OPTION } from "../agent-app.js";
import { callAgent, reportBySender } from "../agent-call.js";
import { rubyToS } from "../../../ruby/index.js";
import type { Session } from "../session.js";

const SERVICE_ACTIONS = ["start", "stop", "restart", "status"];

/** What one successful reply shows: status always for `status`/`-v`, otherwise only nodes not in the wanted state. */
export function serviceLine(action: string, verbose: boolean, r: RpcResult): string | undefined {
  const status = rubyToS(r.data.status);
  if (verbose || action === "status") return status;
  const wanted = action === "stop" ? "stopped" : "running";
  return status === wanted ? undefined : status;
}

export const service: Application = {
  name: "service",
  description: "Manages system services",
  usage: ["mco service <SERVICE> <ACTION>"],
  options: [YES_OPTION],
  sections: ["rpc", "common", "filters"],
  async run(session: Session): Promise<number> {
    const { action, target } = actionAndTarget(session.positionals, SERVICE_ACTIONS);
    if (action === undefined || target === undefined) throw new UsageError("Please specify service name and action");
    if (!SERVICE_ACTIONS.includes(action)) throw new UsageError("Action has to be one of start, stop, restart or status");
    if (action !== "status" && !(await confirmUnfiltered(session, "services"))) return 1;
    const run = await callAgent(session, "service", action, { service: target });
    return reportBySender(session, run, (r) => serviceLine(action, session.verbose, r), `${action} Service results`);
  },
};
