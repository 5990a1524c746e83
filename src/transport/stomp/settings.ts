/** The STOMP connector settings, read from `plugin.activemq.*` / `plugin.rabbitmq.*` with legacy 2.12 defaults. */
import { existsSync } from "node:fs";
import { Config, ConfigError } from "../../config/index.js";

export type StompConnector = "activemq" | "rabbitmq";

/** TLS for one pool member: verified mutual TLS, or unverified when `ssl.fallback` allowed it. */
export interface StompTls {
  ca?: string;
  cert?: string;
  key?: string;
  /** False only for `ssl.fallback = 1` without a complete cert/key/ca set, as legacy falls back. */
  verify: boolean;
  ciphers?: string;
}

export interface StompBroker {
  host: string;
  port: number;
  user: string;
  password: string;
  tls?: StompTls;
}

export interface StompReconnect {
  initialDelayMs: number;
  maxDelayMs: number;
  exponential: boolean;
  multiplier: number;
  /** 0 = forever. */
  maxAttempts: number;
  randomize: boolean;
}

export interface StompSettings {
  connector: StompConnector;
  brokers: StompBroker[];
  /** CONNECT `host` header. */
  vhost: string;
  /** Seconds; 0 = STOMP 1.0 without heart-beats, else STOMP 1.1 with heart-beats (at least 30). */
  heartbeatInterval: number;
  /** Offer 1.0 beside 1.1 when heart-beats are on. */
  stomp10Fallback: boolean;
  /** Missed broker heart-beat checks before reconnecting; 0 = never (ruby-stomp's `max_hbread_fails`). */
  maxHbreadFails: number;
  base64: boolean;
  /** ActiveMQ `priority` header when > 0. */
  priority: number;
  agentsMultiplex: boolean;
  /** RabbitMQ: replies through `/exchange/mcollective_reply/...` instead of a temp queue. */
  useReplyExchange: boolean;
  /** Seconds to wait for CONNECTED on one attempt. */
  connectTimeout: number;
  reconnect: StompReconnect;
}

/** Reads the connector named by `connector =`; throws ConfigError as legacy raises on a missing pool. */
export function stompSettingsFromConfig(
  config: Config,
  _role: "server" | "client",
  env: NodeJS.ProcessEnv = process.env,
): StompSettings {
  const connector = config.string("connector").toLowerCase();
  if (connector !== "activemq" && connector !== "rabbitmq") {
    throw new ConfigError(`connector '${connector}' is not a STOMP connector (activemq or rabbitmq)`, config.file);
  }
  const p = `plugin.${connector}.`;
  const size = config.int(`${p}pool.size`, 0);
  if (size < 1) throw new ConfigError(`No hosts found for the ${connector} connection pool (${p}pool.size)`, config.file);
  const brokers: StompBroker[] = [];
  for (let n = 1; n <= size; n++) {
    const host = config.get(`${p}pool.${n}.host`);
    if (!host) throw new ConfigError(`${p}pool.${n}.host is not set`, config.file);
    brokers.push({
      host,
      port: config.int(`${p}pool.${n}.port`, 61613),
      // The environment wins over the file, as the Ruby connector reads it.
      user: env.STOMP_USER ?? config.string(`${p}pool.${n}.user`),
      password: env.STOMP_PASSWORD ?? config.string(`${p}pool.${n}.password`),
      tls: config.bool(`${p}pool.${n}.ssl`) ? tlsFor(config, connector, n, env) : undefined,
    });
  }
  const heartbeat = config.int(`${p}heartbeat_interval`, 0);
  return {
    connector,
    brokers,
    vhost: config.string(`${p}vhost`, connector === "activemq" ? "mcollective" : "/"),
    // Legacy raises anything below 30 s to 30 s.
    heartbeatInterval: heartbeat > 0 ? Math.max(heartbeat, 30) : 0,
    stomp10Fallback: config.bool(`${p}stomp_1_0_fallback`, true),
    maxHbreadFails: config.int(`${p}max_hbread_fails`, 2),
    base64: config.bool(`${p}base64`, false),
    priority: connector === "activemq" ? config.int(`${p}priority`, 0) : 0,
    agentsMultiplex: config.bool(`${p}agents_multiplex`, false),
    useReplyExchange: connector === "rabbitmq" && config.bool(`${p}use_reply_exchange`, false),
    connectTimeout: config.int(`${p}connect_timeout`, 30),
    reconnect: {
      initialDelayMs: seconds(config, `${p}initial_reconnect_delay`, 0.01),
      maxDelayMs: seconds(config, `${p}max_reconnect_delay`, 30),
      exponential: config.bool(`${p}use_exponential_back_off`, true),
      multiplier: config.int(`${p}back_off_multiplier`, 2),
      maxAttempts: config.int(`${p}max_reconnect_attempts`, 0),
      randomize: config.bool(`${p}randomize`, false),
    },
  };
}

/** Legacy writes these delays as float seconds (`0.01`). */
function seconds(config: Config, key: string, fallback: number): number {
  const raw = config.get(key);
  if (raw === undefined || raw === "") return fallback * 1000;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new ConfigError(`Could not parse value for configuration option '${key}' with value '${raw}'`, config.file);
  }
  return value * 1000;
}

/** Cert and key may come from MCOLLECTIVE_<CONNECTOR>_POOL<N>_SSL_CERT/_KEY, as legacy allows. */
function tlsFor(config: Config, connector: StompConnector, n: number, env: NodeJS.ProcessEnv): StompTls {
  const p = `plugin.${connector}.pool.${n}.ssl`;
  const envPrefix = `MCOLLECTIVE_${connector.toUpperCase()}_POOL${n}_SSL_`;
  const cert = env[`${envPrefix}CERT`] ?? config.get(`${p}.cert`);
  const key = env[`${envPrefix}KEY`] ?? config.get(`${p}.key`);
  const ca = config.get(`${p}.ca`);
  const ciphers = config.get(`${p}.ciphers`) || undefined;
  const missing = [cert ? undefined : "cert", key ? undefined : "key", ca ? undefined : "ca"].filter(Boolean);
  const absent = [cert, key, ...(ca ?? "").split(",")].filter((f) => f && !existsSync(f));
  if (missing.length === 0 && absent.length === 0) return { ca, cert, key, verify: true, ciphers };
  if (config.bool(`${p}.fallback`, false)) return { verify: false, ciphers };
  const why = missing.length > 0 ? `${missing.join(", ")} not set` : `cannot find ${absent.join(", ")}`;
  throw new ConfigError(`${p}: cert, key and ca have to be supplied for verified SSL mode (${why})`, config.file);
}

/** The config lines naming a STOMP pool (the inverse of the reading above), for configs mcompat writes. */
export function stompConfigLines(connector: StompConnector, pool: Array<{ host: string; port: number }>, login: { user: string; password: string }): Record<string, string> {
  const p = `plugin.${connector}`;
  const lines: Record<string, string> = { connector, [`${p}.pool.size`]: String(pool.length) };
  pool.forEach(({ host, port }, i) => {
    Object.assign(lines, { [`${p}.pool.${i + 1}.host`]: host, [`${p}.pool.${i + 1}.port`]: String(port), [`${p}.pool.${i + 1}.user`]: login.user, [`${p}.pool.${i + 1}.password`]: login.password });
  });
  // RabbitMQ needs a vhost of its own; the launcher and the docs use /mcollective.
  if (connector === "rabbitmq") lines[`${p}.vhost`] = "/mcollective";
  return lines;
}
