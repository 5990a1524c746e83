/** `inventory`: nodes and their facts, classes and agents from a YAML/JSON file, filtered locally (protocol.md §5.5). */
import { createRequire } from "node:module";
import { buildFilter, matchFilter } from "../../filter/index.js";
import type { Filter } from "../../protocol/index.js";
import { ClientError } from "../options.js";
import { discoveryOption, readDiscoveryFile, type DiscoveryMethod } from "./types.js";

interface InventoryNode {
  name: string;
  collectives?: string[];
  facts?: Record<string, unknown>;
  classes?: string[];
  agents?: string[];
}

interface InventoryGroup {
  name: string;
  filter?: { agents?: string[]; classes?: string[]; facts?: string[]; identities?: string[]; compound?: string };
}

interface InventoryFile {
  nodes?: InventoryNode[];
  groups?: InventoryGroup[];
}

/** Reads and checks an inventory document. */
export function parseInventory(text: string, file: string): InventoryFile {
  let doc: unknown;
  try {
    // Loaded on use: the YAML library is 70 modules that every other mco run would pay for at start-up.
    const { parse } = createRequire(import.meta.url)("yaml") as typeof import("yaml");
    doc = parse(text);
  } catch (err) {
    throw new ClientError(`The inventory file ${file} is not valid YAML or JSON: ${(err as Error).message}`);
  }
  const inventory = (doc ?? {}) as InventoryFile;
  if (typeof inventory !== "object" || (inventory.nodes !== undefined && !Array.isArray(inventory.nodes))) {
    throw new ClientError(`The inventory file ${file} needs a "nodes" list`);
  }
  for (const node of inventory.nodes ?? []) {
    if (typeof node?.name !== "string" || node.name === "") throw new ClientError(`The inventory file ${file} has a node without a name`);
  }
  return inventory;
}

/** Nodes of the inventory that pass `filter` in `collective`; `group:<name>` identities expand to that group's filter. */
export function selectNodes(inventory: InventoryFile, filter: Filter, collective: string): string[] {
  const groups = filter.identity.filter((i) => i.startsWith("group:")).map((i) => i.slice(6));
  const plain: Filter = { ...filter, identity: filter.identity.filter((i) => !i.startsWith("group:")) };
  const groupFilters = groups.map((name) => {
    const group = (inventory.groups ?? []).find((g) => g.name === name);
    if (!group) throw new ClientError(`Unknown inventory group '${name}'`);
    const f = group.filter ?? {};
    return buildFilter({ facts: f.facts, classes: f.classes, agents: f.agents, identities: f.identities, compound: f.compound ? [f.compound] : [] });
  });
  return (inventory.nodes ?? [])
    .filter((node) => (node.collectives ?? [collective]).includes(collective))
    .filter((node) => {
      const view = { identity: node.name, facts: node.facts ?? {}, classes: node.classes ?? [], agents: node.agents ?? [] };
      return matchFilter(plain, view) && groupFilters.every((g) => matchFilter(g, view));
    })
    .map((node) => node.name);
}

export const inventory: DiscoveryMethod = {
  name: "inventory",
  aliases: [],
  capabilities: ["identity", "fact", "class", "agent", "compound"],
  timed: false,
  async discover(ctx) {
    const file = discoveryOption(ctx.options, "file", true) ?? ctx.config.get("plugin.choria.discovery.inventory.source");
    if (!file) throw new ClientError("The inventory discovery method needs a file: --do file=FILE or plugin.choria.discovery.inventory.source");
    return selectNodes(parseInventory(readDiscoveryFile(file, "the inventory file"), file), ctx.filter, ctx.collective);
  },
};
