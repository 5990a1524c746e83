/** The daemon: one instance per `mcompat server`, owning the broker connection, the agents and the request flow. */
import { readFileSync } from "node:fs";
import { resolveSrv } from "node:dns/promises";
import { dirname, join, resolve } from "node:path";
import { nativeAgents, RESERVED_AGENTS, type NativeContext } from "../agents/index.js";
import { loadConfig, middlewareHosts, type Config } from "../config/index.js";
import { PACKAGE_ROOT } from "../package-root.js";
import { broadcastSubject, nodeSubject } from "../protocol/index.js";
import { loadSigner, tlsFiles, verifierFromConfig, type RequestVerifier, type Signer } from "../security/index.js";
import { connectBroker, type NatsConnection, type Subscription } from "../transport/index.js";
import { ClassesFile, factSourceFromConfig, type FactSource } from "./facts.js";
import { hooksFromConfig, type Hooks } from "./hooks.js";
import { loggerFromConfig, type Logger } from "./logger.js";
import { handleRequest, type PipelineDeps } from "./pipeline.js";
import { agentDirs, findAgentFiles, resolveAgents, type LoadedAgent } from "./registry.js";
import { rubyRunnerFor } from "./runner.js";
import type { RubyProbe, RubyRunner } from "./ruby.js";
import { Stats } from "./stats.js";

const VERSION = (JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;

export interface ServerOptions {
  configFile: string;
}

/** A running daemon; `reload` is SIGHUP, `stop` is SIGTERM. */
export class Server {
  private readonly stats = new Stats(Math.floor(Date.now() / 1000));
  private readonly inFlight = new Set<Promise<void>>();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly native = nativeAgents();
  private pipeline?: PipelineDeps;
  private agents = new Map<string, LoadedAgent>();
  private ruby?: RubyRunner;
  /** Data plugins only the Ruby workers provide. */
  private rubyData: string[] = [];
  private registration: { stop(): void } = { stop: () => undefined };
  private nc?: NatsConnection;
  /** The brokers resolved at start (`host:port`), and how the connection to them has gone since. */
  private brokers: string[] = [];
  private readonly link = { connected: false, reconnects: 0 };
  private stopping = false;

  private constructor(
    private readonly configFile: string,
    private readonly config: Config,
    private readonly log: Logger,
    private readonly verifier: RequestVerifier,
    private readonly signer: Signer,
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
    const files = tlsFiles(config, "server");
    const factSource = factSourceFromConfig(config, log);
    await factSource.reload();
    let server: Server | undefined;
    const hooks = hooksFromConfig(
      config,
      dirname(configFile),
      { agents: () => server?.agentNames() ?? [], facts: () => factSource.facts(), agentMetadata: (agent) => server?.agents.get(agent)?.ddl.metadata },
      log,
    );
    server = new Server(configFile, config, log, verifierFromConfig(config, files, log.warn), loadSigner(files), factSource, new ClassesFile(config.string("classesfile"), log), hooks);
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
    let timer: NodeJS.Timeout | undefined;
    const bounded = new Promise<void>((r) => (timer = setTimeout(r, drainMs)));
    await Promise.race([Promise.allSettled([...this.inFlight]), bounded]);
    clearTimeout(timer);
    await this.ruby?.stop();
    await this.nc?.drain().catch(() => this.nc?.close());
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
    const runner = rubyRunnerFor(this.config, this.configFile, ruby, this.log, () => this.factSource.facts());
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
    this.log.info(`serving agents: ${this.agentNames().join(", ")}`);
    if (previous) void Promise.allSettled([...this.inFlight]).then(() => previous.stop());
  }

  private async connect(): Promise<void> {
    const brokers = await middlewareHosts(this.config, resolveSrv);
    const tls = tlsFiles(this.config, "server");
    this.log.info(`connecting to ${brokers.map((b) => `${b.host}:${b.port}`).join(", ")} as ${this.identity}`);
    this.brokers = brokers.map((b) => `${b.host}:${b.port}`);
    this.nc = await connectBroker({ brokers, tls: { cert: tls.cert, key: tls.key, ca: tls.ca }, name: this.identity, mode: "daemon" });
    this.link.connected = true;
    this.log.info(`connected to ${this.nc.getServer()}`);
    void this.watchConnection(this.nc);
    this.subscribeAll();
    const nc = this.nc;
    this.registration = this.hooks.startRegistration((subject, payload) => nc.publish(subject, payload), this.signer, () => this.inventory());
  }

  private async watchConnection(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === "disconnect") {
        this.link.connected = false;
        this.log.warn(`lost the broker connection; reconnecting`);
      } else if (status.type === "reconnect") {
        this.link.connected = true;
        this.link.reconnects++;
        this.log.info(`reconnected to ${nc.getServer()}; subscriptions restored`);
      } else if (status.type === "error") this.log.error(`broker connection error: ${String((status as { error?: unknown }).error ?? "")}`);
    }
  }

  /** Subscribes the node subject and one broadcast subject per agent in every collective; drops what is no longer served. */
  private subscribeAll(): void {
    const nc = this.nc;
    if (!nc || this.stopping) return;
    const wanted = new Set<string>();
    for (const collective of this.config.collectives) {
      wanted.add(nodeSubject(collective, this.identity));
      for (const agent of this.agentNames()) wanted.add(broadcastSubject(collective, agent));
    }
    for (const [subject, sub] of this.subscriptions) {
      if (!wanted.has(subject)) (sub.unsubscribe(), this.subscriptions.delete(subject));
    }
    for (const subject of wanted) {
      if (this.subscriptions.has(subject)) continue;
      this.subscriptions.set(subject, nc.subscribe(subject, { callback: (_err, msg) => this.track(handleRequest(msg.data, this.deps())) }));
    }
    this.log.info(`subscribed to ${this.subscriptions.size} subjects`);
  }

  private track(work: Promise<void>): void {
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
      verify: (req) => this.verifier.verify(req),
      agents: () => this.agents,
      facts: () => this.factSource.facts(),
      classes: () => this.classesFile.classes(),
      queryData: (plugin, query) => this.queryData(plugin, query),
      authorize: (req) => this.hooks.authorize(req),
      audit: (entry) => this.hooks.audit(entry),
      native: this.native,
      nativeContext: this.nativeContext(),
      ruby: () => this.ruby!,
      publish: (subject, payload) => this.nc?.publish(subject, payload),
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
        const stats = this.nc?.stats();
        return {
          connected: this.nc && this.link.connected ? this.nc.getServer() : undefined,
          brokers: this.brokers,
          stats: { in_msgs: stats?.inMsgs ?? 0, out_msgs: stats?.outMsgs ?? 0, in_bytes: stats?.inBytes ?? 0, out_bytes: stats?.outBytes ?? 0, reconnects: this.link.reconnects },
        };
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
