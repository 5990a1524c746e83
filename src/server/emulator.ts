/**
 * `mcompat emulate`: N virtual nodes in one process, each with its own identity, facts and counters, answering the
 * native agents through the real pipeline (decode, verify, filter, authorize, reply) over one broker connection, so
 * that broker and client see N real nodes. A broadcast is decoded and verified once and judged by every node.
 */
import { dirname, resolve } from "node:path";
import { nativeAgents, RESERVED_AGENTS, type NativeContext } from "../agents/index.js";
import { loadConfig, type Config } from "../config/index.js";
import { MCOMPAT_VERSION as VERSION } from "../package-root.js";
import { codecFromConfig, connectTransport, type Delivery, type InboundRequest, type SecurityCodec, type Transport } from "../wire/index.js";
import { ClassesFile, factSourceFromConfig } from "./facts.js";
import { dataSourceFor, sharedHooks, type SharedHooks } from "./hooks.js";
import { loggerFromConfig, type Logger } from "./logger.js";
import { handleRequest, type PipelineDeps } from "./pipeline.js";
import { agentDirs, findAgentFiles, resolveAgents, type LoadedAgent } from "./registry.js";
import { Stats } from "./stats.js";

/** One fact whose value is spread over the nodes: `country=uk:10,de:90` gives 10% uk and 90% de. */
export interface FactSpread {
  fact: string;
  values: Array<{ value: string; percent: number }>;
}

/** Reads `fact=value:percent,value:percent,...`; the percentages must add up to 100. */
export function parseSpread(spec: string): FactSpread {
  const match = /^([^=]+)=(.+)$/.exec(spec);
  if (!match) throw new Error(`--spread ${spec}: expected fact=value:percent,value:percent`);
  const values = match[2].split(",").map((part) => {
    const [value, percent] = part.split(":");
    if (!value || !/^\d+$/.test(percent ?? "")) throw new Error(`--spread ${spec}: '${part}' is not value:percent`);
    return { value, percent: Number(percent) };
  });
  const total = values.reduce((sum, v) => sum + v.percent, 0);
  if (total !== 100) throw new Error(`--spread ${spec}: the percentages add up to ${total}, not 100`);
  return { fact: match[1], values };
}

/** Node `i`'s value of each spread fact: the same for the same `i`, in the stated proportions over every 100 nodes. */
export function spreadFacts(spreads: FactSpread[], i: number): Record<string, string> {
  const facts: Record<string, string> = {};
  for (const { fact, values } of spreads) {
    let bucket = i % 100;
    for (const { value, percent } of values) {
      if (bucket < percent) {
        facts[fact] = value;
        break;
      }
      bucket -= percent;
    }
  }
  return facts;
}

/** `%d` in the format is the node's number, from 1. */
export const identityOf = (format: string, i: number) => format.replace("%d", String(i + 1));

export interface EmulatorOptions {
  configFile: string;
  nodes: number;
  spreads?: FactSpread[];
  /** Identity of each node with `%d` for its number; default `emu-%d.` + the config identity's domain. */
  identityFormat?: string;
}

export class Emulator {
  private readonly subscriptions: Array<{ unsubscribe(): void }> = [];

  private constructor(
    private readonly transport: Transport,
    private readonly log: Logger,
    readonly identities: string[],
  ) {}

  static async start(opts: EmulatorOptions): Promise<Emulator> {
    const configFile = resolve(opts.configFile);
    const config = loadConfig(configFile);
    const log = loggerFromConfig(config);
    const baseFacts = factSourceFromConfig(config, log);
    await baseFacts.reload();
    const classes = new ClassesFile(config.string("classesfile"), log).classes();
    const { agents } = resolveAgents(config, findAgentFiles(agentDirs(config.libdirs)), RESERVED_AGENTS);
    // Native agents only: N virtual nodes share one machine, and Ruby agents would act on it N times.
    const served = new Map(agents.filter((a) => a.kind === "native").map((a) => [a.name, a]));
    const codec = decodeOnce(codecFromConfig(config, "server", log.warn));
    const transport = await connectTransport(config, "server", { mode: "daemon", log: (level, msg) => log[level](msg) });
    const format = opts.identityFormat ?? `emu-%d${config.identity.includes(".") ? config.identity.slice(config.identity.indexOf(".")) : ""}`;
    const identities = Array.from({ length: opts.nodes }, (_, i) => identityOf(format, i));
    const emulator = new Emulator(transport, log, identities);
    // Policies and audit are one for the whole fleet; each node has its own facts and data plugins.
    const hooks = sharedHooks(config, dirname(configFile), log);
    const nodes = identities.map((identity, i) =>
      nodeDeps({ identity, config, configFile, log, codec, transport, served, classes, hooks, facts: { ...baseFacts.facts(), ...spreadFacts(opts.spreads ?? [], i) } }),
    );
    for (const collective of config.collectives) {
      nodes.forEach((deps) => emulator.serve(transport.subscribe({ kind: "node", collective, identity: deps.identity }, (d) => void handleRequest(d, deps))));
      for (const agent of served.keys()) {
        emulator.serve(transport.subscribe({ kind: "agent", collective, agent }, (d) => void fanOut(d, nodes)));
      }
    }
    await transport.flush();
    log.info(`emulating ${identities.length} nodes (${identities[0]} .. ${identities.at(-1)}) serving ${[...served.keys()].join(", ")}`);
    return emulator;
  }

  private serve(sub: { unsubscribe(): void }): void {
    this.subscriptions.push(sub);
  }

  async stop(): Promise<void> {
    for (const sub of this.subscriptions.splice(0)) sub.unsubscribe();
    await this.transport.close();
    this.log.info("stopped");
  }
}

/** How many nodes judge a broadcast before the event loop gets a turn to send their replies. */
const FAN_OUT_CHUNK = 250;

/** Hands a broadcast to every node a chunk at a time, so replies stream out as a real fleet's do instead of in one burst. */
async function fanOut(delivery: Delivery, nodes: PipelineDeps[]): Promise<void> {
  for (let start = 0; start < nodes.length; start += FAN_OUT_CHUNK) {
    await Promise.all(nodes.slice(start, start + FAN_OUT_CHUNK).map((deps) => handleRequest(delivery, deps)));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The codec with each delivery decoded and verified once, however many virtual nodes judge it. */
function decodeOnce(codec: SecurityCodec): SecurityCodec {
  const seen = new WeakMap<Delivery, { request?: InboundRequest; error?: unknown }>();
  return {
    name: codec.name,
    callerid: codec.callerid,
    decodeRequest(delivery, now) {
      let outcome = seen.get(delivery);
      if (!outcome) {
        try {
          outcome = { request: codec.decodeRequest(delivery, now) };
        } catch (error) {
          outcome = { error };
        }
        seen.set(delivery, outcome);
      }
      if (outcome.error !== undefined) throw outcome.error;
      return outcome.request!;
    },
    encodeReply: (request, message, senderid, now) => codec.encodeReply(request, message, senderid, now),
    encodeRequest: (request) => codec.encodeRequest(request),
    decodeReply: (delivery) => codec.decodeReply(delivery),
  };
}

interface NodeSpec {
  identity: string;
  config: Config;
  configFile: string;
  log: Logger;
  codec: SecurityCodec;
  transport: Transport;
  served: Map<string, LoadedAgent>;
  classes: string[];
  facts: Record<string, unknown>;
  hooks: SharedHooks;
}

const NATIVE = nativeAgents();

/** One virtual node's view for the pipeline: its own identity, facts and counters; the config's policies and audit. */
function nodeDeps(spec: NodeSpec): PipelineDeps {
  const { identity, config, log, transport } = spec;
  const now = () => Math.floor(Date.now() / 1000);
  const stats = new Stats(now());
  const { hooks } = spec;
  const data = dataSourceFor(config, dirname(spec.configFile), { agents: () => [...spec.served.keys()], facts: () => spec.facts, agentMetadata: (a) => spec.served.get(a)?.ddl.metadata });
  const context: NativeContext = {
    identity,
    config,
    configFile: spec.configFile,
    version: VERSION,
    pid: process.pid,
    startTime: stats.startTime,
    now,
    facts: () => spec.facts,
    classes: () => spec.classes,
    agents: () => [...spec.served.values()].map((a) => ({ agent: a.name, metadata: a.ddl.metadata })),
    counters: () => stats.snapshot(),
    dataPlugins: () => data.names(),
    queryData: (source, query) => data.query(source, query),
    broker: () => transport.status(),
  };
  return {
    identity,
    log,
    stats,
    now,
    codec: spec.codec,
    agents: () => spec.served,
    facts: () => spec.facts,
    classes: () => spec.classes,
    queryData: (plugin, query) => data.query(plugin, query),
    authorize: (req) => hooks.authorize(req),
    audit: (entry) => hooks.audit(entry),
    native: NATIVE,
    nativeContext: context,
    ruby: () => {
      throw new Error("emulated nodes run native agents only");
    },
    reply: (target, payload) => transport.publish({ kind: "reply", target }, payload),
  };
}
