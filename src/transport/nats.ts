/** The `nats` transport (Choria): destinations are subjects, replies go to the request's reply subject. */
import { broadcastSubject, nodeSubject, replySubject } from "../protocol/index.js";
import type { Delivery, Destination, InboxSpec, PublishOptions, ReplyInbox, Transport, TransportStatus } from "../wire/types.js";
import { connectBroker, type ConnectOptions, type Msg, type NatsConnection } from "./connection.js";
import { DeliveryQueue } from "./inbox.js";

type StatusListener = (event: "disconnect" | "reconnect" | "error", detail: string) => void;

/** The subject a destination names on a Choria network. */
export function natsSubject(dest: Destination): string {
  if (dest.kind === "node") return nodeSubject(dest.collective, dest.identity);
  if (dest.kind === "agent") return broadcastSubject(dest.collective, dest.agent);
  return dest.target;
}

const delivery = (msg: Msg): Delivery => ({ body: msg.data, replyTo: msg.reply || undefined, headers: {} });

/**
 * Bytes published while the broker is away that wait for the next connection, as nats.go's reconnect buffer (Choria's
 * daemon and client) holds 8 MiB: nats.js drops them when it reconnects, so a reply finished mid-outage was lost unsaid.
 */
const HELD_BYTES = 8 * 1024 * 1024;

export class NatsTransport implements Transport {
  readonly name = "nats";
  private connected = true;
  private reconnects = 0;
  private readonly listeners: StatusListener[] = [];
  private held: Array<() => void> = [];
  private heldBytes = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly brokers: string[],
    private readonly pid = process.pid,
  ) {
    void this.watch();
  }

  subscribe(dest: Destination, handler: (delivery: Delivery) => void): { unsubscribe(): void } {
    const sub = this.nc.subscribe(natsSubject(dest), { callback: (err, msg) => void (err || handler(delivery(msg))) });
    return { unsubscribe: () => sub.unsubscribe() };
  }

  /** Throws when the broker is away and `HELD_BYTES` already wait for it, as nats.go refuses such a publish. */
  publish(dest: Destination, body: Uint8Array | string, opts: PublishOptions = {}): void {
    const send = () => this.nc.publish(natsSubject(dest), body, opts.replyTo ? { reply: opts.replyTo } : undefined);
    if (this.connected) return send();
    const size = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
    if (this.heldBytes + size > HELD_BYTES) throw new Error(`the broker connection is down and ${this.heldBytes} bytes already wait for it`);
    this.held.push(send);
    this.heldBytes += size;
  }

  flush(): Promise<void> {
    return this.nc.flush();
  }

  /** Ruby's reply subject, `<collective>.reply.<md5(callerid)>.<pid>.<seq>`, subscribed before anything is sent. */
  openInbox(spec: InboxSpec): ReplyInbox {
    const replyTo = replySubject(spec.collective, spec.callerid, this.pid, spec.seq);
    const queue = new DeliveryQueue();
    const sub = this.nc.subscribe(replyTo, { callback: (err, msg) => void (err || queue.push(delivery(msg))) });
    return { replyTo, next: (deadline) => queue.next(deadline), close: () => (queue.close(), sub.unsubscribe()) };
  }

  onStatus(listener: StatusListener): void {
    this.listeners.push(listener);
  }

  status(): TransportStatus {
    const s = this.nc.stats();
    return {
      connected: this.connected ? this.nc.getServer() : undefined,
      brokers: this.brokers,
      stats: { in_msgs: s.inMsgs, out_msgs: s.outMsgs, in_bytes: s.inBytes, out_bytes: s.outBytes, reconnects: this.reconnects },
    };
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => this.nc.close());
  }

  private async watch(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === "disconnect") this.connected = false;
      if (status.type === "reconnect") {
        this.connected = true;
        this.reconnects++;
        // The subscriptions are back by now, so replies to what was held can be heard.
        const held = this.held;
        this.held = [];
        this.heldBytes = 0;
        for (const send of held) send();
      }
      if (status.type === "disconnect" || status.type === "reconnect" || status.type === "error") {
        const detail = status.type === "error" ? String((status as { error?: unknown }).error ?? "") : this.nc.getServer();
        for (const listener of this.listeners) listener(status.type, detail);
      }
    }
  }
}

/** Connects to NATS over mutual TLS (connection.ts decides how hard it tries) and wraps the connection. */
export async function connectNats(opts: ConnectOptions): Promise<NatsTransport> {
  const nc = await connectBroker(opts);
  return new NatsTransport(nc, opts.brokers.map((b) => `${b.host}:${b.port}`));
}
