/**
 * `mco <name>` for an application plugin in the libdirs: the Ruby application runs unchanged (src/client/ruby-app.ts)
 * and this module serves what it asks: RPC clients from its options hash, discovery, calls (progress bar, batches,
 * replies), and the texts of printrpc and printrpcstats, laid out by the same code as `mco rpc`'s.
 */
import type { Config } from "../../config/index.js";
import type { ActionDdl } from "../../ddl/index.js";
import type { Discovery, RpcClient, RpcResult, RpcStats } from "../../client/index.js";
import { runRubyApplication, RubyRaise, type AppFrame, type AppRequest, type AppServices } from "../../client/ruby-app.js";
import { clientOptionsFromLegacy } from "../../client/legacy-options.js";
import { painter, type Paint } from "./output/colour.js";
import { formatJson } from "./output/json.js";
import { clientLog } from "./output/log.js";
import { ProgressBar } from "./output/progress.js";
import { formatResult, verboseBlock, type DisplayMode } from "./output/results.js";
import { nodeListSection } from "./output/stats.js";
import { announcedDiscovery, statsBlock, type Io, type Out } from "./session.js";

/** Runs the Ruby application `name` with `argv` (or prints its help, for `mco help <name>`); resolves to its exit code. */
export async function runRubyApp(name: string, argv: string[], config: Config, io: Io, opts: { help?: boolean } = {}): Promise<number> {
  const services = new RubyAppServices(config, io);
  try {
    return await runRubyApplication({ name, argv, config, env: io.env, services, help: opts.help === true });
  } finally {
    await services.close();
  }
}

type Legacy = Record<string, unknown>;

/** What one finished call leaves for printrpcstats' aggregate summaries. */
interface CallRecord {
  results: RpcResult[];
  action?: ActionDdl;
}

class RubyAppServices implements AppServices {
  private readonly clients = new Map<string, RpcClient>();
  private readonly calls = new Map<string, CallRecord>();

  constructor(
    private readonly config: Config,
    private readonly io: Io,
  ) {}

  handle(request: AppRequest, send: (frame: AppFrame) => void): Promise<AppFrame> {
    switch (request.op) {
      case "client":
        return this.client(request);
      case "discover":
        return this.discover(request, send);
      case "call":
        return this.call(request, send);
      case "results_text":
        return this.resultsText(request);
      case "stats_text":
        return this.statsText(request);
      default:
        throw new Error(`mco cannot serve '${request.op}' for a Ruby application`);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close().catch(() => undefined)));
  }

  /** A stream that hands text to Ruby to print, so it lands in order with the application's own output. */
  private out(stream: "stdout" | "stderr", send: (frame: AppFrame) => void): Out {
    const real = this.io[stream];
    return { write: (text: string) => send({ type: "out", stream, text }), isTTY: real.isTTY, columns: real.columns };
  }

  private paint(out: Out): Paint {
    return painter(out.isTTY === true && this.config.bool("color", true));
  }

  /** One RpcClient per distinct set of options (a filter change makes another). */
  private async rpcClient(options: Legacy, agent: string, send: (frame: AppFrame) => void): Promise<RpcClient> {
    const wanted = clientOptionsFromLegacy(options, agent);
    const key = JSON.stringify(wanted);
    let client = this.clients.get(key);
    if (!client) {
      const { RpcClient } = await import("../../client/index.js");
      const stderr = this.out("stderr", send);
      const log = clientLog(this.config, stderr, this.paint(stderr));
      client = new RpcClient(this.config, { ...wanted, warn: (message) => log("warn", "client", message) });
      this.clients.set(key, client);
    }
    return client;
  }

  private async client(request: AppRequest): Promise<AppFrame> {
    const agent = String(request.agent);
    const { agentDdlCandidates } = await import("../../client/index.js");
    const { existsSync } = await import("node:fs");
    const client = await this.rpcClient(request.options as Legacy, agent, () => undefined);
    const ddl = agentDdlCandidates(this.config, agent).find((file) => existsSync(file));
    if (!ddl) throw new RubyRaise("MCollective::DDLValidationError", `Can't find DDL for agent plugin '${agent}'`);
    return { type: "client", ddl, discovery_timeout: client.discoveryTimeoutSec };
  }

  private async discover(request: AppRequest, send: (frame: AppFrame) => void): Promise<AppFrame> {
    const agent = String(request.agent);
    const client = await this.rpcClient(request.options as Legacy, agent, send);
    const found = await announcedDiscovery(client, agent, request.announce === true, this.out("stderr", send));
    return { type: "discovered", nodes: found.nodes, method: found.method, performed: found.performed, time_ms: found.timeMs };
  }

  private async call(request: AppRequest, send: (frame: AppFrame) => void): Promise<AppFrame> {
    const agent = String(request.agent);
    const action = String(request.action);
    const client = await this.rpcClient(request.options as Legacy, agent, send);
    const { loadAgentDdl } = await import("../../client/index.js");
    const ddl = loadAgentDdl(this.config, agent);
    const { process_results: processResults, ...args } = request.args as Legacy;
    let data = args;
    if (ddl) {
      const { validateInputs } = await import("../../ddl/index.js");
      if (!ddl.actions[action]) throw new RubyRaise("MCollective::DDLValidationError", `Attempted to call action ${action} for ${agent} but it's not declared in the DDL`);
      data = validateInputs(ddl, action, data, { notes: [] });
    }
    const batch = request.batch as { size: string; sleep: number } | undefined;
    const call = client.call(agent, action, data, {
      discovery: discoveryOf(request.discovery as Legacy | undefined),
      agentTimeoutSec: ddl?.metadata.timeout,
      processResults: processResults === false ? false : undefined,
      batch: batch ? { size: batch.size, sleepSec: batch.sleep } : undefined,
    });
    const stdout = this.out("stdout", send);
    const total = (request.discovery as Legacy | undefined)?.nodes;
    const progress = new ProgressBar(stdout, Array.isArray(total) ? total.length : 0, request.progress === true, this.config.bool("color", true));
    const results: RpcResult[] = [];
    if (Array.isArray(total) && total.length > 0) progress.start();
    for await (const result of call) {
      results.push(result);
      send({ type: "result", requestid: call.stats.requestid, sender: result.sender, statuscode: result.statuscode, statusmsg: result.statusmsg, data: result.data });
      progress.update(results.length);
    }
    progress.finish();
    if (call.stats.noRequestSent) this.out("stderr", send).write("\nNo request sent, we did not discover any nodes.");
    this.calls.set(call.stats.requestid, { results, action: ddl?.actions[action] });
    return { type: "done", stats: legacyStats(call.stats) };
  }

  private async resultsText(request: AppRequest): Promise<AppFrame> {
    const results = (request.results as Legacy[]).map(resultOf);
    const stdout = this.io.stdout;
    if (request.format === "json") return { type: "text", text: formatJson(results, stdout.isTTY === true) };
    if (request.verbose === true) return { type: "text", text: results.map(verboseBlock).join("") };
    const { loadAgentDdl } = await import("../../client/index.js");
    const paint = this.paint(stdout);
    const display = request.display === "always" ? "all" : request.display === false ? undefined : (request.display as DisplayMode);
    const text = results
      .map((r) => formatResult(r, { verbose: false, action: loadAgentDdl(this.config, r.agent)?.actions[r.action], display, paint }))
      .join("");
    return { type: "text", text };
  }

  private async statsText(request: AppRequest): Promise<AppFrame> {
    const stats = rpcStatsOf(request.stats as Legacy);
    const paint = this.paint(this.io.stdout);
    if (request.kind === "no_response") return { type: "text", text: nodeListSection("No response from:", stats.noResponse, paint) };
    if (request.kind === "unexpected") return { type: "text", text: nodeListSection("Unexpected response from:", stats.unexpected, paint) };
    const record = this.calls.get(stats.requestid);
    const action = request.summarize === true ? record?.action : undefined;
    const text = await statsBlock(stats, record?.results ?? [], { action, caption: String(request.caption ?? "rpc stats"), verbose: request.verbose === true, paint });
    return { type: "text", text };
  }
}

/** The discovery RPC::Client made (discovered, or given with :nodes), as our client takes it. */
function discoveryOf(found: Legacy | undefined): Discovery | undefined {
  if (!found) return undefined;
  return { nodes: (found.nodes as string[]).map(String), method: String(found.method), performed: found.performed === true, timeMs: Number(found.time_ms) };
}

function resultOf(r: Legacy): RpcResult {
  return {
    agent: String(r.agent),
    action: String(r.action),
    sender: String(r.sender),
    statuscode: Number(r.statuscode),
    statusmsg: String(r.statusmsg),
    data: (r.data ?? {}) as Record<string, unknown>,
  };
}

/** Our stats as RPC::Stats holds them (times in seconds). */
function legacyStats(s: RpcStats): Legacy {
  return {
    requestid: s.requestid,
    discovered_nodes: s.discovered,
    responded: s.responded,
    noresponsefrom: s.noResponse,
    unexpectedresponsefrom: s.unexpected,
    okcount: s.ok,
    failcount: s.failed,
    starttime: s.startTime.getTime() / 1000,
    discoverytime: s.discoveryTimeMs / 1000,
    blocktime: s.blockTimeMs / 1000,
    totaltime: s.totalTimeMs / 1000,
  };
}

/** RPC::Stats figures back as our stats, for the report. */
function rpcStatsOf(l: Legacy): RpcStats {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  return {
    requestid: String(l.requestid ?? ""),
    agent: "",
    action: "",
    discovered: list(l.discovered_nodes),
    responded: list(l.responded),
    noResponse: list(l.noresponsefrom),
    unexpected: list(l.unexpectedresponsefrom),
    ok: Number(l.okcount ?? 0),
    failed: Number(l.failcount ?? 0),
    rejected: [],
    discoveryPerformed: Number(l.discoverytime ?? 0) > 0,
    discoveryMethod: "",
    discoveryTimeMs: Number(l.discoverytime ?? 0) * 1000,
    publishTimeMs: 0,
    blockTimeMs: Number(l.blocktime ?? 0) * 1000,
    totalTimeMs: Number(l.totaltime ?? 0) * 1000,
    startTime: new Date(Number(l.starttime ?? 0) * 1000),
    noRequestSent: false,
  };
}
