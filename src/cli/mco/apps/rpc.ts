/** `mco rpc`: call any action of any agent, arguments typed and validated by the agent's DDL. */
import { UsageError } from "../argv.js";
import type { Application } from "../app.js";
import type { Session } from "../session.js";
import { checkInputs } from "../agent-call.js";

const KEY_VALUE = /^(.+?)=(.+)$/s;

/** Agent, action and raw `key=value` arguments from mco rpc's two argument forms. */
export function rpcRequestFromArgs(
  values: { agent?: string; action?: string; arguments?: string[] },
  positionals: string[],
): { agent: string; action: string; args: Record<string, string> } {
  const pairs: string[] = [];
  for (const arg of values.arguments ?? []) {
    if (!KEY_VALUE.test(arg)) throw new UsageError(`Validation of arguments failed: Could not parse --arg ${arg} should be of the form key=val`);
    pairs.push(arg);
  }
  let { agent, action } = values;
  // With both --agent and --action given, positional words are ignored, as mco does.
  if (agent === undefined || action === undefined) {
    if (positionals.length < 2) throw new UsageError("No agent, action and arguments specified");
    [agent, action] = positionals;
    for (const word of positionals.slice(2)) {
      if (!KEY_VALUE.test(word)) throw new UsageError(`Could not parse --arg ${word}`);
      pairs.push(word);
    }
  }
  const args: Record<string, string> = {};
  for (const pair of pairs) {
    const [, key, value] = KEY_VALUE.exec(pair)!;
    args[key] = value;
  }
  return { agent, action, args };
}

export const rpc: Application = {
  name: "rpc",
  description: "Generic RPC agent client application",
  usage: [
    "mco rpc [options] [filters] --agent <agent> --action <action> [--argument <key=val> --argument ...]",
    "mco rpc [options] [filters] <agent> <action> [<key=val> <key=val> ...]",
  ],
  options: [
    { key: "noResults", flags: ["--no-results", "--nr"], description: "Do not process results, just send request" },
    { key: "agent", flags: ["-a", "--agent"], arg: "AGENT", description: "Agent to call" },
    { key: "action", flags: ["--action"], arg: "ACTION", description: "Action to call" },
    { key: "arguments", flags: ["--arg", "--argument"], arg: "ARGUMENT", description: "Arguments to pass to agent", repeat: true },
  ],
  sections: ["rpc", "common", "filters"],
  async run(session: Session): Promise<number> {
    const { agent, action, args } = rpcRequestFromArgs(session.values as { agent?: string; action?: string; arguments?: string[] }, session.positionals);
    const { loadAgentDdl } = await import("../../../client/index.js");
    const ddl = loadAgentDdl(await session.config(), agent);
    let data: Record<string, unknown> = args;
    if (ddl) {
      const { coerceCliValue, DdlError } = await import("../../../ddl/index.js");
      const actionDdl = ddl.actions[action];
      if (!actionDdl) throw new DdlError(`Attempted to call action ${action} for ${agent} but it's not declared in the DDL`);
      data = Object.fromEntries(
        Object.entries(args).map(([key, raw]) => [key, actionDdl.inputs[key] ? coerceCliValue(actionDdl.inputs[key], key, raw) : raw]),
      );
      data = await checkInputs(session, ddl, action, data);
    }
    const replyTo = session.values.replyTo;
    if (session.values.noResults || replyTo !== undefined) {
      const client = await session.client();
      const discovery = await session.discover(agent, false);
      const call = client.call(agent, action, data, { discovery, processResults: !session.values.noResults, replyTo });
      await call.collect();
      session.io.stdout.write(`Request sent with id: ${call.stats.requestid}${replyTo !== undefined ? ` replies to ${replyTo}` : ""}\n`);
      return 0;
    }
    return session.runRpc(agent, action, data, {
      action: ddl?.actions[action],
      agentTimeoutSec: ddl?.metadata.timeout,
      caption: `${agent}#${action} call stats`,
    });
  },
};
