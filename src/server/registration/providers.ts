/** Registration payloads by `registration` name: the legacy agent list and Choria's file and inventory content. */
import { readFileSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import type { Config } from "../../config/index.js";
import { stringifyJson } from "../../protocol/index.js";

/** What a provider may read. */
export interface ProviderContext {
  config: Config;
  inventory: () => Record<string, unknown>;
  agents: () => string[];
}

/** One registration message: the request body (a value each security plugin serializes its way) and, when configured, a subject of its own. */
export interface RegistrationItem {
  body: unknown;
  target?: string;
}

/** A provider keeps its own state between polls (file_content remembers the last mtime). */
export type RegistrationProvider = (ctx: ProviderContext) => () => RegistrationItem;

const choriaConf = (config: Config, provider: string, key: string) => config.get(`plugin.choria.registration.${provider}.${key}`);
const targetOf = (config: Config, provider: string) => choriaConf(config, provider, "target") || undefined;
const compressed = (config: Config, provider: string) => config.bool(`plugin.choria.registration.${provider}.compression`, true);

/** The legacy `Agentlist` plugin: the names of the loaded agents. */
const agentlist: RegistrationProvider = (ctx) => () => ({ body: ctx.agents() });

/** `file_content`: a data file's bytes, gzipped unless compression is off, and whether it changed since last time. */
const fileContent: RegistrationProvider = (ctx) => {
  let previousMtime = 0;
  return () => {
    const file = choriaConf(ctx.config, "file_content", "data");
    if (!file) throw new Error("file_content registration needs plugin.choria.registration.file_content.data");
    const stat = statSync(file);
    if (stat.size === 0) throw new Error(`data file ${file} is empty`);
    const content = readFileSync(file);
    const mtime = Math.floor(stat.mtimeMs / 1000);
    const updated = mtime > previousMtime;
    if (updated) previousMtime = mtime;
    const payload = { protocol: "choria:registration:filecontent:1", file, mtime, updated, ...contentField(content, compressed(ctx.config, "file_content")) };
    return { body: payload, target: targetOf(ctx.config, "file_content") };
  };
};

/** `inventory_content`: the node's inventory (agents, classes, facts, status, collectives, ...). */
const inventoryContent: RegistrationProvider = (ctx) => () => {
  const inventory = ctx.inventory();
  const zip = compressed(ctx.config, "inventory_content");
  const payload = { protocol: "choria:registration:inventorycontent:1", ...(zip ? contentField(Buffer.from(stringifyJson(inventory)), true) : { content: inventory }) };
  return { body: payload, target: targetOf(ctx.config, "inventory_content") };
};

// Bytes travel base64-encoded, as Go's JSON encodes a []byte.
function contentField(bytes: Buffer, zip: boolean): { content: string } | { zcontent: string } {
  return zip ? { zcontent: gzipSync(bytes).toString("base64") } : { content: bytes.toString("base64") };
}

/** Providers by lower-cased `registration` name; adding one is adding a line. */
export const PROVIDERS: Record<string, RegistrationProvider> = {
  agentlist,
  file_content: fileContent,
  inventory_content: inventoryContent,
};
