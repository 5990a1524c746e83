/** A real ActiveMQ or RabbitMQ on loopback ports for one test file, and configs that point at it. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Config } from "../../src/config/index.js";
import { startActiveMq, type RunningActiveMq } from "../../src/transport/activemq-broker.js";
import { startRabbitMq, type RunningRabbitMq } from "../../src/transport/rabbitmq-broker.js";
import { stompConfigLines, stompSettingsFromConfig, type StompSettings } from "../../src/transport/stomp/index.js";
import { testCert } from "./pki.js";

export const STOMP_USER = "mcollective";
export const STOMP_PASSWORD = "marionette";

/** ActiveMQ with STOMP (and STOMP+SSL when `tls`); call `stop()` in an `after` hook. */
export async function testActiveMq(opts: { tls?: boolean; dir?: string; port?: number; sslPort?: number } = {}): Promise<RunningActiveMq> {
  const tls = opts.tls ? { ...(await testCert("activemq.test", ["localhost", "127.0.0.1"])), port: opts.sslPort } : undefined;
  return startActiveMq({
    dir: opts.dir ?? mkdtempSync(join(tmpdir(), "mcompat-test-activemq-")),
    port: opts.port,
    tls,
    password: STOMP_PASSWORD,
    heapMb: 192,
  });
}

/** RabbitMQ with its STOMP plugin, the `/mcollective` vhost and the exchanges of `collectives`. */
export async function testRabbitMq(
  collectives = ["mcollective"],
  opts: { tls?: boolean; dir?: string; port?: number; sslPort?: number } = {},
): Promise<RunningRabbitMq> {
  const tls = opts.tls ? { ...(await testCert("rabbitmq.test", ["localhost", "127.0.0.1"])), port: opts.sslPort } : undefined;
  return startRabbitMq({
    dir: opts.dir ?? mkdtempSync(join(tmpdir(), "mcompat-test-rabbitmq-")),
    port: opts.port,
    tls,
    password: STOMP_PASSWORD,
    collectives,
  });
}

/** A server.cfg/client.cfg text for `connector` with one pool member per `host:port`, plus extra lines. */
export function stompConfigText(connector: "activemq" | "rabbitmq", pool: string[], extra: string[] = []): string {
  const members = pool.map((hostPort) => ({ host: hostPort.split(":")[0], port: Number(hostPort.split(":")[1]) }));
  const lines = Object.entries(stompConfigLines(connector, members, { user: STOMP_USER, password: STOMP_PASSWORD })).map(([k, v]) => `${k} = ${v}`);
  return [...lines, ...extra].join("\n") + "\n";
}

/** Settings as the product reads them from such a config (no STOMP_USER/STOMP_PASSWORD from the test's env). */
export function stompSettings(connector: "activemq" | "rabbitmq", pool: string[], extra: string[] = []): StompSettings {
  return stompSettingsFromConfig(Config.fromText(stompConfigText(connector, pool, extra)), "server", {});
}
