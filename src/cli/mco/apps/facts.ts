/** `mco facts <fact>`: how many nodes report each value of a fact (rpcutil#get_fact to every node). */
import type { RpcResult } from "../../../client/index.js";
import { UsageError } from "../argv.js";
import type { Application } from "../app.js";
import { callAgent, noRequestSent, statsReport } from "../agent-call.js";
import { rubyToS } from "../../../ruby/index.js";
import type { Session } from "../session.js";

/** The senders of each value; nil and false values are not counted, as in mco. */
export function groupFactValues(results: RpcResult[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const r of results) {
    const value = r.data?.value;
    if (value === null || value === undefined || value === false) continue;
    const key = rubyToS(value);
    groups.set(key, [...(groups.get(key) ?? []), r.sender]);
  }
  return groups;
}

/** The report: `"        %-Ws found %d times"` per value (sorted, W = max(40, longest)), senders listed with `-v`. */
export function factReport(fact: string, groups: Map<string, string[]>, verbose: boolean): string {
  if (groups.size === 0) return `No values found for fact ${fact}\n`;
  const values = [...groups.keys()].sort();
  const width = Math.max(40, ...values.map((v) => v.length));
  let text = `Report for fact: ${fact}\n\n`;
  for (const value of values) {
    const senders = groups.get(value)!;
    text += `        ${value.padEnd(width)} found ${senders.length} times\n`;
    if (verbose) text += `\n${[...senders].sort().map((s) => `            ${s}\n`).join("")}\n`;
  }
  return text;
}

export const facts: Application = {
  name: "facts",
  description: "Reports on usage for a specific fact",
  options: [],
  sections: ["rpc", "common", "filters"],
  async run(session: Session): Promise<number> {
    const [fact] = session.positionals;
    if (fact === undefined) throw new UsageError("Please specify a fact to report for");
    const { haltCode } = await import("../../../client/index.js");
    const run = await callAgent(session, "rpcutil", "get_fact", { fact }, { progress: false });
    if (run.stats.noRequestSent) return noRequestSent(session, run.stats);
    session.io.stdout.write(factReport(fact, groupFactValues(run.results), session.verbose));
    session.io.stdout.write(await statsReport(session, run));
    return haltCode(run.stats);
  },
};
