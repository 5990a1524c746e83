/** `agent`: the metadata of a loaded agent. */
import { dataDdl, queryDefaults } from "../ddl.js";
import type { DataPluginFactory } from "../plugin.js";
import { CORE_METADATA } from "./metadata.js";

const ITEMS = ["license", "timeout", "description", "url", "version", "author"] as const;

const ddl = dataDdl({
  metadata: { ...CORE_METADATA, name: "Agent", description: "Meta data about installed MColletive Agents" },
  description: "Agent Meta Data",
  query: { prompt: "Agent Name", description: "Valid agent name", type: "string", validation: "(?-mix:^[\\w\\_]+$)", maxlength: 20 },
  outputs: Object.fromEntries(ITEMS.map((item) => [item, { description: `Agent ${item}`, display_as: item[0].toUpperCase() + item.slice(1) }])),
});

export const agent: DataPluginFactory = (ctx) => ({
  name: "agent",
  ddl,
  async query(arg) {
    const name = arg ?? "";
    if (!ctx.agents().includes(name)) throw new Error(`No agent called ${name} found`);
    const meta = ctx.agentMetadata?.(name) ?? {};
    return { ...queryDefaults(ddl), agent: name, ...Object.fromEntries(ITEMS.map((item) => [item, meta[item] ?? null])) };
  },
});
