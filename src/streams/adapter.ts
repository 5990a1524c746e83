/**
 * A `choria_streams` data adapter (protocol.md §8.2): takes registration requests (or replies) off the network and
 * republishes each, in the adapter's output shape, to a JetStream stream it keeps within its limits. Delivery is at
 * least once: a message leaves the queue only when the stream acknowledged it, and its id lets the stream drop a repeat.
 */
import { jetstream, jetstreamManager, DiscardPolicy, RetentionPolicy, StorageType, type StreamConfig } from "@nats-io/jetstream";
import { ProtocolError } from "../protocol/index.js";
import type { Logger } from "../server/logger.js";
import type { NatsConnection, Subscription } from "../transport/index.js";
import { adapterMessage, type AdapterMessage } from "./message.js";
import type { AdapterSettings } from "./settings.js";

export interface AdapterStats {
  published: number;
  dropped: number;
  retries: number;
}

/** Hands one record to the stream; resolves once the stream acknowledged it. */
export type StreamPublish = (subject: string, json: string, msgid: string) => Promise<unknown>;

const NANOS = 1_000_000_000;
/** How long a stopping adapter keeps trying to hand over what it holds. */
const STOP_GRACE_MS = 10_000;

export class StreamAdapter {
  readonly stats: AdapterStats = { published: 0, dropped: 0, retries: 0 };
  private readonly queue: AdapterMessage[] = [];
  private inFlight = 0;
  /** Set once a stopping adapter has waited long enough: deliveries still failing give up. */
  private abandoned = false;
  private idle?: () => void;
  private sub?: Subscription;

  constructor(
    private readonly settings: AdapterSettings,
    private readonly publish: StreamPublish,
    private readonly log: Logger,
    private readonly retryMs = 1000,
  ) {}

  /** Creates or updates the stream, then takes messages from `ingest` (queue group `nats_ingest_<name>`). */
  static async start(settings: AdapterSettings, ingest: NatsConnection, stream: NatsConnection, log: Logger): Promise<StreamAdapter> {
    await ensureStream(stream, settings.stream);
    const js = jetstream(stream);
    const adapter = new StreamAdapter(settings, (subject, json, msgID) => js.publish(subject, json, { msgID }), log);
    adapter.sub = ingest.subscribe(settings.ingest.topic, { queue: settings.ingest.queue, callback: (err, msg) => void (err || adapter.take(msg.data)) });
    await ingest.flush();
    log.info(`adapter ${settings.name} copies ${settings.ingest.topic} (${settings.ingest.protocol}s) to stream ${settings.stream.name} as ${settings.stream.topic}`);
    return adapter;
  }

  /** One message off the network: queued for the stream, or dropped with a line saying why. */
  take(payload: Uint8Array): void {
    let message: AdapterMessage;
    try {
      message = adapterMessage(payload, this.settings.ingest.protocol);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      return this.drop(`a malformed ${this.settings.ingest.protocol}: ${err.message}`);
    }
    // The sender becomes part of a subject: only a plain identity may.
    if (!/^[\w-]+(?:\.[\w-]+)*$/.test(message.sender)) return this.drop(`message ${message.requestid}: sender ${JSON.stringify(message.sender)} is not an identity`);
    if (this.queue.length + this.inFlight >= this.settings.queueLength) return this.drop(`message ${message.requestid} from ${message.sender}: ${this.settings.queueLength} messages already wait for the stream`);
    this.queue.push(message);
    this.pump();
  }

  private drop(why: string): void {
    this.stats.dropped++;
    this.log.warn(`adapter ${this.settings.name} dropped ${why}`);
  }

  /** Starts deliveries up to the worker count; each finished one starts the next. */
  private pump(): void {
    while (this.inFlight < this.settings.workers && this.queue.length > 0) {
      const message = this.queue.shift()!;
      this.inFlight++;
      void this.deliver(message).finally(() => {
        this.inFlight--;
        this.pump();
        if (this.inFlight === 0 && this.queue.length === 0) this.idle?.();
      });
    }
  }

  /** Publishes until the stream acknowledges, `retryMs` between tries; gives up only when a stop has waited long enough. */
  private async deliver(message: AdapterMessage): Promise<void> {
    const subject = this.settings.stream.topic.replace("%s", message.sender);
    for (;;) {
      try {
        await this.publish(subject, message.json, message.msgid);
        this.stats.published++;
        return;
      } catch (err) {
        if (this.abandoned) return;
        this.stats.retries++;
        this.log.warn(`adapter ${this.settings.name}: stream ${this.settings.stream.name} did not take message ${message.requestid} from ${message.sender}, trying again: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, this.retryMs));
      }
    }
  }

  /** Stops taking messages and hands over what it holds, for a while at most; says what was left behind. */
  async stop(): Promise<void> {
    await this.sub?.drain().catch(() => undefined);
    if (this.inFlight > 0 || this.queue.length > 0) {
      const done = new Promise<void>((resolve) => (this.idle = resolve));
      const timer = setTimeout(() => this.idle?.(), STOP_GRACE_MS);
      await done;
      clearTimeout(timer);
    }
    this.abandoned = true;
    const left = this.queue.length + this.inFlight;
    this.log.info(`adapter ${this.settings.name} stopped: ${this.stats.published} published, ${this.stats.dropped} dropped${left > 0 ? `, ${left} not handed over` : ""}`);
  }
}

/** Makes the stream exist with the configured subject and limits, creating it or bringing it up to date. */
async function ensureStream(nc: NatsConnection, stream: AdapterSettings["stream"]): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const limits: Partial<StreamConfig> = {
    subjects: [stream.subjects],
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: stream.maxAgeSec * NANOS,
    max_bytes: stream.maxBytes,
    max_msgs_per_subject: stream.maxPerSubject > 0 ? stream.maxPerSubject : -1,
    // Repeats of a message (a publish retried after a lost acknowledgement) are dropped within this window.
    duplicate_window: Math.min(120, stream.maxAgeSec) * NANOS,
  };
  const exists = await jsm.streams.info(stream.name).then(() => true, () => false);
  if (exists) await jsm.streams.update(stream.name, limits);
  else await jsm.streams.add({ name: stream.name, storage: StorageType.File, ...limits });
}
