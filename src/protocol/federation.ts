/**
 * Federation (protocol.md §8.3): the subjects of a federation network, the header a federated client adds, and the two
 * rewrites a federation broker makes. Only the outer transport layer changes: the signed layers travel untouched.
 */
import { ProtocolError } from "./errors.js";
import { stringifyJson } from "./exact-json.js";
import { isObject } from "./json.js";
import { decodeRequestLayers } from "./request.js";
import { readTransport } from "./transport.js";
import type { FederationHeaders, TransportHeaders } from "./types.js";

/** A federated client names at most this many node subjects per message (Go chunks direct requests so). */
export const FEDERATION_TARGETS_PER_MESSAGE = 200;

/** Where clients send requests for member network `network`; federation brokers queue-subscribe it. */
export function federationSubject(network: string): string {
  return `choria.federation.${network}.federation`;
}

/** Where nodes of `network` send replies to federated requests; federation brokers queue-subscribe it. */
export function federationReplySubject(network: string): string {
  return `choria.federation.${network}.collective`;
}

/** One `seen-by` hop: the broker a message came in from, who handled it, the broker it went out to. */
export type Hop = [string, string, string];

// A request may only be delivered to a node or a broadcast subject, never a wildcard or another federation subject.
const TARGET = /^[^.\s*>]+\.(?:node|broadcast\.agent|broadcast\.service)(?:\.[^.\s*>]+)+$/;
// A reply goes to one concrete subject outside the federation's own.
const REPLY_SUBJECT = /^[^.\s*>]+(?:\.[^.\s*>]+)*$/;

/** A client's signed request made federated: the same payload with `federation = {req, target}` in its headers. */
export function federateRequest(payload: Uint8Array | string, targets: string[]): string {
  const { envelope } = decodeRequestLayers(payload);
  const transport = readTransport(payload);
  const federation: FederationHeaders = { req: envelope.requestid, target: targets };
  return stringifyJson({ ...transport, headers: { ...transport.headers, federation } });
}

/**
 * The federation broker's request side: the targets to publish to in the member network and the payload to publish,
 * whose replies come to the broker (`reply-to` = the network's reply subject) with the client's reply-to kept in the
 * federation block. Throws ProtocolError (`federation`) for a message that is not a well-formed federated request.
 */
export function requestIntoCollective(payload: Uint8Array | string, network: string, hop: Hop): { requestid: string; targets: string[]; payload: string } {
  const transport = readTransport(payload);
  const { headers } = transport;
  const federation = headers.federation;
  if (!isObject(federation)) throw new ProtocolError("request has no federation header", "federation");
  const req = federation.req;
  if (typeof req !== "string" || req === "") throw new ProtocolError("federation header has no request id (req)", "federation");
  const targets = federation.target;
  if (!Array.isArray(targets) || targets.length === 0) throw new ProtocolError(`federated request ${req} names no targets`, "federation");
  for (const target of targets) {
    if (typeof target !== "string" || !TARGET.test(target)) {
      throw new ProtocolError(`federated request ${req} names ${stringifyJson(target)}, not a node or broadcast subject`, "federation");
    }
  }
  const replyTo = headers["reply-to"];
  if (!replyTo) throw new ProtocolError(`federated request ${req} has no reply-to`, "federation");
  checkReplySubject(replyTo, req);
  const rewritten: TransportHeaders = {
    ...headers,
    "reply-to": federationReplySubject(network),
    federation: { ...federation, target: [], "reply-to": replyTo },
    "seen-by": [...seenBy(headers), hop],
  };
  return { requestid: req, targets: targets as string[], payload: stringifyJson({ ...transport, headers: rewritten }) };
}

/**
 * The federation broker's reply side: the requester's subject from the federation block, and the reply without that
 * block. Throws ProtocolError (`federation`) for a reply that does not say where it goes.
 */
export function replyToRequester(payload: Uint8Array | string, hop: Hop): { requestid: string; subject: string; payload: string } {
  const transport = readTransport(payload);
  const { federation, ...headers } = transport.headers;
  if (!isObject(federation)) throw new ProtocolError("reply has no federation header", "federation");
  const req = typeof federation.req === "string" ? federation.req : "(no req)";
  const subject = federation["reply-to"];
  if (typeof subject !== "string" || subject === "") throw new ProtocolError(`reply to federated request ${req} has no federation reply-to`, "federation");
  checkReplySubject(subject, req);
  return { requestid: req, subject, payload: stringifyJson({ ...transport, headers: { ...headers, "seen-by": [...seenBy(transport.headers), hop] } }) };
}

function checkReplySubject(subject: string, req: string): void {
  if (!REPLY_SUBJECT.test(subject) || subject.startsWith("choria.federation.")) {
    throw new ProtocolError(`federated request ${req} has reply-to ${stringifyJson(subject)}, not a plain reply subject`, "federation");
  }
}

/** The hops recorded so far; anything that is not a list of hops is dropped rather than carried on. */
function seenBy(headers: TransportHeaders): string[][] {
  const hops = headers["seen-by"];
  return Array.isArray(hops) ? hops.filter((h): h is string[] => Array.isArray(h) && h.every((x) => typeof x === "string")) : [];
}
