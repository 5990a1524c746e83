/** `mco inventory`: one node's statistics, agents, classes and facts; collective maps; and simple report scripts. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { UsageError } from "../argv.js";
import type { Application } from "../app.js";
import { callAgent } from "../agent-call.js";
import { parseInventoryScript, renderInventoryLine } from "../inventory-script.js";
import { rubyToS } from "../../../ruby/index.js";
import { nodeColumns, rubyTime } from "../output/stats.js";
import type { Session } from "../session.js";

type Data = Record<string, unknown>;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => rubyToS(x)) : []);

/** Names in rows of three, `"      %-15s %-15s %-15s"`, or the empty-section sentence. */
function threeColumns(names: string[], none: string): string {
  if (names.length === 0) return `      ${none}\n`;
  const sorted = [...names].sort();
  let text = "";
  for (let i = 0; i < sorted.length; i += 3) {
    text += `      ${[0, 1, 2].map((k) => (sorted[i + k] ?? "").padEnd(15)).join(" ")}\n`;
  }
  return text;
}

/** The node report from rpcutil#daemon_stats and rpcutil#inventory replies, laid out as mco prints it. */
export function nodeInventoryText(sender: string, stats: Data, inventory: Data): string {
  const times = (stats.times ?? {}) as Data;
  const start = typeof stats.starttime === "number" ? rubyTime(new Date(stats.starttime * 1000)) : rubyToS(stats.starttime);
  const lines = [`Inventory for ${sender}:`, "", "   Server Statistics:"];
  lines.push(`                      Version: ${rubyToS(stats.version)}`, `                   Start Time: ${start}`);
  lines.push(`                  Config File: ${rubyToS(stats.configfile)}`);
  if ("collectives" in inventory) lines.push(`                  Collectives: ${strings(inventory.collectives).join(", ")}`);
  if ("main_collective" in inventory) lines.push(`              Main Collective: ${rubyToS(inventory.main_collective)}`);
  lines.push(
    `                   Process ID: ${rubyToS(stats.pid)}`,
    `               Total Messages: ${rubyToS(stats.total)}`,
    `      Messages Passed Filters: ${rubyToS(stats.passed)}`,
    `            Messages Filtered: ${rubyToS(stats.filtered)}`,
    `             Expired Messages: ${rubyToS(stats.ttlexpired)}`,
    `                 Replies Sent: ${rubyToS(stats.replies)}`,
    `         Total Processor Time: ${rubyToS(times.utime)} seconds`,
    `                  System Time: ${rubyToS(times.stime)} seconds`,
    "",
  );
  let text = lines.join("\n") + "\n";
  text += "   Agents:\n" + threeColumns(strings(inventory.agents), "No agents installed") + "\n";
  const plugins = strings(inventory.data_plugins).map((p) => p.replace("_data", ""));
  text += "   Data Plugins:\n" + threeColumns(plugins, "No data plugins installed") + "\n";
  const classes = strings(inventory.classes);
  text += "   Configuration Management Classes:\n" + (classes.length > 0 ? nodeColumns(classes) + "\n" : "      No classes applied\n") + "\n";
  const facts = (inventory.facts ?? {}) as Data;
  const names = Object.keys(facts).sort();
  text += "   Facts:\n" + (names.length > 0 ? names.map((f) => `      ${f} => ${rubyToS(facts[f])}\n`).join("") : "      No facts known\n");
  return text;
}

/** Members of each collective from rpcutil#collective_info replies. */
export function collectiveMembers(replies: Array<{ sender: string; data: Data }>): { collectives: Map<string, string[]>; nodes: number } {
  const collectives = new Map<string, string[]>();
  let nodes = 0;
  for (const r of replies) {
    if (!Array.isArray(r.data?.collectives)) continue;
    for (const c of strings(r.data.collectives)) collectives.set(c, [...(collectives.get(c) ?? []), r.sender]);
    nodes++;
  }
  return { collectives, nodes };
}

/** `--list-collectives`: collectives by node count, then the total. */
export function collectivesReport(map: { collectives: Map<string, string[]>; nodes: number }): string {
  const rows = [...map.collectives.entries()].sort((a, b) => a[1].length - b[1].length);
  return [
    `   ${"Collective".padEnd(30)} Nodes`,
    `   ${"==========".padEnd(30)} =====`,
    ...rows.map(([name, members]) => `   ${name.padEnd(30)} ${members.length}`),
    "",
    `   ${"Total nodes:".padStart(30)} ${map.nodes}`,
    "",
    "",
  ].join("\n");
}

/** `--collective-graph`: a DOT graph linking every node to its collectives. */
export function collectivesDot(map: { collectives: Map<string, string[]> }): string {
  const lines = ["graph {"];
  for (const name of [...map.collectives.keys()].sort()) {
    lines.push(`   subgraph "${name}" {`, ...map.collectives.get(name)!.map((n) => `      "${n}" -- "${name}"`), "   }");
  }
  return lines.join("\n") + "\n}\n";
}

export const inventory: Application = {
  name: "inventory",
  description: "General reporting tool for nodes, collectives and subcollectives",
  options: [
    { key: "script", flags: ["--script"], arg: "SCRIPT", description: "Script to run" },
    { key: "listCollectives", flags: ["--list-collectives", "--lc"], description: "List all known collectives" },
    { key: "collectiveGraph", flags: ["--collective-graph", "--cg", "--map"], arg: "MAP", description: "Create a DOT graph of all collectives" },
  ],
  sections: ["rpc", "common", "filters"],
  async run(session: Session): Promise<number> {
    const [node] = session.positionals;
    const { script, listCollectives, collectiveGraph } = session.values as { script?: string; listCollectives?: boolean; collectiveGraph?: string };
    if (script !== undefined) return runScript(session, script);
    if (listCollectives) {
      session.io.stdout.write(collectivesReport(await collectiveInfo(session)));
      return 0;
    }
    if (collectiveGraph !== undefined) {
      session.io.stdout.write("Retrieving collective info....\n");
      const map = await collectiveInfo(session);
      writeFileSync(collectiveGraph, collectivesDot(map));
      session.io.stdout.write(`Graph of ${map.nodes} nodes has been written to ${collectiveGraph}\n`);
      return 0;
    }
    if (node === undefined) throw new UsageError("Need to specify either a node name, script to run or other options");
    return nodeInventory(session, node);
  },
};

async function collectiveInfo(session: Session) {
  const run = await callAgent(session, "rpcutil", "collective_info", {}, { progress: false });
  return collectiveMembers(run.results);
}

/** daemon_stats then inventory, both sent straight to the named node as mco's custom_request does. */
async function nodeInventory(session: Session, node: string): Promise<number> {
  const { haltCode } = await import("../../../client/index.js");
  const stats = await callAgent(session, "rpcutil", "daemon_stats", {}, { progress: false, nodes: [node] });
  const reply = stats.results.find((r) => r.sender === node);
  if (!reply) {
    session.io.stderr.write(`Did not receive any results from node ${node}\n`);
    return 1;
  }
  if (reply.statuscode !== 0) {
    session.io.stderr.write(`Failed to retrieve daemon_stats from ${node}: ${reply.statusmsg}\n`);
    return haltCode(stats.stats);
  }
  const inv = await callAgent(session, "rpcutil", "inventory", {}, { progress: false, nodes: [node] });
  for (const r of inv.results) {
    if (r.statuscode !== 0) {
      session.io.stderr.write(`Failed to retrieve inventory for ${node}: ${r.statusmsg}\n`);
      continue;
    }
    session.io.stdout.write(nodeInventoryText(r.sender, reply.data, r.data));
    break;
  }
  return haltCode(inv.stats);
}

/** `--script FILE`: one formatted line per node that answers rpcutil#inventory. */
async function runScript(session: Session, file: string): Promise<number> {
  if (!existsSync(file)) throw new UsageError(`Could not find script to run: ${file}`);
  const script = parseInventoryScript(readFileSync(file, "utf8"), file);
  const run = await callAgent(session, "rpcutil", "inventory", {}, { progress: false });
  for (const r of run.results) {
    if (r.statuscode !== 0) continue;
    const line = renderInventoryLine(script, {
      identity: r.sender,
      facts: (r.data.facts ?? {}) as Data,
      classes: strings(r.data.classes),
      agents: strings(r.data.agents),
    });
    session.io.stdout.write(line + "\n");
  }
  return 0;
}
