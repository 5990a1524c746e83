/** The stats block after the results (RPC::Stats#report): summary line or verbose table, then who did not answer. */
import type { RpcStats } from "../../../client/index.js";
import { strftime } from "../../../ruby/index.js";
import type { Paint } from "./colour.js";

/** Nodes in columns: `"   " + (" %-Ws" * n)`, W = max(30, longest), n = 90 / W, sorted, rows padded. */
export function nodeColumns(nodes: string[]): string {
  const width = Math.max(30, ...nodes.map((n) => n.length));
  const perRow = Math.max(1, Math.floor(90 / width));
  const sorted = [...nodes].sort();
  const rows: string[] = [];
  for (let i = 0; i < sorted.length; i += perRow) {
    const row = Array.from({ length: perRow }, (_, k) => ` ${(sorted[i + k] ?? "").padEnd(width)}`);
    rows.push("   " + row.join(""));
  }
  return rows.join("\n");
}

/** A titled node list (`No response from:`), ending with a blank line; "" when there are no nodes. */
export function nodeListSection(title: string, nodes: string[], paint: Paint): string {
  if (nodes.length === 0) return "";
  return `${paint("red", title)}\n\n${nodeColumns(nodes)}\n\n`;
}

/** Ruby's Time#to_s: `2026-11-22 01:19:56 +0000` (UTC). */
export function rubyTime(date: Date): string {
  return strftime(date, "%F %T %z", true);
}

export interface StatsLayout {
  verbose: boolean;
  /** `agent#action call stats` for rpc; `rpc stats` otherwise. */
  caption: string;
  /** Aggregate summaries (ddl formatAggregates), printed in place of the leading blank line. */
  aggregates?: string;
  paint: Paint;
  /** Ruby's RPC::Stats always holds a discovered count, so even none prints `0 / 0` (printrpcstats of an application). */
  counted?: boolean;
}

/** The stats report as printed after the results. */
export function formatStats(stats: RpcStats, layout: StatsLayout): string {
  const { paint } = layout;
  const discovered = stats.discovered.length;
  const responses = stats.responded.length;
  const short = responses < discovered;
  const lines: string[] = [layout.aggregates ?? ""];
  if (layout.verbose) {
    lines.push(
      paint("yellow", `---- ${layout.caption} ----`),
      `           Nodes: ${short ? paint("red", discovered) : discovered} / ${short ? paint("red", responses) : responses}`,
      `     Pass / Fail: ${stats.ok} / ${stats.failed}`,
      `      Start Time: ${rubyTime(stats.startTime)}`,
      `  Discovery Time: ${stats.discoveryTimeMs.toFixed(2)}ms`,
      `      Agent Time: ${stats.blockTimeMs.toFixed(2)}ms`,
      `      Total Time: ${stats.totalTimeMs.toFixed(2)}ms`,
    );
  } else if (discovered > 0 || layout.counted) {
    const colour = short ? "red" : "green";
    lines.push(`Finished processing ${paint(colour, responses)} / ${paint(colour, discovered)} hosts in ${stats.blockTimeMs.toFixed(2)} ms`);
  } else {
    lines.push(`Finished processing ${paint("bold", responses)} hosts in ${stats.blockTimeMs.toFixed(2)} ms`);
  }
  let text = lines.join("\n") + "\n";
  const missing = nodeListSection("No response from:", stats.noResponse, paint);
  const unexpected = nodeListSection("Unexpected response from:", stats.unexpected, paint);
  if (missing === "" && unexpected === "") return text + "\n";
  if (missing !== "") text += "\n" + missing;
  if (unexpected !== "") text += "\n" + unexpected;
  return text;
}
