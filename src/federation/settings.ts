/** What a federation broker serves, read from its config: the federation network and each member network's brokers. */
import { ConfigError, federationMiddlewareHosts, middlewareHosts, parseBrokerAddress, type BrokerAddress, type Config, type SrvResolver } from "../config/index.js";
import { tlsFiles, type TlsFiles } from "../security/index.js";

export interface MemberNetwork {
  /** The name clients list in `plugin.choria.federation.collectives`. */
  name: string;
  brokers: BrokerAddress[];
}

export interface FederationSettings {
  identity: string;
  tls: TlsFiles;
  /** The federation network's brokers, where clients publish. */
  federation: BrokerAddress[];
  members: MemberNetwork[];
}

/**
 * Choria's form serves one member network, `plugin.choria.federation.cluster` (default `mcollective`) on the
 * `middleware_hosts` brokers; mcompat's `plugin.mcompat.federation.networks` lists several, each with
 * `plugin.mcompat.federation.network.<name>.middleware_hosts`, so one instance joins them all.
 */
export async function federationSettings(config: Config, resolveSrv: SrvResolver): Promise<FederationSettings> {
  const names = config.list("plugin.mcompat.federation.networks");
  const members =
    names.length > 0
      ? names.map((name) => ({ name, brokers: memberBrokers(config, name) }))
      : [{ name: config.string("plugin.choria.federation.cluster", "mcollective"), brokers: await middlewareHosts(config, resolveSrv) }];
  return { identity: config.identity, tls: tlsFiles(config, "server"), federation: await federationMiddlewareHosts(config, resolveSrv), members };
}

function memberBrokers(config: Config, name: string): BrokerAddress[] {
  const key = `plugin.mcompat.federation.network.${name}.middleware_hosts`;
  const hosts = config.list(key);
  if (hosts.length === 0) throw new ConfigError(`member network ${name} needs its brokers in ${key}`, config.file);
  return hosts.map(parseBrokerAddress);
}
