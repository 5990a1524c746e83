/** The daemon: one instance per `mcompat server`, owning the broker connection, the agents and the request flow. */
import { dirname, resolve } from "node:path";
import { nativeAgents, RESERVED_AGENTS, type NativeContext } from "../agents/index.js";
import { loadConfig, type Config } from "../config/index.js";
import { withDeadline } from "../deadline.js";
import { MCOMPAT_VERSION as VERSION } from "../package-root.js";
import { codecFromConfig, connectTransport, type Destination, type SecurityCodec, type Transport } from "../wire/index.js";
import { ClassesFile, factSourceFromConfig, type FactSource } from "./facts.js";
import { hooksFromConfig, type Hooks } from "./hooks.js";
import { loggerFromConfig, type Logger } from "./logger.js";
import { handleRequest, type PipelineDeps } from "./pipeline.js";
import { IdleRelease } from "./idle-release.js";
import { agentDirs, findAgentFiles, resolveAgents, type LoadedAgent } from "./registry.js";
import { rubyRunnerFor } from "./runner.js";
import { RubyRpcServices } from "../client/ruby-app-rpc.js";
import type { AppFrame, AppRequest } from "../shim/requests.js";
import type { RubyProbe, RubyRunner } from "./ruby.js";
import { Stats } from "./stats.js";

export interface ServerOptions {
  configFile: string;
}

/** A running daemon; `reload` is SIGHUP, `stop` is SIGTERM. */
export class Server {
  private readonly stats = new Stats(Math.floor(Date.now() / 1000));
  private readonly inFlight = new Set<Promise<void>>();
  private readonly idleRelease = new IdleRelease();
  private readonly subscriptions = new Map<string, { unsubscribe(): void }>();
  private readonly native = nativeAgents();
  private pipeline?: PipelineDeps;
  private agents = new Map<string, LoadedAgent>();
  private ruby?: RubyRunner;
  /** Data plugins only the Ruby workers provide. */
  private rubyData: string[] = [];
  private registration: { stop(): void } = { stop: () => undefined };
  private transport?: Transport;
  private stopping = false;
  /** What agents' rpcclient calls are served by, once the broker connection is up. */
  private agentCalls?: RubyRpcServices;

  private constructor(
    private readonly configFile: string,
    private readonly config: Config,
    private readonly log: Logger,
    private readonly codec: SecurityCodec,
    private readonly factSource: FactSource,
    private readonly classesFile: ClassesFile,
    private readonly hooks: Hooks,
  ) {}

  /** Reads the config and facts, connects and serves the native agents; Ruby agents follow once probed. */
  static async start(opts: ServerOptions): Promise<Server> {
    const configFile = resolve(opts.configFile);
    const config = loadConfig(configFile);
    const log = loggerFromConfig(config);
    for (const warning of config.warnings) log.warn(warning);
    const factSource = factSourceFromConfig(config, log);
    await factSource.reload();
    let server: Server | undefined;
    const hooks = hooksFromConfig(
      config,
      dirname(configFile),
      { agents: () => server?.agentNames() ?? [], facts: () => factSource.facts(), agentMetadata: (agent) => server?.agents.get(agent)?.ddl.metadata },
      log,
    );
    server = new Server(configFile, config, log, codecFromConfig(config, "server", log.warn), factSource, new ClassesFile(config.string("classesfile"), log), hooks);
    const agents = server.findAgents();
    await server.connect();
    void server.serveAgents(agents).catch((err: Error) => log.error(`loading agents failed: ${err.stack ?? err}`));
    return server;
  }

  get identity(): string {
    return this.config.identity;
  }

  /** SIGHUP: facts, classes, policies and agents read again; subscriptions follow the agent list. */
  async reload(): Promise<void> {
    this.log.info("reloading facts, classes, policies and agents");
    await this.factSource.reload();
    this.classesFile.reload();
    this.hooks.reload();
    await this.serveAgents(this.findAgents());
  }

  /** SIGTERM: stop taking requests, let those in flight finish (bounded), then close the connection. */
  async stop(drainMs = 10_000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.log.info(`shutting down; waiting for ${this.inFlight.size} request(s) in flight`);
    for (const sub of this.subscriptions.values()) sub.unsubscribe();
    this.subscriptions.clear();
    this.registration.stop();
    this.idleRelease.stop();
    let timer: NodeJS.Timeout | undefined;
    const bounded = new Promise<void>((r) => (timer = setTimeout(r, drainMs)));
    await Promise.race([Promise.allSettled([...this.inFlight]), bounded]);
    clearTimeout(timer);
    await this.ruby?.stop();
    await this.transport?.close();
    this.log.info("stopped");
  }

  private agentNames(): string[] {
    return [...this.agents.keys()];
  }

  /** Finds the agents and reports those that cannot serve; on the first call the native ones serve at once. */
  private findAgents(): LoadedAgent[] {
    const found = findAgentFiles(agentDirs(this.config.libdirs));
    const { agents, problems } = resolveAgents(this.config, found, RESERVED_AGENTS);
    for (const problem of problems) this.log.warn(`agent ${problem.agent} not loaded: ${problem.reason}`);
    if (this.agents.size === 0) this.agents = new Map(agents.filter((a) => a.kind === "native").map((a) => [a.name, a]));
    return agents;
  }

  /**
   * Probes the Ruby agents in a new pool (a slow-loading agent never holds up the native ones), then swaps the agent
   * table and subscriptions in one step; a replaced pool is stopped after the requests it is running.
   */
  private async serveAgents(agents: LoadedAgent[]): Promise<void> {
    const ruby = agents.filter((a) => a.kind === "ruby");
    const runner = rubyRunnerFor(this.config, this.configFile, ruby, this.log, () => this.factSource.facts(), { handle: (req, send) => this.agentRequest(req, send) });
    const probe: RubyProbe = await runner.probe().catch((err: Error) => ({
      loaded: [],
      failed: ruby.map((a) => ({ agent: a.name, reason: `the Ruby worker could not load the agents: ${err.message}` })),
    }));
    if (this.stopping) return void (await runner.stop());
    for (const failure of probe.failed) this.log.warn(`agent ${failure.agent} not loaded: ${failure.reason}`);
    const failed = new Set(probe.failed.map((f) => f.agent));
    const previous = this.ruby;
    this.ruby = runner;
    this.rubyData = (probe.dataPlugins ?? []).filter((name) => !this.hooks.data.names().includes(name));
    this.agents = new Map(agents.filter((a) => !failed.has(a.name)).map((a) => [a.name, a]));
    this.subscribeAll();
    // "serving" once the broker has the subscriptions (a broker that is away gets 5 s), so a request sent on that word finds them.
    if (this.transport) await withDeadline(this.transport.flush(), 5000, () => new Error("flush")).catch(() => undefined);
    this.log.info(`serving agents: ${this.agentNames().join(", ")}`);
    if (previous) void Promise.allSettled([...this.inFlight]).then(() => previous.stop());
  }

  /** An agent's rpcclient request, served through this server's connection: its requests go out signed as this server. */
  private agentRequest(request: AppRequest, send: (frame: AppFrame) => void): Promise<AppFrame> {
    const transport = this.transport;
    if (!transport) throw new Error("the server is not connected to a broker yet");
    this.agentCalls ??= new RubyRpcServices(this.config, { transport, codec: this.codec });
    return this.agentCalls.handle(request, send);
  }

  private async connect(): Promise<void> {
    const say = (level: "debug" | "info" | "warn" | "error", msg: string) => this.log[level](msg);
    this.log.info(`connecting with connector ${this.config.string("connector")} as ${this.identity}`);
    const transport = await connectTransport(this.config, "server", { mode: "daemon", log: say });
    this.transport = transport;
    const status = transport.status();
    this.log.info(`connected to ${status.connected ?? status.brokers.join(", ")}`);
    transport.onStatus((event, detail) => {
      if (event === "disconnect") this.log.warn(`lost the broker connection; reconnecting`);
      else if (event === "reconnect") this.log.info(`reconnected to ${detail}; subscriptions restored`);
      else this.log.error(`broker connection error: ${detail}`);
    });
    this.subscribeAll();
    this.registration = this.hooks.startRegistration(transport, this.codec, () => this.inventory());
  }

  /** Subscribes the node's direct destination and one broadcast destination per agent in every collective; drops what is no longer served. */
  private subscribeAll(): void {
    const transport = this.transport;
    if (!transport || this.stopping) return;
    const wanted = new Map<string, Destination>();
    for (const collective of this.config.collectives) {
      wanted.set(`node ${collective}`, { kind: "node", collective, identity: this.identity });
      for (const agent of this.agentNames()) wanted.set(`agent ${collective} ${agent}`, { kind: "agent", collective, agent });
    }
    for (const [key, sub] of this.subscriptions) {
      if (!wanted.has(key)) (sub.unsubscribe(), this.subscriptions.delete(key));
    }
    for (const [key, dest] of wanted) {
      if (this.subscriptions.has(key)) continue;
      this.subscriptions.set(key, transport.subscribe(dest, (delivery) => this.track(handleRequest(delivery, this.deps()))));
    }
    this.log.info(`subscribed to ${this.subscriptions.size} destinations`);
  }

  private track(work: Promise<void>): void {
    this.idleRelease.note();
    this.inFlight.add(work);
    void work
      .catch((err: Error) => this.log.error(`request handling failed: ${err.stack ?? err}`))
      .finally(() => this.inFlight.delete(work));
  }

  private deps(): PipelineDeps {
    return (this.pipeline ??= {
      identity: this.identity,
      log: this.log,
      stats: this.stats,
      now: () => Math.floor(Date.now() / 1000),
      codec: this.codec,
      agents: () => this.agents,
      facts: () => this.factSource.facts(),
      classes: () => this.classesFile.classes(),
      queryData: (plugin, query) => this.queryData(plugin, query),
      authorize: (req) => this.hooks.authorize(req),
      audit: (entry) => this.hooks.audit(entry),
      native: this.native,
      nativeContext: this.nativeContext(),
      ruby: () => this.ruby!,
      reply: (target, payload) => this.transport?.publish({ kind: "reply", target }, payload),
    });
  }

  private nativeContext(): NativeContext {
    return {
      identity: this.identity,
      config: this.config,
      configFile: this.configFile,
      version: VERSION,
      pid: process.pid,
      startTime: this.stats.startTime,
      now: () => Math.floor(Date.now() / 1000),
      facts: () => this.factSource.facts(),
      classes: () => this.classesFile.classes(),
      agents: () => [...this.agents.values()].map((a) => ({ agent: a.name, metadata: a.ddl.metadata })),
      counters: () => this.stats.snapshot(),
      dataPlugins: () => [...this.hooks.data.names(), ...this.rubyData],
      queryData: (source, query) => this.queryData(source, query),
      broker: () => {
        const status = this.transport?.status();
        return { connected: status?.connected, brokers: status?.brokers ?? [], stats: status?.stats ?? { in_msgs: 0, out_msgs: 0, in_bytes: 0, out_bytes: 0, reconnects: 0 } };
      },
    };
  }

  /** A data plugin's answer: the Node ones first, then those of the Ruby libdirs; undefined when nobody has it. */
  private queryData(plugin: string, query: string | null): Promise<Record<string, unknown> | undefined> {
    if (this.rubyData.includes(plugin) && this.ruby) return this.ruby.queryData(plugin, query);
    return this.hooks.data.query(plugin, query);
  }

  /** What registration publishes about this node. */
  private inventory(): Record<string, unknown> {
    return {
      agents: [...this.agents.values()].map((a) => a.ddl.metadata),
      classes: this.classesFile.classes(),
      facts: this.factSource.facts(),
      collectives: this.config.collectives,
      build_info: { version: VERSION },
    };
  }
}
