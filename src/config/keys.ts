/** The configuration keys the product reads, with MCollective 2.12 defaults (Choria's where we follow it). */

export type KeyKind = "string" | "int" | "bool" | "list" | "path-list";

export interface KeySpec {
  kind: KeyKind;
  default?: string;
}

/** Keys that are known; anything else outside `plugin.*` draws a warning. */
export const KNOWN_KEYS: Record<string, KeySpec> = {
  identity: { kind: "string" },
  collectives: { kind: "list", default: "mcollective" },
  main_collective: { kind: "string" },
  libdir: { kind: "path-list", default: "" },
  logfile: { kind: "string" },
  loglevel: { kind: "string", default: "info" },
  logger_type: { kind: "string", default: "file" },
  logfacility: { kind: "string", default: "user" },
  keeplogs: { kind: "int", default: "5" },
  max_log_size: { kind: "int", default: "2097152" },
  color: { kind: "bool", default: "1" },
  daemonize: { kind: "bool", default: "0" },
  securityprovider: { kind: "string", default: "choria" },
  connector: { kind: "string", default: "nats" },
  factsource: { kind: "string", default: "yaml" },
  fact_cache_time: { kind: "int", default: "300" },
  classesfile: { kind: "string", default: "/opt/puppetlabs/puppet/cache/state/classes.txt" },
  registration: { kind: "string", default: "Agentlist" },
  registerinterval: { kind: "int", default: "0" },
  registration_collective: { kind: "string" },
  registration_splay: { kind: "bool", default: "0" },
  rpcaudit: { kind: "bool", default: "0" },
  rpcauditprovider: { kind: "string", default: "" },
  rpcauthorization: { kind: "bool", default: "0" },
  rpcauthprovider: { kind: "string", default: "" },
  default_discovery_method: { kind: "string", default: "mc" },
  default_discovery_options: { kind: "list", default: "" },
  discovery_timeout: { kind: "int", default: "2" },
  direct_addressing: { kind: "bool", default: "1" },
  direct_addressing_threshold: { kind: "int", default: "10" },
  rpclimitmethod: { kind: "string", default: "first" },
  ttl: { kind: "int", default: "60" },
  publish_timeout: { kind: "int", default: "2" },
  connection_timeout: { kind: "int" },
  threaded: { kind: "bool", default: "0" },
  default_batch_size: { kind: "int", default: "0" },
  default_batch_sleep_time: { kind: "int", default: "1" },
  activate_agents: { kind: "bool", default: "1" },
  soft_shutdown: { kind: "bool", default: "0" },
  soft_shutdown_timeout: { kind: "int", default: "2" },
  ssl_cipher: { kind: "string", default: "aes-256-cbc" },
  rpchelptemplate: { kind: "string" },
  helptemplatedir: { kind: "string" },
  topicprefix: { kind: "string" },
  topicsep: { kind: "string" },
  queueprefix: { kind: "string" },
};
