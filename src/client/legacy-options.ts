/** A legacy SimpleRPC options hash (what MCollective's Optionparser and RPC::Client hold) as our ClientOptions. */
import { readFilter } from "../protocol/filter.js";
import type { ClientOptions } from "./options.js";

type LegacyOptions = Record<string, unknown>;

const num = (v: unknown): number | undefined => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : undefined);
const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * The client options for `agent`'s calls. The legacy filter holds the called agent itself; ours adds it on sending,
 * so it is taken out here. `timeout` is the client's resolved one (RPC::Client applied the DDL rule already).
 */
export function clientOptionsFromLegacy(options: LegacyOptions, agent: string): ClientOptions {
  const filter = readFilter(options.filter ?? { fact: [], cf_class: [], identity: [], compound: [] }, "application");
  const limit = options.mcollective_limit_targets;
  const connectSec = num(options.connection_timeout);
  return {
    filter: {
      facts: filter.fact,
      classes: filter.cf_class,
      agents: filter.agent.filter((a) => a !== agent),
      identities: filter.identity,
      compound: filter.compound,
    },
    collective: text(options.collective),
    discovery: {
      method: text(options.discovery_method),
      options: Array.isArray(options.discovery_options) ? options.discovery_options.map(String) : undefined,
      timeoutSec: num(options.disctimeout),
    },
    timeoutSec: num(options.timeout),
    ttl: num(options.ttl),
    limit: limit === false || limit === null || limit === undefined ? undefined : String(limit),
    limitSeed: num(options.limit_seed),
    connectTimeoutMs: connectSec === undefined ? undefined : connectSec * 1000,
    publishTimeoutSec: num(options.publish_timeout),
  };
}
