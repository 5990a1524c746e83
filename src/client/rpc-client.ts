/** The RPC client: discovery, request fan-out (direct, broadcast, batches), reply streaming and statistics. */
import type { Config } from "../config/index.js";
import { withDeadline } from "../deadline.js";
import { buildFilter, parseWithFilter } from "../filter/index.js";
import type { Filter } from "../protocol/index.js";
import { tlsFiles } from "../security/index.js";
import { codecFromConfig, connectTransport, type Destination, type ReplyInbox, type SecurityCodec, type Transport } from "../wire/index.js";
import { ReplyCollector, pongReader, rpcReader, type RpcResult } from "./collector.js";
import { checkCapabilities, discoveryMethod, type DiscoveryNetwork } from "./discovery/index.js";
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
  /** Batches for this call only, instead of the client's `batch` option. */
  batch?: { size: string; sleepSec: number };
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
  private connection?: Promise<Connection>;

  constructor(
    readonly config: Config,
    readonly options: ClientOptions = {},
    /** A connection to use instead of opening one (a server's, for its agents' calls); it is left open by close(). */
    private readonly lent?: { transport: Transport; codec: SecurityCodec },
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
  private connect(): Promise<Connection> {
    this.connection ??= (async () => {
      if (this.lent) return { ...this.lent, requests: new RequestFactory(this.config.identity, this.lent.codec, this.settings.ttl) };
      const codec = codecFromConfig(this.config, "client");
      const transport = await connectTransport(this.config, "client", { mode: "client", timeoutMs: this.settings.connectTimeoutMs, env: this.options.env });
      return { transport, codec, requests: new RequestFactory(this.config.identity, codec, this.settings.ttl) };
    })();
    return this.connection;
  }

  /** Subscribes a fresh reply target for the next request to `agent`. */
  private openInbox({ transport, requests }: Connection, agent: string): ReplyInbox {
    return transport.openInbox({ collective: this.settings.collective, agent, callerid: requests.callerid, seq: requests.nextSeq() });
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
    const connection = await this.connect();
    const { transport, codec, requests } = connection;
    const inbox = this.openInbox(connection, "discovery");
    try {
      const request = requests.build({ agent: "discovery", collective: this.settings.collective, filter, message: "ping", replyTo: inbox.replyTo });
      const sent = performance.now();
      await this.publish(transport, request, [{ kind: "agent", collective: this.settings.collective, agent: "discovery" }]);
      const collect = new ReplyCollector(codec, request.requestid, [], pongReader);
      const timeoutAt = Date.now() + timeoutMs;
      let deadline = timeoutAt;
      for (;;) {
        const payload = await inbox.next(deadline);
        if (payload === undefined) break;
        const at = performance.now();
        const before = collect.responded.length;
        collect.accept(payload);
        if (collect.responded.length === before) continue;
        // A window ends discovery once no new node has answered for windowMs: each new one pushes the end out.
        if (windowMs !== undefined) deadline = Math.min(timeoutAt, Date.now() + windowMs);
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
    const connection = await this.connect();
    const { transport, codec, requests } = connection;
    const batch = opts.batch ?? this.options.batch;
    const direct =
      discovery.method !== "mc" ||
      limit !== undefined ||
      batch !== undefined ||
      (this.settings.directAddressing && nodes.length <= this.settings.directAddressingThreshold);
    const filter = direct ? directFilter(this.filter, agent) : broadcastFilter(this.filter, agent);
    const awaitReplies = opts.processResults !== false && opts.replyTo === undefined;
    const message = { agent, action, caller: requests.callerid, data: { ...data, process_results: opts.processResults ?? true } };
    // The legacy client subscribes its reply target even when it will not wait for replies.
    const inbox = opts.replyTo === undefined ? this.openInbox(connection, agent) : undefined;
    const replyTo = opts.replyTo ?? inbox!.replyTo;
    const build = (requestid?: string) => requests.build({ agent, collective: this.settings.collective, filter, message, requestid, replyTo });
    let request = build();
    stats.requestid = request.requestid;
    const timeoutMs = (this.options.timeoutSec ?? (opts.agentTimeoutSec ?? 5) + this.settings.discoveryTimeoutSec) * 1000;
    const collector = new ReplyCollector(codec, request.requestid, nodes, rpcReader(agent, action));
    const blockStarted = performance.now();
    try {
      const groups = batch ? batches(nodes, batch.size) : [nodes];
      for (const [index, group] of groups.entries()) {
        if (index > 0) {
          await sleep((batch?.sleepSec ?? 0) * 1000);
          // Signed afresh so a long batched run does not outlive the ttl; same request id and reply target.
          request = build(request.requestid);
        }
        const publishStarted = performance.now();
        const collective = this.settings.collective;
        const targets: Destination[] = direct ? group.map((identity) => ({ kind: "node", collective, identity })) : [{ kind: "agent", collective, agent }];
        await this.publish(transport, request, targets);
        stats.publishTimeMs += performance.now() - publishStarted;
        if (!awaitReplies || !inbox) continue;
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

  /**
   * Direct: one publish per node, same bytes. Broadcast: one publish to the agent's destination. Then waits until the
   * broker has them, at most publish_timeout: with the broker gone mid-run the client keeps reconnecting, and mco users
   * saw it wait forever (mco-client.md F.3, F.4).
   */
  private publish(transport: Transport, request: OutgoingRequest, targets: Destination[]): Promise<void> {
    for (const dest of targets) transport.publish(dest, request.payload, { replyTo: request.replyTo, ttl: this.settings.ttl });
    const ms = this.settings.publishTimeoutMs;
    return withDeadline(transport.flush(), ms, () => new ClientError(`Could not publish the request to the broker within ${ms / 1000}s (publish_timeout)`));
  }

  /** Closes the broker connection, if one was made. */
  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection && !this.lent) await (await connection.catch(() => undefined))?.transport.close();
  }
}


/** An open broker connection with the security plugin and request numbering that go with it. */
interface Connection {
  transport: Transport;
  codec: SecurityCodec;
  requests: RequestFactory;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

