/** `fact`: a structured fact by dotted path; containers come back as JSON text. */
import { stringifyJson } from "../../../protocol/index.js";
import { dataDdl, queryDefaults } from "../ddl.js";
import type { DataPluginFactory } from "../plugin.js";
import { CORE_METADATA } from "./metadata.js";

const ddl = dataDdl({
  metadata: { ...CORE_METADATA, name: "Fact", description: "Structured fact query", author: "Puppet Labs" },
  description: "Fact",
  query: { prompt: "Fact Path", description: "Path to a fact, eg network.eth0.address", type: "string", validation: "(?-mix:.)", maxlength: 256 },
  outputs: {
    exists: { description: "Fact is present", display_as: "exists" },
    value: { description: "Fact value", display_as: "value" },
    value_encoding: { description: "Encoding of the fact value (text/plain or application/json)", display_as: "value_encoding" },
  },
});

export const fact: DataPluginFactory = (ctx) => ({
  name: "fact",
  ddl,
  async query(arg) {
    const missing = { ...queryDefaults(ddl), exists: false, value: false, value_encoding: false };
    let node: unknown = ctx.facts();
    for (const level of (arg ?? "").split(".")) {
      if (Array.isArray(node)) {
        if (!/^-?\d+$/.test(level)) throw new Error(`invalid value for Integer(): "${level}"`);
        if (Number(level) >= node.length) return missing;
        node = node.at(Number(level));
      } else if (node !== null && typeof node === "object" && Object.hasOwn(node, level)) {
        node = (node as Record<string, unknown>)[level];
      } else {
        return missing;
      }
    }
    const structured = node !== null && typeof node === "object";
    return {
      ...missing,
      exists: true,
      value: structured ? stringifyJson(node) : node,
      value_encoding: structured ? "application/json" : "text/plain",
    };
  },
});
