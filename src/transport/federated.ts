/**
 * A federated client's transport (protocol.md §8.3): requests go to the federation brokers of every member network
 * named, with the subjects they were meant for in the federation header; replies come back to the usual reply
 * subject on the federation network, so inboxes and subscriptions are the NATS transport's own.
 */
import { federateRequest, federationSubject, FEDERATION_TARGETS_PER_MESSAGE } from "../protocol/index.js";
import type { Delivery, Destination, InboxSpec, PublishOptions, ReplyInbox, Transport, TransportStatus } from "../wire/types.js";
import { natsSubject } from "./nats.js";

export class FederatedTransport implements Transport {
  readonly name = "nats";
  /** Subjects per payload published in this turn of the event loop; a direct request is one payload for many nodes. */
  private pending = new Map<Uint8Array | string, string[]>();
  private scheduled = false;

  constructor(
    private readonly inner: Transport,
    /** The member networks (`plugin.choria.federation.collectives`). */
    readonly networks: string[],
  ) {}

  subscribe(dest: Destination, handler: (delivery: Delivery) => void): { unsubscribe(): void } {
    return this.inner.subscribe(dest, handler);
  }

  /** Queued until the end of this turn, so that one payload for many nodes leaves as a few messages of 200 targets. */
  publish(dest: Destination, body: Uint8Array | string, _opts?: PublishOptions): void {
    const subjects = this.pending.get(body) ?? [];
    subjects.push(natsSubject(dest));
    this.pending.set(body, subjects);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.send());
  }

  flush(): Promise<void> {
    this.send();
    return this.inner.flush();
  }

  openInbox(spec: InboxSpec): ReplyInbox {
    return this.inner.openInbox(spec);
  }

  onStatus(listener: (event: "disconnect" | "reconnect" | "error", detail: string) => void): void {
    this.inner.onStatus(listener);
  }

  status(): TransportStatus {
    return this.inner.status();
  }

  close(): Promise<void> {
    this.send();
    return this.inner.close();
  }

  private send(): void {
    this.scheduled = false;
    const pending = this.pending;
    this.pending = new Map();
    for (const [body, subjects] of pending) {
      for (let i = 0; i < subjects.length; i += FEDERATION_TARGETS_PER_MESSAGE) {
        const payload = federateRequest(body, subjects.slice(i, i + FEDERATION_TARGETS_PER_MESSAGE));
        for (const network of this.networks) this.inner.publish({ kind: "reply", target: federationSubject(network) }, payload);
      }
    }
  }
}
