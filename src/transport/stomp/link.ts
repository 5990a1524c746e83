/** One live STOMP session at a time over a pool of brokers: failover with legacy back-off, or fail fast (clients). */
import type { Socket } from "node:net";
import { Client, Versions, type IFrame, type IMessage } from "@stomp/stompjs";
import { BrokerUnreachableError } from "../connection.js";
import type { StompBroker, StompSettings } from "./settings.js";
import { installFrameScanner } from "./frame-scanner.js";
import { openSocket } from "./socket.js";

export type LogFn = (level: "debug" | "info" | "warn" | "error", msg: string) => void;
export type StatusEvent = "disconnect" | "reconnect" | "error";

export interface LinkOptions {
  settings: StompSettings;
  mode: "daemon" | "client";
  /** Client mode: give up connecting after this long. */
  timeoutMs: number;
  log: LogFn;
  /** A session is up: subscribe everything and send what waited. */
  onSession(client: Client): void;
  onMessage(message: IMessage): void;
  onStatus(event: StatusEvent, detail: string): void;
}

/** What the broker agreed to in CONNECTED. */
export interface Negotiated {
  version: string;
  heartBeat: string;
  server: string;
}

export const hostPort = (b: StompBroker) => `${b.host}:${b.port}`;

export class StompLink {
  /** The client of the session that is up, if any. */
  client: Client | undefined;
  socket: Socket | undefined;
  connectedTo: StompBroker | undefined;
  negotiated: Negotiated | undefined;
  reconnects = 0;
  private attemptClient: Client | undefined;
  private next = 0;
  private failures = 0;
  private delay: number;
  private retry: NodeJS.Timeout | undefined;
  private deadline: NodeJS.Timeout | undefined;
  /** The current attempt's `connect_timeout`. */
  private connecting: NodeJS.Timeout | undefined;
  private closing = false;
  private everConnected = false;
  private lastError = "";
  private readonly tried = new Set<string>();
  private readonly order: StompBroker[];
  private firstSession: { resolve(): void; reject(err: Error): void } | undefined;

  constructor(private readonly opts: LinkOptions) {
    installFrameScanner();
    const { brokers, reconnect } = opts.settings;
    this.order = reconnect.randomize ? [...brokers].sort(() => Math.random() - 0.5) : [...brokers];
    this.delay = reconnect.initialDelayMs;
  }

  /** Resolves on the first session; a client rejects after its timeout naming every host it tried. */
  start(): Promise<void> {
    const first = new Promise<void>((resolve, reject) => (this.firstSession = { resolve, reject }));
    if (this.opts.mode === "client") {
      this.deadline = setTimeout(() => this.giveUp(`no connection within ${this.opts.timeoutMs / 1000}s`), this.opts.timeoutMs);
    }
    this.attempt();
    return first;
  }

  /** Ends the session politely (DISCONNECT) and stops reconnecting. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.retry);
    clearTimeout(this.deadline);
    clearTimeout(this.connecting);
    const client = this.attemptClient;
    this.attemptClient = undefined;
    this.client = undefined;
    // A daemon told to stop while still waiting for its first broker.
    this.firstSession?.reject(new BrokerUnreachableError([...this.tried], "closed before a broker answered"));
    this.firstSession = undefined;
    if (!client) return;
    // A broker that stopped answering must not hold the close: DISCONNECT waits for its receipt at most 2 s.
    await Promise.race([client.deactivate(), new Promise((r) => setTimeout(r, 2000).unref())]);
    await client.deactivate({ force: true });
  }

  private attempt(): void {
    if (this.closing) return;
    const broker = this.order[this.next % this.order.length];
    this.next++;
    this.tried.add(hostPort(broker));
    const { settings } = this.opts;
    const hb = settings.heartbeatInterval * 1000;
    const client = new Client({
      webSocketFactory: () => openSocket(broker, (s) => (this.socket = s)),
      connectHeaders: connectHeaders(settings, broker),
      stompVersions: new Versions(hb === 0 ? ["1.0"] : settings.stomp10Fallback ? ["1.1", "1.0"] : ["1.1"]),
      // Legacy offers to send every H+0.5 s and asks for one every H-0.5 s.
      heartbeatOutgoing: hb === 0 ? 0 : hb + 500,
      heartbeatIncoming: hb === 0 ? 0 : hb - 500,
      // ruby-stomp reconnects after max_hbread_fails failed checks of one interval each, the first one after a
      // full interval: silence of (fails + 1) intervals. ActiveMQ's first beat comes only after about two.
      heartbeatToleranceMultiplier: settings.maxHbreadFails === 0 ? Number.POSITIVE_INFINITY : settings.maxHbreadFails + 1,
      // This class does the failover and back-off; the library must not reconnect on its own.
      reconnectDelay: 0,
      // Timed here, not by the library: its timer outlives an attempt that fails, and that pending 30 s kept a finished
      // mco alive after its broker had restarted.
      connectionTimeout: 0,
      // A broker that went silent gets its socket destroyed, not a polite close that may never complete.
      discardWebsocketOnCommFailure: true,
      debug: () => undefined,
      onConnect: (frame) => this.up(client, broker, frame),
      onStompError: (frame) => {
        this.lastError = frame.headers.message ?? "ERROR frame";
        this.opts.log("warn", `STOMP error from ${hostPort(broker)}: ${this.lastError}`);
      },
      onWebSocketError: (ev: { message?: unknown }) => {
        this.lastError = String((ev.message as Error | undefined)?.message ?? ev.message ?? "socket error");
      },
      onWebSocketClose: () => this.down(client, broker),
      onUnhandledMessage: (message) => this.opts.onMessage(message),
    });
    this.attemptClient = client;
    if (settings.connectTimeout > 0) this.connecting = setTimeout(() => client.forceDisconnect(), settings.connectTimeout * 1000);
    client.activate();
  }

  private up(client: Client, broker: StompBroker, frame: IFrame): void {
    if (client !== this.attemptClient) return;
    clearTimeout(this.deadline);
    clearTimeout(this.connecting);
    this.client = client;
    this.connectedTo = broker;
    this.negotiated = {
      version: frame.headers.version ?? "1.0",
      heartBeat: frame.headers["heart-beat"] ?? "0,0",
      server: frame.headers.server ?? "",
    };
    this.failures = 0;
    this.lastError = "";
    this.delay = this.opts.settings.reconnect.initialDelayMs;
    this.opts.log("info", `Connected to STOMP broker ${hostPort(broker)} (${this.negotiated.server}, STOMP ${this.negotiated.version})`);
    if (this.everConnected) {
      this.reconnects++;
      this.opts.onStatus("reconnect", hostPort(broker));
    }
    this.everConnected = true;
    this.opts.onSession(client);
    this.firstSession?.resolve();
    this.firstSession = undefined;
  }

  private down(client: Client, broker: StompBroker): void {
    if (client !== this.attemptClient) return;
    clearTimeout(this.connecting);
    // The library stays "active" with reconnects off; release its timers.
    void client.deactivate({ force: true });
    const wasUp = this.connectedTo !== undefined;
    this.client = undefined;
    this.connectedTo = undefined;
    this.negotiated = undefined;
    this.socket = undefined;
    if (this.closing) return;
    const why = this.lastError || "connection closed";
    if (wasUp) this.opts.onStatus("disconnect", `${hostPort(broker)}: ${why}`);
    // The first failure of a streak and every tenth after it are worth an operator's attention.
    else this.opts.log(this.failures % 10 === 0 ? "warn" : "debug", `Could not connect to ${hostPort(broker)}: ${why}`);
    this.failures++;
    const { maxAttempts } = this.opts.settings.reconnect;
    if (maxAttempts > 0 && this.failures >= maxAttempts) {
      this.giveUp(`gave up after ${this.failures} attempts: ${why}`);
      return;
    }
    this.retry = setTimeout(() => this.attempt(), this.backoff());
  }

  /** Legacy back-off: the delay grows by the multiplier after every failed attempt, up to the maximum. */
  private backoff(): number {
    const { exponential, multiplier, maxDelayMs } = this.opts.settings.reconnect;
    const now = this.delay;
    if (exponential) this.delay = Math.min(this.delay * multiplier, maxDelayMs);
    return now;
  }

  private giveUp(reason: string): void {
    this.closing = true;
    clearTimeout(this.retry);
    clearTimeout(this.deadline);
    clearTimeout(this.connecting);
    const client = this.attemptClient;
    this.attemptClient = undefined;
    if (client) void client.deactivate({ force: true });
    const err = new BrokerUnreachableError([...this.tried], this.lastError ? `${reason} (${this.lastError})` : reason);
    if (this.firstSession) {
      this.firstSession.reject(err);
      this.firstSession = undefined;
    } else {
      this.opts.onStatus("error", err.message);
    }
  }
}

/** CONNECT headers in legacy order; the library fills `accept-version` and `heart-beat` in place. */
function connectHeaders(settings: StompSettings, broker: StompBroker): Record<string, string> {
  const headers: Record<string, string> = { "accept-version": "", host: settings.vhost };
  if (settings.heartbeatInterval > 0) headers["heart-beat"] = "";
  // No login at all for an empty user, as ruby-stomp does.
  if (broker.user !== "") {
    headers.login = broker.user;
    headers.passcode = broker.password;
  }
  return headers;
}
