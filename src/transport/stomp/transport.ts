/** The `Transport` over STOMP: legacy destinations and headers, subscriptions restored after every reconnect. */
import type { Client, IMessage, StompSubscription } from "@stomp/stompjs";
import type {
  Delivery,
  Destination,
  InboxSpec,
  PublishOptions,
  ReplyInbox,
  Transport,
  TransportStatus,
} from "../../wire/types.js";
import { DeliveryQueue } from "../inbox.js";
import { namingFor, type Naming, type SubscribeTarget } from "./destinations.js";
import { hostPort, StompLink, type LogFn, type Negotiated, type StatusEvent } from "./link.js";
import type { StompSettings } from "./settings.js";

export interface StompConnectOptions {
  /** This process's `identity`: selector, `mc_sender`, reply queue names. */
  identity: string;
  mode: "daemon" | "client";
  /** Client mode: how long to try before failing (default 5 s). */
  timeoutMs?: number;
  log?: LogFn;
}

interface Sub {
  target: SubscribeTarget;
  handlers: Set<(delivery: Delivery) => void>;
  /** The library's handle while a session carries this subscription. */
  live?: StompSubscription;
}

/** Messages kept while a daemon reconnects; beyond this the oldest are dropped (and logged). */
const MAX_PENDING = 1000;

export class StompTransport implements Transport {
  readonly name: string;
  private readonly link: StompLink;
  private readonly naming: Naming;
  private readonly subs = new Map<string, Sub>();
  /** RabbitMQ temp-queue inboxes, by reply-to name; their MESSAGEs name it as `subscription`. */
  private readonly tempInboxes = new Map<string, Set<Inbox>>();
  private readonly pending: Array<(client: Client) => void> = [];
  private readonly listeners: Array<(event: StatusEvent, detail: string) => void> = [];
  private readonly stats = { in_msgs: 0, out_msgs: 0, in_bytes: 0, out_bytes: 0, reconnects: 0 };
  private readonly log: LogFn;
  /** SUBSCRIBE receipts not yet back: flush waits for them so that a subscription is live at the broker. */
  private readonly receipts = new Set<string>();
  private receiptWaiters: Array<() => void> = [];
  private receiptSeq = 0;

  constructor(private readonly settings: StompSettings, private readonly opts: StompConnectOptions) {
    this.name = settings.connector;
    this.naming = namingFor(settings);
    this.log = opts.log ?? (() => undefined);
    this.link = new StompLink({
      settings,
      mode: opts.mode,
      timeoutMs: opts.timeoutMs ?? 5000,
      log: this.log,
      onSession: (client) => this.restore(client),
      onMessage: (message) => this.route(message),
      onStatus: (event, detail) => {
        if (event === "disconnect") this.settleReceipts(true);
        for (const listener of this.listeners) listener(event, detail);
      },
    });
  }

  /** Connects: a daemon waits for its first broker as long as it takes, a client fails after its timeout. */
  start(): Promise<void> {
    return this.link.start();
  }

  subscribe(dest: Destination, handler: (delivery: Delivery) => void): { unsubscribe(): void } {
    return this.addSub(this.naming.subscribeTarget(dest, this.opts.identity), handler);
  }

  publish(dest: Destination, body: Uint8Array | string, opts: PublishOptions = {}): void {
    const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
    const payload = this.settings.base64 ? Buffer.from(mimeBase64(bytes), "latin1") : bytes;
    const { destination, headers } = this.naming.sendHeaders(dest, {
      identity: this.opts.identity,
      replyTo: opts.replyTo,
      ttl: opts.ttl ?? 60,
      now: Date.now(),
    });
    this.stats.out_msgs++;
    this.stats.out_bytes += payload.length;
    this.whenUp((client) => client.publish({ destination, headers, binaryBody: payload }));
  }

  /** Resolves once the broker confirmed every SUBSCRIBE and the socket took everything published (SEND has no ack). */
  async flush(): Promise<void> {
    while (this.receipts.size > 0) await new Promise<void>((resolve) => this.receiptWaiters.push(resolve));
    const socket = this.link.socket;
    if (!socket?.writable) return;
    // Called once everything written before it has gone to the kernel (or the socket failed).
    await new Promise<void>((resolve) => socket.write(new Uint8Array(0), () => resolve()));
  }

  openInbox(spec: InboxSpec): ReplyInbox {
    const target = this.naming.inboxTarget(spec, this.opts.identity, process.pid);
    const inbox = new Inbox(target.replyTo, (self) => {
      sub?.unsubscribe();
      this.tempInboxes.get(target.replyTo)?.delete(self);
    });
    const sub = target.subscribe ? this.addSub(target.subscribe, (d) => inbox.push(d)) : undefined;
    if (!target.subscribe) {
      const set = this.tempInboxes.get(target.replyTo) ?? new Set<Inbox>();
      set.add(inbox);
      this.tempInboxes.set(target.replyTo, set);
    }
    return inbox;
  }

  onStatus(listener: (event: StatusEvent, detail: string) => void): void {
    this.listeners.push(listener);
  }

  status(): TransportStatus {
    const connected = this.link.connectedTo;
    return {
      connected: connected ? hostPort(connected) : undefined,
      brokers: this.settings.brokers.map(hostPort),
      stats: { ...this.stats, reconnects: this.link.reconnects },
    };
  }

  /** What the broker negotiated on the current session (STOMP version, heart-beats), if connected. */
  negotiated(): Negotiated | undefined {
    return this.link.negotiated;
  }

  async close(): Promise<void> {
    this.pending.length = 0;
    await this.link.close();
    this.settleReceipts(true);
  }

  private addSub(target: SubscribeTarget, handler: (delivery: Delivery) => void): { unsubscribe(): void } {
    let sub = this.subs.get(target.id);
    if (!sub) {
      sub = { target, handlers: new Set() };
      this.subs.set(target.id, sub);
      const client = this.link.client;
      if (client) this.liveSubscribe(client, sub);
    }
    const mine = sub;
    mine.handlers.add(handler);
    return {
      unsubscribe: () => {
        mine.handlers.delete(handler);
        if (mine.handlers.size > 0 || this.subs.get(target.id) !== mine) return;
        this.subs.delete(target.id);
        if (this.link.client && mine.live) mine.live.unsubscribe();
      },
    };
  }

  private liveSubscribe(client: Client, sub: Sub): void {
    const receipt = `mcompat-sub-${++this.receiptSeq}`;
    this.receipts.add(receipt);
    client.watchForReceipt(receipt, () => {
      this.receipts.delete(receipt);
      this.settleReceipts(false);
    });
    // Key order of the headers object is the frame's header order: selector, destination, id, as legacy on 1.1.
    const headers = { ...sub.target.headers, id: sub.target.id, receipt };
    sub.live = client.subscribe(sub.target.destination, (message) => this.route(message), headers);
  }

  /** Wakes flush() callers; a lost session forgets its receipts (the next session subscribes again). */
  private settleReceipts(lost: boolean): void {
    if (lost) this.receipts.clear();
    if (this.receipts.size > 0) return;
    for (const wake of this.receiptWaiters.splice(0)) wake();
  }

  /** A new session: every subscription again, in the order they were made, then what waited to be sent. */
  private restore(client: Client): void {
    for (const sub of this.subs.values()) this.liveSubscribe(client, sub);
    for (const send of this.pending.splice(0)) send(client);
  }

  private whenUp(send: (client: Client) => void): void {
    const client = this.link.client;
    if (client) return send(client);
    if (this.pending.length >= MAX_PENDING) {
      this.pending.shift();
      this.log("warn", `STOMP: not connected, dropped the oldest of ${MAX_PENDING} waiting messages`);
    }
    this.pending.push(send);
  }

  /** By subscription id when the broker names one, else by destination (STOMP 1.0 brokers may not). */
  private route(message: IMessage): void {
    const headers = message.headers;
    const id = headers.subscription;
    let sub = id !== undefined ? this.subs.get(id) : undefined;
    if (!sub && id === undefined) sub = [...this.subs.values()].find((s) => s.target.destination === headers.destination);
    const temp = sub || id === undefined ? undefined : this.tempInboxes.get(id);
    if (!sub && !temp) {
      this.log("debug", `STOMP: dropped a message for ${headers.destination} (subscription ${id ?? "none"}) nobody reads`);
      return;
    }
    const raw = message.binaryBody;
    const body = this.settings.base64 ? new Uint8Array(Buffer.from(Buffer.from(raw).toString("latin1"), "base64")) : raw;
    this.stats.in_msgs++;
    this.stats.in_bytes += raw.length;
    const delivery: Delivery = { body, replyTo: headers["reply-to"], headers: { ...headers } };
    for (const handler of sub?.handlers ?? []) handler(delivery);
    for (const inbox of temp ?? []) inbox.push(delivery);
  }
}

/** Ruby's Base64.encode64: a line break after every 60 characters and at the end. */
function mimeBase64(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString("base64");
  return b64 === "" ? "" : b64.replace(/.{1,60}/g, "$&\n");
}

/** Deliveries for one reply target, read with deadlines; closing it gives its subscription back. */
class Inbox extends DeliveryQueue implements ReplyInbox {
  constructor(readonly replyTo: string, private readonly release: (self: Inbox) => void) {
    super();
  }

  close(): boolean {
    if (!super.close()) return false;
    this.release(this);
    return true;
  }
}
