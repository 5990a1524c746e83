/** Replies: `choria:reply:1` inside `choria:secure:reply:1` (integrity hash, no signature) inside the transport. */
import { createHash } from "node:crypto";
import { decodeBase64 } from "./base64.js";
import { ProtocolError } from "./errors.js";
import { parseLayer, requireInteger, requireObject, requireString } from "./json.js";
import { decodeTransport, encodeTransport } from "./transport.js";
import type { ReplyEnvelope, TransportHeaders } from "./types.js";

export const REPLY_PROTOCOL = "choria:reply:1";
export const SECURE_REPLY_PROTOCOL = "choria:secure:reply:1";

/** A received reply; `l3` is the exact hashed text, `message` the agent body as carried. */
export interface DecodedReply {
  headers: TransportHeaders;
  l3: string;
  hash: string;
  envelope: ReplyEnvelope;
  message: string;
}

/** base64(sha256(text)), strict: the secure reply's `hash`. */
export function replyHash(l3: string): string {
  return createHash("sha256").update(l3).digest("base64");
}

/** The `choria:reply:1` JSON text in wire key order. */
export function encodeReplyL3(envelope: ReplyEnvelope, message: string): string {
  return JSON.stringify({
    protocol: REPLY_PROTOCOL,
    message,
    envelope: { senderid: envelope.senderid, requestid: envelope.requestid, agent: envelope.agent, time: envelope.time },
  });
}

/** A complete NATS payload for a reply, with the SHA-256 hash of its L3 text. */
export function encodeReply(args: { envelope: ReplyEnvelope; message: string; headers: TransportHeaders }): string {
  const l3 = encodeReplyL3(args.envelope, args.message);
  const secure = JSON.stringify({ protocol: SECURE_REPLY_PROTOCOL, message: l3, hash: replyHash(l3) });
  return encodeTransport(secure, args.headers);
}

/** Decodes a reply payload and checks its hash; throws ProtocolError naming the broken rule. */
export function decodeReply(payload: Uint8Array | string): DecodedReply {
  const { headers, secure: secureText } = decodeTransport(payload);
  const secure = parseLayer(secureText, SECURE_REPLY_PROTOCOL, "secure reply (choria:secure:reply:1)");
  const l3 = requireString(secure, "message", "secure reply");
  const hash = requireString(secure, "hash", "secure reply");
  if (!decodeBase64(hash, "secure reply hash").equals(createHash("sha256").update(l3).digest())) {
    throw new ProtocolError("secure reply hash does not match the SHA-256 of its message: the reply was altered or corrupted", "hash");
  }
  const reply = parseLayer(l3, REPLY_PROTOCOL, "reply (choria:reply:1)");
  const message = requireString(reply, "message", "reply");
  const env = requireObject(reply, "envelope", "reply");
  const envelope: ReplyEnvelope = {
    senderid: requireString(env, "senderid", "reply envelope"),
    requestid: requireString(env, "requestid", "reply envelope"),
    agent: requireString(env, "agent", "reply envelope"),
    time: requireInteger(env, "time", "reply envelope"),
  };
  return { headers, l3, hash, envelope, message };
}
