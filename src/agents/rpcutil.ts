/** The `rpcutil` agent every node serves, answered from the daemon's real state. */
import { lookupFact } from "../filter/index.js";
import type { NativeAgent, NativeContext } from "./context.js";
import { RpcError } from "./errors.js";

type Action = (data: Record<string, unknown>, ctx: NativeContext) => Promise<Record<string, unknown>> | Record<string, unknown>;

const actions: Record<string, Action> = {
  ping: (_data, ctx) => ({ pong: ctx.now() }),

  inventory: (_data, ctx) => ({
    agents: ctx.agents().map((a) => a.agent),
    classes: ctx.classes(),
    collectives: ctx.config.collectives,
    data_plugins: [...ctx.dataPlugins()].sort(),
    facts: ctx.facts(),
    machines: [],
    main_collective: ctx.config.mainCollective,
    version: ctx.version,
    upgradable: false,
  }),

  get_fact: (data, ctx) => {
    const fact = String(data.fact);
    return { fact, value: lookupFact(ctx.facts(), fact) ?? null };
  },

  get_facts: (data, ctx) => {
    const facts = ctx.facts();
    const names = String(data.facts).split(",").map((n) => n.trim()).filter((n) => n !== "");
    return { values: Object.fromEntries(names.map((n) => [n, lookupFact(facts, n) ?? null])) };
  },

  agent_inventory: (_data, ctx) => ({
    agents: ctx.agents().map(({ agent, metadata }) => ({ agent, ...metadata, name: metadata.name || agent })),
  }),

  daemon_stats: (_data, ctx) => {
    const counters = ctx.counters();
    const usage = process.cpuUsage();
    return {
      agents: ctx.agents().map((a) => a.agent),
      configfile: ctx.configFile,
      filtered: counters.filtered,
      pid: ctx.pid,
      passed: counters.passed,
      threads: [`node ${process.version} event loop, uptime ${ctx.now() - ctx.startTime}s`],
      replies: counters.replies,
      starttime: ctx.startTime,
      ttlexpired: counters.ttlexpired,
      events: 0,
      times: { cstime: 0, cutime: 0, stime: usage.system / 1e6, utime: usage.user / 1e6 },
      total: counters.total,
      unvalidated: counters.unvalidated,
      validated: counters.validated,
      version: ctx.version,
    };
  },

  collective_info: (_data, ctx) => ({ main_collective: ctx.config.mainCollective, collectives: ctx.config.collectives }),

  get_config_item: (data, ctx) => {
    const item = String(data.item);
    const value = ctx.config.get(item) ?? (item.startsWith("plugin.") ? undefined : ctx.config.get(`plugin.${item}`));
    if (value === undefined) throw new RpcError(1, `Unknown config property ${item}`);
    return { item, value };
  },

  get_data: async (data, ctx) => {
    const source = String(data.source);
    const query = data.query === undefined || data.query === null ? null : String(data.query);
    const result = await ctx.queryData(source, query);
    if (result === undefined) throw new RpcError(1, `Unknown data plugin ${source}`);
    return result;
  },
};

/** The native rpcutil agent. */
export const rpcutil: NativeAgent = {
  name: "rpcutil",
  run(action, data, ctx) {
    const run = actions[action];
    if (!run) throw new RpcError(2, `Unknown action '${action}' for agent 'rpcutil'`);
    return run(data, ctx);
  },
};
