/** `collective`: whether this node is a member of the named collective. */
import { dataDdl, queryDefaults } from "../ddl.js";
import type { DataPluginFactory } from "../plugin.js";
import { CORE_METADATA } from "./metadata.js";

const ddl = dataDdl({
  metadata: { ...CORE_METADATA, name: "Collective", description: "Collective membership", author: "Puppet Labs" },
  description: "Collective",
  query: { prompt: "Collective", description: "Collective name to ask about, eg mcollective", type: "string", validation: "(?-mix:.)", maxlength: 256 },
  outputs: { member: { description: "Node is a member of the named collective", display_as: "member" } },
});

export const collective: DataPluginFactory = (ctx) => ({
  name: "collective",
  ddl,
  async query(arg) {
    return { ...queryDefaults(ddl), member: (ctx.collectives?.() ?? []).includes(arg ?? "") };
  },
});
