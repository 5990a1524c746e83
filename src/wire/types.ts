/**
 * The seam between a wire and everything above it. A wire is a transport (NATS, or STOMP to ActiveMQ/RabbitMQ),
 * which moves bytes between destinations, and a security codec (choria, psk, ssl), which turns those bytes into
 * one request or reply and back. Filters, DDLs, authorization, audit, agents, discovery and output never see which.
 */
import type { RequestEnvelope, RpcReplyBody } from "../protocol/index.js";

/** A message as a transport delivered it. */
export interface Delivery {
  body: Uint8Array;
  /** The reply target the transport carried (NATS reply subject, STOMP `reply-to` header), if any. */
  replyTo?: string;
  /** Transport headers as received (STOMP frame headers); empty on NATS. */
  headers: Record<string, string>;
}

/** Where a message goes or comes from, named the same way on every transport. */
export type Destination =
  /** A direct request to one node. */
  | { kind: "node"; collective: string; identity: string }
  /** A broadcast request to every node serving `agent`. */
  | { kind: "agent"; collective: string; agent: string }
  /** A reply target exactly as a request's reply-to named it. */
  | { kind: "reply"; target: string };

export interface PublishOptions {
  /** The reply target (requests only), as an inbox gave it. */
  replyTo?: string;
  /** Seconds the message stays useful (STOMP `expires`/`expiration` headers). */
  ttl?: number;
}

/** Reads one reply target with deadlines. */
export interface ReplyInbox {
  /** The reply-to value requests carry so that replies reach this inbox. */
  readonly replyTo: string;
  /** The next delivery, waiting until `deadline` (epoch ms) at most; undefined when time is up. */
  next(deadline: number): Promise<Delivery | undefined>;
  close(): void;
}

/** What names a client's reply target: per request, as each legacy client formed it. */
export interface InboxSpec {
  collective: string;
  /** The called agent (RabbitMQ's temp-queue is named for it). */
  agent: string;
  /** The caller id (NATS subjects carry its md5). */
  callerid: string;
  /** The client's sequence number for this request, from 1. */
  seq: number;
}

export interface TransportStatus {
  /** The broker connected to (`host:port`), or undefined while disconnected. */
  connected?: string;
  /** Every broker configured, `host:port`. */
  brokers: string[];
  stats: { in_msgs: number; out_msgs: number; in_bytes: number; out_bytes: number; reconnects: number };
}

/** One broker connection; a daemon's reconnects forever and restores its subscriptions, a client's fails fast. */
export interface Transport {
  /** `nats`, `activemq` or `rabbitmq`, as the config's `connector` names it. */
  readonly name: string;
  subscribe(dest: Destination, handler: (delivery: Delivery) => void): { unsubscribe(): void };
  publish(dest: Destination, body: Uint8Array | string, opts?: PublishOptions): void;
  /** Resolves once the broker has everything published so far. */
  flush(): Promise<void>;
  /** Subscribes a fresh reply target before the request that names it is sent. */
  openInbox(spec: InboxSpec): ReplyInbox;
  /** Lifecycle changes, for the daemon's log. */
  onStatus(listener: (event: "disconnect" | "reconnect" | "error", detail: string) => void): void;
  status(): TransportStatus;
  close(): Promise<void>;
}

/** Who sent a request, once the security plugin verified it. */
export interface Caller {
  /** As the wire carried it: `choria=<name>`, `cert=<name>`, `uid=<n>`. */
  callerid: string;
  /** The certificate or user name in the callerid. */
  certname: string;
  /** A Choria certificate that may act for any callerid. */
  privileged: boolean;
}

/** A request decoded and verified; the same on every wire (the envelope fields as Choria names them). */
export interface InboundRequest extends RequestEnvelope {
  /** The agent body as decoded: `"ping"` for discovery, else what should be a SimpleRPC request object. */
  message: unknown;
  /** Where the reply goes; undefined when the request named nowhere. */
  replyTo?: string;
  caller: Caller;
  /** What only the codec needs to answer (Choria's federation headers, ...). */
  context?: unknown;
}

/** What a server answers: `"pong"` to discovery, an RPC reply to everything else. */
export type ReplyMessage = "pong" | RpcReplyBody;

/** A request about to be signed and sent by a client (or by a server's registration); the codec adds the callerid. */
export interface OutboundRequest extends Omit<RequestEnvelope, "callerid"> {
  /** `"ping"` for discovery, a SimpleRPC request object, or a registration body. */
  message: unknown;
  replyTo: string;
}

/** A reply decoded and checked (hash or signature), as a client reads it. */
export interface InboundReply {
  senderid: string;
  requestid: string;
  agent: string;
  time: number;
  /** `"pong"` or what should be a SimpleRPC reply object. */
  message: unknown;
}

/** One security plugin, both directions. Decoders throw `ProtocolError` (malformed, `expired`, `future`) or `SecurityError`. */
export interface SecurityCodec {
  /** `choria`, `psk`, `ssl`, as the config's `securityprovider` names it. */
  readonly name: string;
  /** The callerid this side signs requests as. */
  readonly callerid: string;
  decodeRequest(delivery: Delivery, now: number): InboundRequest;
  encodeReply(request: InboundRequest, message: ReplyMessage, senderid: string, now: number): Uint8Array | string;
  encodeRequest(request: OutboundRequest): Uint8Array | string;
  decodeReply(delivery: Delivery): InboundReply;
}
