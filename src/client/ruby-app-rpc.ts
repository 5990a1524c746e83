/**
 * The RPC part of serving a Ruby process's `RPC::Client`s (an `mco` application, or an agent calling other agents):
 * `client`, `discover` and `call` requests, each RPC::Client's options hash read into our RpcClient. What is
 * printed around them (discovery line, progress bar) is left to subclasses.
 */
import { existsSync } from "node:fs";
import type { Config } from "../config/index.js";
import type { ActionDdl } from "../ddl/index.js";
import type { SecurityCodec, Transport } from "../wire/index.js";
import { agentDdlCandidates, loadAgentDdl } from "./ddl-files.js";
import { clientOptionsFromLegacy } from "./legacy-options.js";
import { RubyRaise, type AppFrame, type AppRequest, type AppServices } from "../shim/requests.js";
import { RpcClient, type Discovery } from "./rpc-client.js";
import type { RpcResult } from "./collector.js";
import type { RpcStats } from "./stats.js";

export type Legacy = Record<string, unknown>;
export type Send = (frame: AppFrame) => void;

/** Shown while a call runs; the default shows nothing. */
export interface CallProgress {
  start(): void;
  update(done: number): void;
  finish(): void;
}

/** What one finished call leaves behind, by request id (printrpcstats' aggregates read it). */
export interface CallRecord {
  results: RpcResult[];
  action?: ActionDdl;
}

export class RubyRpcServices implements AppServices {
  protected readonly calls = new Map<string, CallRecord>();
  private readonly clients = new Map<string, RpcClient>();

  constructor(
    protected readonly config: Config,
    /** A connection to call through instead of the client's own (a server's, signed as the server). */
    private readonly lent?: { transport: Transport; codec: SecurityCodec },
  ) {}

  handle(request: AppRequest, send: Send): Promise<AppFrame> {
    switch (request.op) {
      case "client":
        return this.client(request);
      case "discover":
        return this.discover(request, send);
      case "call":
        return this.call(request, send);
      default:
        throw new Error(`'${request.op}' is not served here`);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close().catch(() => undefined)));
  }

  /** Where the client's warnings go (nodes that never answered); dropped unless a subclass shows them. */
  protected warn(_send: Send): (message: string) => void {
    return () => undefined;
  }

  /** Discovery as RPC::Client#discover asks for it; a subclass may announce it. */
  protected discoverFor(client: RpcClient, agent: string, _request: AppRequest, _send: Send): Promise<Discovery> {
    return client.discover({ agent });
  }

  protected progressFor(_request: AppRequest, _send: Send, _total: number): CallProgress {
    return { start: () => undefined, update: () => undefined, finish: () => undefined };
  }

  /** Said when nothing was discovered, so no request went out. */
  protected nothingSent(_send: Send): void {}

  /** One RpcClient per distinct set of options (a filter change makes another). */
  protected rpcClient(options: Legacy, agent: string, send: Send): RpcClient {
    const wanted = clientOptionsFromLegacy(options, agent);
    const key = JSON.stringify(wanted);
    let client = this.clients.get(key);
    if (!client) {
      client = new RpcClient(this.config, { ...wanted, warn: this.warn(send) }, this.lent);
      this.clients.set(key, client);
    }
    return client;
  }

  private async client(request: AppRequest): Promise<AppFrame> {
    const agent = String(request.agent);
    const client = this.rpcClient(request.options as Legacy, agent, () => undefined);
    const ddl = agentDdlCandidates(this.config, agent).find((file) => existsSync(file));
    if (!ddl) throw new RubyRaise("MCollective::DDLValidationError", `Can't find DDL for agent plugin '${agent}'`);
    return { type: "client", ddl, discovery_timeout: client.discoveryTimeoutSec };
  }

  private async discover(request: AppRequest, send: Send): Promise<AppFrame> {
    const agent = String(request.agent);
    const found = await this.discoverFor(this.rpcClient(request.options as Legacy, agent, send), agent, request, send);
    return { type: "discovered", nodes: found.nodes, method: found.method, performed: found.performed, time_ms: found.timeMs };
  }

  private async call(request: AppRequest, send: Send): Promise<AppFrame> {
    const agent = String(request.agent);
    const action = String(request.action);
    const client = this.rpcClient(request.options as Legacy, agent, send);
    const ddl = loadAgentDdl(this.config, agent);
    const { process_results: processResults, ...args } = request.args as Legacy;
    let data = args;
    if (ddl) {
      const { validateInputs } = await import("../ddl/index.js");
      if (!ddl.actions[action]) throw new RubyRaise("MCollective::DDLValidationError", `Attempted to call action ${action} for ${agent} but it's not declared in the DDL`);
      data = validateInputs(ddl, action, data, { notes: [] });
    }
    const batch = request.batch as { size: string; sleep: number } | undefined;
    const found = discoveryOf(request.discovery as Legacy | undefined);
    const call = client.call(agent, action, data, {
      discovery: found,
      agentTimeoutSec: ddl?.metadata.timeout,
      processResults: processResults === false ? false : undefined,
      batch: batch ? { size: batch.size, sleepSec: batch.sleep } : undefined,
    });
    const total = found?.nodes.length ?? 0;
    const progress = this.progressFor(request, send, total);
    const results: RpcResult[] = [];
    if (total > 0) progress.start();
    for await (const result of call) {
      results.push(result);
      send({ type: "result", requestid: call.stats.requestid, sender: result.sender, statuscode: result.statuscode, statusmsg: result.statusmsg, data: result.data });
      progress.update(results.length);
    }
    progress.finish();
    if (call.stats.noRequestSent) this.nothingSent(send);
    this.calls.set(call.stats.requestid, { results, action: ddl?.actions[action] });
    return { type: "done", stats: legacyStats(call.stats) };
  }
}

/** The discovery RPC::Client made (discovered, or given with :nodes), as our client takes it. */
function discoveryOf(found: Legacy | undefined): Discovery | undefined {
  if (!found) return undefined;
  return { nodes: (found.nodes as unknown[]).map(String), method: String(found.method), performed: found.performed === true, timeMs: Number(found.time_ms) };
}

/** Our stats as RPC::Stats holds them (times in seconds). */
export function legacyStats(s: RpcStats): Legacy {
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
export function rpcStatsOf(l: Legacy): RpcStats {
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
