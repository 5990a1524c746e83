/** The RPC client: discovery, request fan-out (direct, broadcast, batches), reply streaming and statistics. */
import { middlewareHosts, type Config } from "../config/index.js";
import { withDeadline } from "../deadline.js";
import { buildFilter, parseWithFilter } from "../filter/index.js";
import { encodeRpcRequest, nodeSubject, broadcastSubject, type Filter } from "../protocol/index.js";
import { loadSigner, tlsFiles } from "../security/index.js";
import { connectBroker, type NatsConnection } from "../transport/index.js";
import { ReplyCollector, pongReader, rpcReader, type RpcResult } from "./collector.js";
import { checkCapabilities, discoveryMethod, type DiscoveryNetwork } from "./discovery/index.js";
import { Inbox } from "./inbox.js";
import { batches, limitCount, pickNodes } from "./limit.js";
import { ClientError, resolveSettings, type ClientOptions, type ResolvedSettings } from "./options.js";
import { RequestFactory, broadcastFilter, directFilter, discoveryFilter, type OutgoingRequest } from "./request.js";
import { emptyStats, type RpcStats } from "./stats.js";

/** The outcome of discovery: the nodes, how they were found, and how long it took. */
export interface Discovery {
  nodes: string[];
  method: string;
  /** False when plain `-I` names were taken as the node list without asking the network. */
  performed: boolean;
  timeMs: number;
}

export interface CallOptions {
  /** Use this discovery instead of running one (e.g. after printing mco's "Discovering" line). */
  discovery?: Discovery;
  /** The agent DDL's `timeout` in seconds; the reply wait is this + the discovery timeout unless `-t` was given. */
  agentTimeoutSec?: number;
  /** False sends `process_results: false` and waits for nothing (`--no-results`). */
  processResults?: boolean;
  /** `--reply-to`: replies go to this subject instead; nothing is awaited. */
  replyTo?: string;
}

/** One ping reply: who answered and how many milliseconds after the ping left. */
export interface PingReply {
  sender: string;
  timeMs: number;
}

/** An RPC call in flight: iterate it for the replies as they arrive; `stats` is complete once iteration ends. */
export interface RpcCall extends AsyncIterable<RpcResult> {
  readonly stats: RpcStats;
  /** Runs the call to the end and returns every result with the stats. */
  collect(): Promise<{ results: RpcResult[]; stats: RpcStats }>;
}

/** An RPC client made from a Config and mco-style options; connects on first use, `close()` when done. */
export class RpcClient {
  readonly settings: ResolvedSettings;
  /** The user's filter (without the called agent). */
  readonly filter: Filter;
  private connection?: Promise<{ nc: NatsConnection; requests: RequestFactory }>;

  constructor(
    readonly config: Config,
    readonly options: ClientOptions = {},
  ) {
    this.settings = resolveSettings(config, options);
    const spec = options.filter ?? {};
    const mixed = (spec.with ?? []).map(parseWithFilter);
    this.filter = buildFilter({
      ...spec,
      facts: [...(spec.facts ?? []), ...mixed.flatMap((m) => m.facts)],
      classes: [...(spec.classes ?? []), ...mixed.flatMap((m) => m.classes)],
    });
  }

  /** The discovery timeout in seconds, as mco computes it. */
  get discoveryTimeoutSec(): number {
    return this.settings.discoveryTimeoutSec;
  }

  /** The discovery method that `discover()` will use: compound filters force `mc`, as in mco. */
  get discoveryMethodName(): string {
    if (this.filter.compound.length > 0) return "mc";
    return discoveryMethod(this.settings.discoveryMethod).name;
  }

  /** True when discovery is skipped because every `-I` is a plain name (mco's identity shortcut). */
  get skipsDiscovery(): boolean {
    return this.discoveryMethodName === "mc" && this.filter.identity.length > 0 && this.filter.identity.every((i) => !i.startsWith("/"));
  }

  /** Connects to the broker once; fails within the connect timeout naming the hosts tried. */
  private connect(): Promise<{ nc: NatsConnection; requests: RequestFactory }> {
    this.connection ??= (async () => {
      const tls = tlsFiles(this.config, "client");
      const signer = loadSigner(tls);
      // node:dns loads only when SRV records are looked up: start-up time is most of a direct call.
      const brokers = await middlewareHosts(this.config, async (name) => (await import("node:dns/promises")).resolveSrv(name));
      const nc = await connectBroker({
        brokers,
        tls: { cert: tls.cert, key: tls.key, ca: tls.ca },
        name: this.config.identity,
        mode: "client",
        timeoutMs: this.settings.connectTimeoutMs,
      });
      return { nc, requests: new RequestFactory(this.config.identity, signer, this.settings.ttl) };
    })();
    return this.connection;
  }

  /** Finds the nodes to call for `agent` with the configured method and filter. */
  async discover(opts: { agent?: string; limit?: number } = {}): Promise<Discovery> {
    const method = discoveryMethod(this.discoveryMethodName);
    if (this.skipsDiscovery) return { nodes: [...new Set(this.filter.identity)], method: method.name, performed: false, timeMs: 0 };
    checkCapabilities(method, this.filter, this.filter.agent);
    const started = performance.now();
    const nodes = await method.discover({
      filter: discoveryFilter(this.filter, opts.agent, this.settings.collective),
      userAgents: this.filter.agent,
      collective: this.settings.collective,
      timeoutMs: this.settings.discoveryTimeoutSec * 1000,
      windowMs: this.settings.discoveryWindowMs,
      options: this.settings.discoveryOptions,
      stopAfter: opts.limit,
      config: this.config,
      tls: tlsFiles(this.config, "client"),
      network: this.network(),
    });
    return { nodes, method: method.name, performed: true, timeMs: performance.now() - started };
  }

  /** The discovery ping, lent to the `mc` method. */
  private network(): DiscoveryNetwork {
    return {
      ping: async (filter, opts) => {
        const senders: string[] = [];
        for await (const reply of this.pingWith(filter, opts.timeoutMs, opts.windowMs)) {
          senders.push(reply.sender);
          if (opts.stopAfter !== undefined && senders.length >= opts.stopAfter) break;
        }
        return senders;
      },
    };
  }

  /** `mco ping`: a discovery ping with the user's filter; every answer until the ping timeout. */
  ping(): AsyncIterable<PingReply> {
    return this.pingWith(this.filter, this.settings.pingTimeoutSec * 1000, this.settings.discoveryWindowMs);
  }

  private async *pingWith(filter: Filter, timeoutMs: number, windowMs?: number): AsyncGenerator<PingReply> {
    const { nc, requests } = await this.connect();
    const request = requests.build({ agent: "discovery", collective: this.settings.collective, filter, message: JSON.stringify("ping") });
    const inbox = new Inbox(nc, request.replyTo);
    try {
      const sent = performance.now();
      nc.publish(broadcastSubject(this.settings.collective, "discovery"), request.payload, { reply: request.replyTo });
      await this.flushed(nc);
      const collect = new ReplyCollector(request.requestid, [], pongReader);
      let deadline = Date.now() + timeoutMs;
      for (;;) {
        const payload = await inbox.next(deadline);
        if (payload === undefined) break;
        const at = performance.now();
        const before = collect.responded.length;
        collect.accept(payload);
        if (collect.responded.length === before) continue;
        if (windowMs !== undefined) deadline = Math.min(deadline, Date.now() + windowMs);
        yield { sender: collect.responded[before], timeMs: at - sent };
      }
    } finally {
      inbox.close();
    }
  }

  /** Calls `agent#action` with `data` on the discovered nodes; iterate the result for replies as they arrive. */
  call(agent: string, action: string, data: Record<string, unknown>, opts: CallOptions = {}): RpcCall {
    const stats = emptyStats(agent, action);
    const run = () => this.runCall(agent, action, data, opts, stats);
    return {
      stats,
      [Symbol.asyncIterator]: () => run()[Symbol.asyncIterator](),
      async collect() {
        const results: RpcResult[] = [];
        for await (const result of run()) results.push(result);
        return { results, stats };
      },
    };
  }

  private async *runCall(agent: string, action: string, data: Record<string, unknown>, opts: CallOptions, stats: RpcStats): AsyncGenerator<RpcResult> {
    const started = performance.now();
    stats.startTime = new Date();
    const limit = this.options.limit;
    const stopAfter = limit !== undefined && !limit.endsWith("%") && this.settings.limitMethod === "first" ? Number(limit) : undefined;
    const discovery = opts.discovery ?? (await this.discover({ agent, limit: stopAfter }));
    stats.discoveryPerformed = discovery.performed;
    stats.discoveryMethod = discovery.method;
    stats.discoveryTimeMs = discovery.timeMs;
    let nodes = discovery.nodes;
    if (limit !== undefined) nodes = pickNodes(nodes, limitCount(limit, nodes.length), this.settings.limitMethod, this.options.limitSeed);
    stats.discovered = [...nodes];
    if (nodes.length === 0) {
      stats.noRequestSent = true;
      stats.totalTimeMs = performance.now() - started;
      return;
    }
    const { nc, requests } = await this.connect();
    const direct =
      discovery.method !== "mc" ||
      limit !== undefined ||
      this.options.batch !== undefined ||
      (this.settings.directAddressing && nodes.length <= this.settings.directAddressingThreshold);
    const filter = direct ? directFilter(this.filter, agent) : broadcastFilter(this.filter, agent);
    const awaitReplies = opts.processResults !== false && opts.replyTo === undefined;
    const message = encodeRpcRequest({ agent, action, caller: requests.callerid, data: { ...data, process_results: opts.processResults ?? true } });
    const build = (requestid?: string, replyTo = opts.replyTo) =>
      requests.build({ agent, collective: this.settings.collective, filter, message, requestid, replyTo });
    let request = build();
    stats.requestid = request.requestid;
    const timeoutMs = (this.options.timeoutSec ?? (opts.agentTimeoutSec ?? 5) + this.settings.discoveryTimeoutSec) * 1000;
    const collector = new ReplyCollector(request.requestid, nodes, rpcReader(agent, action));
    const inbox = awaitReplies ? new Inbox(nc, request.replyTo) : undefined;
    const blockStarted = performance.now();
    try {
      const groups = this.options.batch ? batches(nodes, this.options.batch.size) : [nodes];
      for (const [index, group] of groups.entries()) {
        if (index > 0) {
          await sleep((this.options.batch?.sleepSec ?? 0) * 1000);
          // Signed afresh so a long batched run does not outlive the ttl; same request id and reply subject.
          request = build(request.requestid, request.replyTo);
        }
        const publishStarted = performance.now();
        await this.publish(nc, request, direct ? group : undefined, agent);
        stats.publishTimeMs += performance.now() - publishStarted;
        if (!inbox) continue;
        const deadline = Date.now() + timeoutMs;
        const waitingFor = new Set(group);
        while (waitingFor.size > 0) {
          const payload = await inbox.next(deadline);
          if (payload === undefined) break;
          const result = collector.accept(payload);
          if (result === undefined) continue;
          waitingFor.delete(result.sender);
          if (result.statuscode === 0) stats.ok++;
          else stats.failed++;
          yield result;
        }
        if (waitingFor.size > 0) this.options.warn?.(`Could not receive all responses. Did not receive responses from ${[...waitingFor].join(", ")}`);
      }
    } finally {
      inbox?.close();
      stats.blockTimeMs = performance.now() - blockStarted;
      stats.responded = collector.responded;
      stats.unexpected = collector.unexpected;
      stats.noResponse = awaitReplies ? collector.missing() : [];
      stats.rejected = collector.rejected;
      stats.totalTimeMs = performance.now() - started;
    }
  }

  /** Direct: one publish per node on its own subject, same bytes. Broadcast: one publish to the agent's subject. */
  private async publish(nc: NatsConnection, request: OutgoingRequest, nodes: string[] | undefined, agent: string): Promise<void> {
    const subjects = nodes ? nodes.map((n) => nodeSubject(this.settings.collective, n)) : [broadcastSubject(this.settings.collective, agent)];
    for (const subject of subjects) nc.publish(subject, request.payload, { reply: request.replyTo });
    await this.flushed(nc);
  }

  /**
   * Waits until the broker has what was published, at most publish_timeout: with the broker gone mid-run the client
   * keeps reconnecting, and mco users saw it wait forever (mco-client.md F.3, F.4).
   */
  private flushed(nc: NatsConnection): Promise<void> {
    const ms = this.settings.publishTimeoutMs;
    return withDeadline(nc.flush(), ms, () => new ClientError(`Could not publish the request to the broker within ${ms / 1000}s (publish_timeout)`));
  }

  /** Closes the broker connection, if one was made. */
  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection) await (await connection.catch(() => undefined))?.nc.close();
  }
}


const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

