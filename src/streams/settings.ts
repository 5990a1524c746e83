/**
 * A data adapter's settings (protocol.md §8.2): Choria's `plugin.choria.adapter.<name>.*` keys, plus mcompat's stream
 * name and limits, since mcompat creates the stream rather than leaving it to the operator.
 */
import { ConfigError, parseBrokerAddress, type BrokerAddress, type Config } from "../config/index.js";
import type { IngestProtocol } from "./message.js";

export interface AdapterSettings {
  name: string;
  ingest: { topic: string; protocol: IngestProtocol; queue: string };
  stream: {
    /** The JetStream stream (default: the adapter's name in capitals). */
    name: string;
    /** Where each message goes; `%s` is the sender's identity. */
    topic: string;
    /** The subject the stream holds (the topic with a trailing `%s` as `>`). */
    subjects: string;
    /** Brokers of the stream; undefined means the adapter's own. */
    servers?: BrokerAddress[];
    maxAgeSec: number;
    maxBytes: number;
    /** Records kept per node (per subject when the topic names the sender); 0 is no limit. */
    maxPerSubject: number;
  };
  /** Messages waiting for the stream's acknowledgement at most; beyond that new ones are dropped. */
  queueLength: number;
  workers: number;
}

const TYPES = ["choria_streams", "jetstream"];

/** Every adapter `plugin.choria.adapters` names; a wrong setting is a ConfigError naming its key. */
export function adapterSettings(config: Config): AdapterSettings[] {
  return config.list("plugin.choria.adapters").map((name) => oneAdapter(config, name));
}

function oneAdapter(config: Config, name: string): AdapterSettings {
  const key = (k: string) => `plugin.choria.adapter.${name}.${k}`;
  const type = config.string(key("type"));
  if (!TYPES.includes(type)) throw new ConfigError(`${key("type")} is '${type}': mcompat runs ${TYPES.join(" (or ")}) adapters`, config.file);
  const topic = config.string(key("ingest.topic"));
  if (!topic) throw new ConfigError(`${key("ingest.topic")} must be set`, config.file);
  const protocol = config.string(key("ingest.protocol"), "reply");
  if (protocol !== "request" && protocol !== "reply") throw new ConfigError(`${key("ingest.protocol")} must be request or reply, not '${protocol}'`, config.file);
  const streamTopic = config.string(key("stream.topic"), name);
  if (streamTopic.includes("%s") && !streamTopic.endsWith(".%s")) throw new ConfigError(`${key("stream.topic")} may name the sender (%s) only as its last part`, config.file);
  const servers = config.list(key("stream.servers"));
  return {
    name,
    ingest: { topic, protocol, queue: `nats_ingest_${name}` },
    stream: {
      name: config.string(key("stream.name"), name.toUpperCase().replace(/[^A-Z0-9_-]/g, "_")),
      topic: streamTopic,
      subjects: streamTopic.replace(/%s$/, ">"),
      servers: servers.length > 0 ? servers.map(parseBrokerAddress) : undefined,
      maxAgeSec: seconds(config, key("stream.max_age"), "1d"),
      maxBytes: config.int(key("stream.max_bytes"), 256 * 1024 * 1024),
      maxPerSubject: config.int(key("stream.max_msgs_per_subject"), 0),
    },
    queueLength: config.int(key("queue_len"), 1000),
    workers: config.int(key("stream.workers"), 10),
  };
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** A duration in seconds: a number, or one with a unit (`90s`, `30m`, `12h`, `7d`). */
function seconds(config: Config, key: string, fallback: string): number {
  const raw = config.string(key, fallback);
  const match = /^(\d+)([smhd]?)$/.exec(raw.trim());
  if (!match) throw new ConfigError(`${key} is '${raw}': use seconds or a number with s, m, h or d`, config.file);
  return Number(match[1]) * UNITS[match[2] || "s"];
}
