/**
 * One run of an mco application: its parsed options, the config, a client made on demand, and the shared
 * RPC flow (discovery line, progress, results, aggregates, stats, JSON, exit code) that every RPC app reuses.
 * Heavy modules (NATS, protocol, DDL) are imported lazily so that `mco help` starts fast.
 */
import type { Config } from "../../config/index.js";
import type { ActionDdl } from "../../ddl/index.js";
import type { Discovery, RpcClient, RpcResult, RpcStats } from "../../client/index.js";
import type { Application } from "./app.js";
import { clientOptionsFrom, type CommonValues } from "./options.js";
import { painter, type Paint } from "./output/colour.js";
import { clientLog } from "./output/log.js";
import { formatJson, formatJsonWithStats } from "./output/json.js";
import { ProgressBar } from "./output/progress.js";
import { formatResult, type DisplayMode } from "./output/results.js";
import { formatStats } from "./output/stats.js";

export interface Out {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Io {
  stdout: Out;
  stderr: Out;
  env: NodeJS.ProcessEnv;
}

export interface RpcRunOptions {
  /** The action's DDL, for display mode, labels, aggregates and the timeout. */
  action?: ActionDdl;
  /** The agent DDL's `timeout`. */
  agentTimeoutSec?: number;
  /** `agent#action call stats` for `mco rpc`; `rpc stats` by default. */
  caption?: string;
  /** Print the "Discovering hosts ..." line (mco rpc always does; other apps only with -v). */
  announceDiscovery?: boolean;
}

export class Session {
  private made?: RpcClient;

  constructor(
    readonly app: Application,
    /** `$0` as invoked, for usage lines. */
    readonly program: string,
    readonly values: CommonValues & Record<string, unknown>,
    readonly positionals: string[],
    readonly io: Io,
    /** The client config, when the dispatcher loaded it already. */
    private loaded?: Config,
  ) {}

  get verbose(): boolean {
    return this.values.verbose === true;
  }

  /** The client config: `--config FILE`, else the first readable default location. */
  async config(): Promise<Config> {
    if (!this.loaded) {
      const { findConfigFile, loadConfig } = await import("../../config/index.js");
      this.loaded = loadConfig(findConfigFile("client", this.values.config));
    }
    return this.loaded;
  }

  /** Colours for a stream: on when the config's `color` is on and the stream is a terminal. */
  async paint(out: Out): Promise<Paint> {
    return painter(out.isTTY === true && (await this.config()).bool("color", true));
  }

  /** The RPC client for this run, made from the config and the shared options; closed by `close()`. */
  async client(): Promise<RpcClient> {
    if (!this.made) {
      const { RpcClient } = await import("../../client/index.js");
      const config = await this.config();
      const log = clientLog(config, this.io.stderr, await this.paint(this.io.stderr));
      this.made = new RpcClient(config, { ...clientOptionsFrom(this.values), env: this.io.env, warn: (message) => log("warn", "client", message) });
    }
    return this.made;
  }

  /** Discovers for `agent`, printing mco's `Discovering hosts using the mc method for 2 second(s) .... N` on stderr. */
  async discover(agent: string | undefined, announce: boolean): Promise<Discovery> {
    const client = await this.client();
    return announcedDiscovery(client, agent, announce && !this.values.json && !this.values.jsonStats, this.io.stderr);
  }

  /** The whole `mco rpc` flow after validation; resolves to mco's exit code for the run. */
  async runRpc(agent: string, actionName: string, data: Record<string, unknown>, opts: RpcRunOptions = {}): Promise<number> {
    const client = await this.client();
    const { haltCode } = await import("../../client/index.js");
    const json = this.values.json === true || this.values.jsonStats === true;
    const discovery = await this.discover(agent, opts.announceDiscovery ?? true);
    const call = client.call(agent, actionName, data, { discovery, agentTimeoutSec: opts.agentTimeoutSec });
    const paint = await this.paint(this.io.stdout);
    const config = await this.config();
    const layout = { verbose: this.verbose, action: opts.action, display: this.values.display as DisplayMode | undefined, paint };
    const results: RpcResult[] = [];
    const sorted = this.values.sort === true || json;
    const batched = this.values.batch !== undefined && this.values.batch !== "0";
    const progress = new ProgressBar(this.io.stdout, discovery.nodes.length, !json && !this.values.noProgress, config.bool("color", true), batched);
    if (discovery.nodes.length > 0) progress.start();
    let printedHeader = false;
    for await (const result of call) {
      results.push(result);
      progress.update(results.length);
      if (sorted || progress.active) continue;
      if (!printedHeader) this.io.stdout.write("\n");
      printedHeader = true;
      this.io.stdout.write(formatResult(result, layout));
    }
    progress.finish();
    const stats = call.stats;
    if (json) {
      const pretty = this.io.stdout.isTTY === true;
      const ordered = this.values.sort ? [...results].sort((a, b) => a.sender.localeCompare(b.sender)) : results;
      this.io.stdout.write(this.values.jsonStats ? formatJsonWithStats(agent, actionName, ordered, stats, pretty) : formatJson(ordered, pretty));
      if (stats.noRequestSent) this.io.stderr.write("\nNo request sent, we did not discover any nodes.");
      return haltCode(stats);
    }
    if (stats.noRequestSent) {
      this.io.stderr.write("\nNo request sent, we did not discover any nodes.");
      return haltCode(stats);
    }
    if (sorted || progress.active || !printedHeader) {
      const ordered = sorted ? [...results].sort((a, b) => a.sender.localeCompare(b.sender)) : results;
      this.io.stdout.write("\n" + ordered.map((r) => formatResult(r, layout)).join(""));
    }
    this.io.stdout.write("\n");
    this.io.stdout.write(await this.statsText(stats, results, opts, paint));
    return haltCode(stats);
  }

  /** The stats block (printrpcstats), with aggregate summaries from the DDL when the action declares any. */
  statsText(stats: RpcStats, results: RpcResult[], opts: RpcRunOptions, paint: Paint): Promise<string> {
    return statsBlock(stats, results, { action: opts.action, caption: opts.caption, verbose: this.verbose, paint });
  }

  /** Closes the broker connection if one was opened. */
  async close(): Promise<void> {
    await this.made?.close();
  }
}

/** Discovers for `agent`; when `announce`, writes mco's `Discovering hosts using the mc method for 2 second(s) .... N` line. */
export async function announcedDiscovery(client: RpcClient, agent: string | undefined, announce: boolean, stderr: Out): Promise<Discovery> {
  const show = announce && !client.skipsDiscovery;
  if (show) {
    const { discoveryMethod } = await import("../../client/index.js");
    const method = discoveryMethod(client.discoveryMethodName);
    const window = method.timed ? ` for ${client.discoveryTimeoutSec} second(s)` : "";
    stderr.write(`Discovering hosts using the ${method.name} method${window} .... `);
  }
  const discovery = await client.discover({ agent });
  if (show) stderr.write(`${discovery.nodes.length}\n`);
  return discovery;
}

/** The stats block (printrpcstats), led by the action's aggregate summaries when it declares any. */
export async function statsBlock(
  stats: RpcStats,
  results: RpcResult[],
  opts: { action?: ActionDdl; caption?: string; verbose: boolean; paint: Paint; counted?: boolean },
): Promise<string> {
  const { action, paint } = opts;
  let aggregates: string | undefined;
  if (action && action.aggregates.length > 0) {
    const { summarize, formatAggregates } = await import("../../ddl/index.js");
    const text = formatAggregates(summarize(action, results), { color: paint("bold", "") !== "" });
    aggregates = text === "" ? undefined : text;
  }
  return formatStats(stats, { verbose: opts.verbose, caption: opts.caption ?? "rpc stats", aggregates, paint, counted: opts.counted });
}
