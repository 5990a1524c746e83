/** The discovery methods, one file each; adding a method is adding a file and a line here. */
import { ClientError } from "../options.js";
import type { Filter } from "../../protocol/index.js";
import { flatfile } from "./flatfile.js";
import { inventory } from "./inventory.js";
import { mc } from "./mc.js";
import { puppetdb } from "./puppetdb.js";
import { stdin } from "./stdin.js";
import { stream } from "./stream.js";
import type { DiscoveryMethod, FilterCapability } from "./types.js";

export type { DiscoveryContext, DiscoveryMethod, DiscoveryNetwork, FilterCapability } from "./types.js";
export { parseNodeList } from "./flatfile.js";
export { nodeQuery } from "./pql.js";
export { parseInventory, selectNodes } from "./inventory.js";

const METHODS: DiscoveryMethod[] = [mc, flatfile, puppetdb, inventory, stream, stdin];

/** The method called `name` or one of its aliases. */
export function discoveryMethod(name: string): DiscoveryMethod {
  const method = METHODS.find((m) => m.name === name || m.aliases.includes(name));
  if (!method) throw new ClientError(`Unknown discovery method ${name}`);
  return method;
}

/** Every registered method's name. */
export function discoveryMethodNames(): string[] {
  return METHODS.map((m) => m.name);
}

/** Refuses filters the method cannot honour, in mco's words, rather than silently widening the node set. */
export function checkCapabilities(method: DiscoveryMethod, filter: Filter, userAgents: string[]): void {
  const used: Array<[FilterCapability, boolean]> = [
    ["identity", filter.identity.length > 0],
    ["fact", filter.fact.length > 0],
    ["class", filter.cf_class.length > 0],
    ["agent", userAgents.length > 0],
    ["compound", filter.compound.length > 0],
  ];
  for (const [capability, inUse] of used) {
    if (inUse && !method.capabilities.includes(capability)) {
      throw new ClientError(`Cannot use ${capability} filters while using the '${method.name}' discovery method`);
    }
  }
}
