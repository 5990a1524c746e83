/** `mco puppet <command>`: run, enable, disable and report on the Puppet agent through the puppet agent. */
import type { RpcResult } from "../../../client/index.js";
import { UsageError, type OptionSpec } from "../argv.js";
import type { Application } from "../app.js";
import { integer } from "../options.js";
import { callAgent, noRequestSent, reportBySender, validatedRequest } from "../agent-call.js";
import { rubySprintf, rubyToS, strftime } from "../../../ruby/index.js";
import { runAll } from "../puppet-runner.js";
import type { Session } from "../session.js";

const COMMANDS = ["resource", "count", "runonce", "enable", "disable", "runall", "status", "summary"];
const TICKS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇"];

const OPTIONS: OptionSpec[] = [
  { key: "force", flags: ["--force"], description: "Bypass splay options when running" },
  { key: "server", flags: ["--server"], arg: "SERVER", description: "Connect to a specific server or port" },
  { key: "tag", flags: ["--tags", "--tag"], arg: "TAG", description: "Restrict the run to specific tags", repeat: true },
  { key: "skipTag", flags: ["--skip_tags", "--skip_tag"], arg: "TAG", description: "Skip resources with specific tags", repeat: true },
  { key: "noop", flags: ["--noop"], description: "Do a noop run" },
  { key: "noop", flags: ["--no-noop"], description: "Do a run with noop disabled", value: false },
  { key: "environment", flags: ["-E", "--environment"], arg: "ENVIRONMENT", description: "Place the node in a specific environment for this run" },
  { key: "splay", flags: ["--splay"], description: "Splay the run by up to splaylimit seconds" },
  { key: "splay", flags: ["--no-splay"], description: "Do a run with splay disabled", value: false },
  { key: "splaylimit", flags: ["--splaylimit"], arg: "SECONDS", description: "Maximum splay time for this run if splay is set", parse: integer },
  { key: "useCachedCatalog", flags: ["--use_cached_catalog"], description: "Use cached catalog for this run" },
  { key: "useCachedCatalog", flags: ["--no-use_cached_catalog"], description: "Do not use cached catalog for this run", value: false },
  { key: "ignoreschedules", flags: ["--ignoreschedules"], description: "Disable schedule processing" },
  { key: "rerun", flags: ["--rerun"], arg: "SECONDS", description: "When performing runall do so repeatedly with a minimum run time of SECONDS", parse: integer },
];

interface PuppetValues {
  force?: boolean;
  server?: string;
  tag?: string[];
  skipTag?: string[];
  noop?: boolean;
  environment?: string;
  splay?: boolean;
  splaylimit?: number;
  useCachedCatalog?: boolean;
  ignoreschedules?: boolean;
  rerun?: number;
}

/** The runonce request from the command line options; runall leaves out use_cached_catalog, as mco does. */
export function runonceArguments(v: PuppetValues, forRunall = false): Record<string, unknown> {
  if (v.force && v.splay !== undefined) throw new UsageError("Cannot set splay when forcing runs");
  if (v.force && v.splaylimit !== undefined) throw new UsageError("Cannot set splaylimit when forcing runs");
  const args: Record<string, unknown> = {};
  if (v.useCachedCatalog !== undefined && !forRunall) args.use_cached_catalog = v.useCachedCatalog;
  if (v.force !== undefined) args.force = v.force;
  if (v.server !== undefined) args.server = v.server;
  if (v.noop !== undefined) args.noop = v.noop;
  if (v.environment !== undefined) args.environment = v.environment;
  if (v.splay !== undefined) args.splay = v.splay;
  if (v.splaylimit !== undefined) args.splaylimit = v.splaylimit;
  if (v.ignoreschedules !== undefined) args.ignoreschedules = v.ignoreschedules;
  if (v.tag && v.tag.length > 0) args.tags = v.tag.join(",");
  if (v.skipTag && v.skipTag.length > 0) args.skip_tags = v.skipTag.join(",");
  return args;
}

/** Seven-tick sparkline of bucket counts; all ticks low when the counts do not vary. */
export function spark(histogram: number[]): string {
  const max = Math.max(...histogram);
  if (max === Math.min(...histogram)) return TICKS[0].repeat(histogram.length);
  const distance = max / (TICKS.length - 1);
  return histogram
    .map((count) => {
      let tick = Math.max(0, Math.round(count / distance));
      if (count > 0 && tick === 0) tick = 1;
      return TICKS[tick];
    })
    .join("");
}

/** 1234 → `1.2k`, as `mco puppet summary` shortens numbers with Ruby's `%0.1f` (ties round to even: 0.25 → 0.2). */
export function shortenNumber(n: number): string {
  if (!Number.isFinite(n)) return "NaN";
  if (n >= 1_000_000) return rubySprintf("%0.1fm", [n / 1_000_000]);
  if (n >= 1000) return rubySprintf("%0.1fk", [n / 1000]);
  return rubySprintf("%0.1f", [n]);
}

/** One `summary` row: 20-bucket distribution of a numeric output over the successful replies, then min/avg/max. */
export function sparklineForField(results: RpcResult[], field: string, buckets = 20): string {
  const values = results.filter((r) => r.statuscode === 0).map((r) => r.data[field]).filter((v): v is number => typeof v === "number");
  if (values.length === 0) return "";
  const min = Math.min(...values);
  const max = Math.max(...values);
  const avg = values.reduce((a, b) => a + b, 0) / values.length;
  const counts = new Array<number>(buckets).fill(0);
  const size = (max - min) / buckets + 1;
  if (max !== min) for (const v of values) counts[Math.floor((v - min) / size)]++;
  const cell = (n: number) => shortenNumber(n).padEnd(6);
  return `${spark(counts)}  min: ${cell(min)} avg: ${cell(avg)} max: ${cell(max)}`;
}

const SUMMARY_ROWS: Array<[label: string, field: string]> = [
  ["Total resources", "total_resources"],
  ["Out Of Sync resources", "out_of_sync_resources"],
  ["Failed resources", "failed_resources"],
  ["Changed resources", "changed_resources"],
  ["Corrected resources", "corrected_resources"],
  ["Config Retrieval time (seconds)", "config_retrieval_time"],
  ["Total run-time (seconds)", "total_time"],
  ["Time since last run (seconds)", "since_lastrun"],
];

/** The `summary` report over last_run_summary replies. */
export function summaryReport(results: RpcResult[]): string {
  const rows = SUMMARY_ROWS.map(([label, field]) => `${label.padStart(33)}: ${sparklineForField(results, field)}`);
  return [`Summary statistics for ${results.length} nodes:`, "", ...rows, "", ""].join("\n");
}

/** The `count` report from puppet#status replies: how many are enabled, applying, with a daemon, idling. */
export function countReport(results: RpcResult[]): string {
  const ok = results.filter((r) => r.statuscode === 0);
  const count = (test: (d: Record<string, unknown>) => boolean) => ok.filter((r) => test(r.data)).length;
  const row = (label: string, n: number) => `${label.padStart(33)}: ${n}`;
  return [
    `Total Puppet nodes: ${ok.length}`,
    "",
    row("Nodes currently enabled", count((d) => d.enabled === true)),
    row("Nodes currently disabled", count((d) => d.enabled === false)),
    "",
    row("Nodes currently doing puppet runs", count((d) => d.applying === true)),
    row("Nodes currently stopped", count((d) => d.applying === false)),
    "",
    row("Nodes with daemons started", count((d) => d.daemon_present === true)),
    row("Nodes without daemons started", count((d) => d.daemon_present === false)),
    row("Daemons started but idling", count((d) => d.idling === true)),
    "",
    "",
  ].join("\n");
}

/** `key=value` resource properties; mco refuses anything else. */
export function resourceProperties(words: string[]): Record<string, string> {
  const props: Record<string, string> = {};
  for (const word of words) {
    const match = /^(.+?)=(.+)$/s.exec(word);
    if (!match) throw new UsageError(`Could not parse argument '${word}'`);
    props[match[1]] = match[2];
  }
  return props;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const puppet: Application = {
  name: "puppet",
  description: "Schedule runs, enable, disable and interrogate the Puppet Agent",
  usage: [
    "mco puppet [OPTIONS] [FILTERS] <ACTION> [CONCURRENCY|MESSAGE]",
    "mco puppet <count|enable|status|summary>",
    "mco puppet disable [message]",
    "mco puppet runonce [PUPPET OPTIONS]",
    "mco puppet resource type name property1=value property2=value",
    "mco puppet runall [--rerun SECONDS] [PUPPET OPTIONS]",
  ],
  options: OPTIONS,
  sections: ["rpc", "common", "filters"],
  async run(session: Session): Promise<number> {
    const [command, ...rest] = session.positionals;
    if (command === undefined) throw new UsageError("Please specify a command.");
    if (!COMMANDS.includes(command)) throw new UsageError("Action must be count, enable, disable, resource, runall, runonce, status or summary");
    const values = session.values as PuppetValues;
    switch (command) {
      case "status":
        return statusCommand(session);
      case "count":
        return countCommand(session);
      case "summary":
        return summaryCommand(session);
      case "enable":
        return printrpc(session, "enable", {});
      case "disable":
        return printrpc(session, "disable", rest[0] !== undefined ? { message: rest[0] } : {});
      case "runonce":
        return printrpc(session, "runonce", runonceArguments(values));
      case "resource": {
        const [type, name, ...props] = rest;
        if (type === undefined) throw new UsageError("The resource command needs a type to operate on");
        if (name === undefined) throw new UsageError("The resource command needs a name to operate on");
        return printrpc(session, "resource", { ...resourceProperties(props), name, type });
      }
      default:
        return runallCommand(session, rest[0], values);
    }
  },
};

/** printrpc + printrpcstats with summaries: the generic result layout. */
async function printrpc(session: Session, action: string, data: Record<string, unknown>): Promise<number> {
  const { ddl, request } = await validatedRequest(session, "puppet", action, data);
  return session.runRpc("puppet", action, request, {
    action: ddl?.actions[action],
    agentTimeoutSec: ddl?.metadata.timeout,
    announceDiscovery: session.verbose,
  });
}

async function statusCommand(session: Session): Promise<number> {
  return reportBySender(session, await callAgent(session, "puppet", "status", {}), (r) => rubyToS(r.data.message));
}

async function countCommand(session: Session): Promise<number> {
  const { haltCode } = await import("../../../client/index.js");
  const run = await callAgent(session, "puppet", "status", {}, { progress: false });
  if (run.stats.noRequestSent) return noRequestSent(session, run.stats);
  session.io.stdout.write(countReport(run.results));
  if (run.stats.failed > 0) {
    const paint = await session.paint(session.io.stdout);
    session.io.stdout.write(paint("red", `Failed to retrieve status of ${run.stats.failed} ${run.stats.failed === 1 ? "node" : "nodes"}`) + "\n");
  }
  return haltCode(run.stats);
}

async function summaryCommand(session: Session): Promise<number> {
  const { haltCode } = await import("../../../client/index.js");
  const run = await callAgent(session, "puppet", "last_run_summary", {}, { progress: false });
  if (run.stats.noRequestSent) return noRequestSent(session, run.stats);
  session.io.stdout.write(summaryReport(run.results));
  return haltCode(run.stats);
}

async function runallCommand(session: Session, concurrencyWord: string | undefined, values: PuppetValues): Promise<number> {
  if (concurrencyWord === undefined) throw new UsageError("The runall command needs a concurrency limit");
  if (!/^[+-]?\d+$/.test(concurrencyWord)) throw new UsageError(`invalid value for Integer(): "${concurrencyWord}"`);
  const concurrency = Number(concurrencyWord);
  if (concurrency <= 0) throw new UsageError("The concurrency for the runall command has to be greater than 0");
  const args = { ...runonceArguments(values, true), force: true };
  const log = (message: string) => session.io.stdout.write(`${strftime(new Date(), "%F %T")}: ${message}\n`);
  const fleet = {
    enabledNodes: async () => {
      const run = await callAgent(session, "puppet", "status", {}, { progress: false });
      return run.results.filter((r) => r.statuscode === 0 && r.data.enabled === true).map((r) => r.sender).sort();
    },
    status: async (hosts: string[]) => {
      const run = await callAgent(session, "puppet", "status", {}, { progress: false, nodes: hosts });
      return new Map(run.results.filter((r) => r.statuscode === 0).map((r) => [r.sender, r.data]));
    },
    runonce: async (host: string) => (await callAgent(session, "puppet", "runonce", args, { progress: false, nodes: [host] })).results[0],
  };
  const once = () => runAll(fleet, { concurrency, log, sleep, now: () => Math.floor(Date.now() / 1000) });
  if (values.rerun === undefined) {
    await once();
    return 0;
  }
  log(`Performing ongoing Puppet run management with a minimum runtime of ${values.rerun} seconds between loops`);
  for (;;) {
    const started = Date.now();
    await once().catch((err: Error) => log(`Running nodes failed: ${err.name}: ${err.message}`));
    const took = (Date.now() - started) / 1000;
    if (took <= values.rerun) {
      log(`Running all hosts took ${Math.floor(took)} seconds; sleeping for ${Math.floor(values.rerun - took)} seconds due to minimum run time configuration of ${values.rerun} seconds`);
      await sleep((values.rerun - took) * 1000);
    } else {
      log(`Running all hosts took ${Math.floor(took)} seconds; starting a new loop immediately due to minimum run time configuration of ${values.rerun} seconds`);
    }
  }
}
