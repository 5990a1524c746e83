/**
 * The steps the agent applications (facts, inventory, package, service, puppet) share: validate the request
 * against the agent's DDL, discover, call with mco's progress bar, and print the stats block with the DDL's
 * summaries. Each application then prints its own per-node lines in between.
 */
import type { Discovery, RpcResult, RpcStats } from "../../client/index.js";
import type { ActionDdl, Ddl } from "../../ddl/index.js";
import { formatJson, formatJsonWithStats } from "./output/json.js";
import { ProgressBar } from "./output/progress.js";
import { senderLines } from "./output/senders.js";
import type { Session } from "./session.js";

export interface AgentCallResult {
  results: RpcResult[];
  stats: RpcStats;
  /** The action's DDL, when the agent has one. */
  action?: ActionDdl;
}

export interface AgentCallOptions {
  /** Draw the progress bar (mco's default; `--np` still turns it off). */
  progress?: boolean;
  /** Call exactly these nodes instead of discovering. */
  nodes?: string[];
  /** Print the "Discovering hosts" line (mco does so for these applications only with `-v`). */
  announce?: boolean;
}

/** The agent's DDL (if installed) and `data` checked against it with defaults applied; throws DdlError as mco reports it. */
export async function validatedRequest(
  session: Session,
  agent: string,
  actionName: string,
  data: Record<string, unknown>,
): Promise<{ ddl?: Ddl; request: Record<string, unknown> }> {
  const { loadAgentDdl } = await import("../../client/index.js");
  const ddl = loadAgentDdl(await session.config(), agent);
  if (!ddl) return { request: data };
  const { DdlError } = await import("../../ddl/index.js");
  if (!ddl.actions[actionName]) throw new DdlError(`Attempted to call action ${actionName} for ${agent} but it's not declared in the DDL`);
  return { ddl, request: await checkInputs(session, ddl, actionName, data) };
}

/** `validateInputs` with defaults applied; in verbose mode says which checks were left to the server (unknown validators). */
export async function checkInputs(session: Session, ddl: Ddl, actionName: string, data: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { validateInputs } = await import("../../ddl/index.js");
  const notes: string[] = [];
  const request = validateInputs(ddl, actionName, data, { notes });
  if (session.verbose) for (const note of notes) session.io.stderr.write(`${note}\n`);
  return request;
}

/** Validates `data` with the agent's DDL (defaults applied), then calls `agent#action` and collects every reply. */
export async function callAgent(
  session: Session,
  agent: string,
  actionName: string,
  data: Record<string, unknown>,
  opts: AgentCallOptions = {},
): Promise<AgentCallResult> {
  const { ddl, request } = await validatedRequest(session, agent, actionName, data);
  const config = await session.config();
  const client = await session.client();
  const discovery: Discovery = opts.nodes
    ? { nodes: opts.nodes, method: client.discoveryMethodName, performed: false, timeMs: 0 }
    : await session.discover(agent, opts.announce ?? session.verbose);
  const call = client.call(agent, actionName, request, { discovery, agentTimeoutSec: ddl?.metadata.timeout });
  const wanted = (opts.progress ?? true) && session.values.noProgress !== true && !wantsJson(session);
  const progress = new ProgressBar(session.io.stdout, discovery.nodes.length, wanted, config.bool("color", true));
  const results: RpcResult[] = [];
  if (discovery.nodes.length > 0) progress.start();
  for await (const result of call) {
    results.push(result);
    progress.update(results.length);
  }
  progress.finish();
  if (session.values.sort === true) results.sort((a, b) => a.sender.localeCompare(b.sender));
  return { results, stats: call.stats, action: ddl?.actions[actionName] };
}

/** Prints mco's stderr line for a run that discovered nothing and returns the run's exit code. */
export async function noRequestSent(session: Session, stats: RpcStats): Promise<number> {
  const { haltCode } = await import("../../client/index.js");
  session.io.stderr.write("\nNo request sent, we did not discover any nodes.");
  return haltCode(stats);
}

/** printrpcstats: the stats block, led by the action's aggregate summaries when `summarize` is asked for. */
export async function statsReport(
  session: Session,
  run: AgentCallResult,
  opts: { summarize?: boolean; caption?: string } = {},
): Promise<string> {
  const paint = await session.paint(session.io.stdout);
  return session.statsText(run.stats, run.results, { action: opts.summarize ? run.action : undefined, caption: opts.caption }, paint);
}

/**
 * How package, service and puppet status end a run: JSON when asked for, else one `sender: text` line per reply and
 * the stats block led by the DDL's summaries. Resolves to the run's exit code.
 */
export async function reportBySender(session: Session, run: AgentCallResult, line: (r: RpcResult) => string | undefined, caption?: string): Promise<number> {
  const { haltCode } = await import("../../client/index.js");
  if (run.stats.noRequestSent) return noRequestSent(session, run.stats);
  if (writeJson(session, run)) return haltCode(run.stats);
  const paint = await session.paint(session.io.stdout);
  session.io.stdout.write(senderLines(run.results, line, paint) + "\n");
  session.io.stdout.write(await statsReport(session, run, { summarize: true, caption }));
  return haltCode(run.stats);
}

function wantsJson(session: Session): boolean {
  return session.values.json === true || session.values.jsonStats === true;
}

/**
 * `-j` / `--json-stats` for the applications that print their own lines (legacy mco ignored the flag there):
 * writes the results as `mco rpc -j` would and returns true, or returns false when JSON was not asked for.
 */
export function writeJson(session: Session, run: AgentCallResult): boolean {
  if (!wantsJson(session)) return false;
  const pretty = session.io.stdout.isTTY === true;
  const { agent, action } = run.stats;
  session.io.stdout.write(session.values.jsonStats ? formatJsonWithStats(agent, action, run.results, run.stats, pretty) : formatJson(run.results, pretty));
  return true;
}
