/** A NATS connection over mutual TLS with the behaviour both sides need: retry forever or fail fast, clearly. */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { BrokerAddress } from "../config/index.js";
import { withDeadline } from "../deadline.js";

export type { NatsConnection, Msg, Subscription } from "@nats-io/transport-node";

/** The broker could not be reached; the message names every host tried. */
export class BrokerUnreachableError extends Error {
  constructor(readonly hosts: string[], reason: string) {
    super(`Could not connect to the broker at ${hosts.join(", ")}: ${reason}`);
    this.name = "BrokerUnreachableError";
  }
}

export interface ConnectOptions {
  brokers: BrokerAddress[];
  tls: { cert: string; key: string; ca: string };
  /** Connection name shown by the broker; the identity, as nats-pure sent it. */
  name: string;
  /**
   * `daemon`: wait for the first connection and reconnect forever (servers).
   * `client`: give up after `timeoutMs` and throw BrokerUnreachableError (mco).
   */
  mode: "daemon" | "client";
  timeoutMs?: number;
}

/** How every connection retries a lost broker: forever, a second apart (plus up to a second of jitter with TLS). */
export const RECONNECT = { maxReconnectAttempts: -1, reconnectTimeWait: 1000, reconnectJitterTLS: 1000 } as const;

/** Opens the connection; in client mode it never hangs past the timeout. */
export async function connectBroker(opts: ConnectOptions): Promise<NatsConnection> {
  const servers = opts.brokers.map((b) => `${b.host}:${b.port}`);
  const timeout = opts.timeoutMs ?? 5000;
  const attempt = connect({
    servers,
    name: opts.name,
    tls: { certFile: opts.tls.cert, keyFile: opts.tls.key, caFile: opts.tls.ca },
    timeout,
    ...RECONNECT,
    waitOnFirstConnect: opts.mode === "daemon",
    pingInterval: 30_000,
  });
  if (opts.mode === "daemon") return attempt;
  try {
    return await withDeadline(attempt, timeout, () => new Error(`no connection within ${timeout / 1000}s`));
  } catch (err) {
    // A late success must not leak an open connection.
    void attempt.then((nc) => nc.close()).catch(() => undefined);
    throw new BrokerUnreachableError(servers, (err as Error).message);
  }
}
