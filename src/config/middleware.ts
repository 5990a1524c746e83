/** Which brokers to connect to: explicit hosts, else DNS SRV records, else puppet:4222. */
import type { Config } from "./config.js";

export interface BrokerAddress {
  host: string;
  port: number;
}

/** Looks up SRV records; injected so that this module does no I/O of its own. */
export type SrvResolver = (name: string) => Promise<Array<{ name: string; port: number; priority: number; weight: number }>>;

const SRV_NAMES = ["_mcollective-server._tcp", "_x-puppet-mcollective._tcp"];
const FEDERATION_SRV_NAMES = ["_mcollective-federation_server._tcp", "_x-puppet-mcollective_federation._tcp"];

/** Parses `host:port` (default port 4222), accepting a `nats://` or `tls://` scheme. */
export function parseBrokerAddress(spec: string): BrokerAddress {
  const bare = spec.trim().replace(/^[a-z]+:\/\//, "");
  const match = /^(.*?)(?::(\d+))?$/.exec(bare)!;
  return { host: match[1], port: match[2] ? Number(match[2]) : 4222 };
}

/** The domain part of an identity (`example.net` of `web1.example.net`), if it has one. */
export function identityDomain(identity: string): string | undefined {
  const dot = identity.indexOf(".");
  return dot > 0 ? identity.slice(dot + 1) : undefined;
}

/** The SRV domain: `plugin.choria.srv_domain`, `CHORIA_SRV_DOMAIN`, else the domain part of the identity. */
export function srvDomain(config: Config, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = config.get("plugin.choria.srv_domain") ?? env.CHORIA_SRV_DOMAIN;
  return explicit || identityDomain(config.identity);
}

/** Resolves the broker list in Choria's order of precedence. */
export async function middlewareHosts(config: Config, resolveSrv: SrvResolver): Promise<BrokerAddress[]> {
  return (await listedOrSrv(config, "plugin.choria.middleware_hosts", SRV_NAMES, resolveSrv)) ?? [{ host: "puppet", port: 4222 }];
}

/**
 * The brokers of the federation network: `plugin.choria.federation_middleware_hosts`, else its SRV records, else the
 * client's usual brokers (Choria's fallback, so a site may run one network for both).
 */
export async function federationMiddlewareHosts(config: Config, resolveSrv: SrvResolver): Promise<BrokerAddress[]> {
  return (await listedOrSrv(config, "plugin.choria.federation_middleware_hosts", FEDERATION_SRV_NAMES, resolveSrv)) ?? middlewareHosts(config, resolveSrv);
}

/** The hosts a key lists, else the first SRV name that has records (when SRV is on); undefined when neither gives any. */
async function listedOrSrv(config: Config, key: string, srvNames: string[], resolveSrv: SrvResolver): Promise<BrokerAddress[] | undefined> {
  const explicit = config.list(key);
  if (explicit.length > 0) return explicit.map(parseBrokerAddress);
  const domain = srvDomain(config);
  if (!config.bool("plugin.choria.use_srv", true) || !domain) return undefined;
  for (const name of srvNames) {
    const records = await resolveSrv(`${name}.${domain}`).catch(() => []);
    if (records.length > 0) {
      return records.sort((a, b) => a.priority - b.priority || b.weight - a.weight).map((r) => ({ host: r.name, port: r.port }));
    }
  }
  return undefined;
}
