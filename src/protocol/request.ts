/** Requests: `choria:request:1` inside `choria:secure:request:1` inside the transport, both ways. */
import { ProtocolError } from "./errors.js";
import { orderedFilter, readFilter } from "./filter.js";
import { parseLayer, requireInteger, requireObject, requireString } from "./json.js";
import { decodeTransport, encodeTransport } from "./transport.js";
import type { RequestEnvelope, TransportHeaders } from "./types.js";
import { stringifyJson } from "./exact-json.js";

export const REQUEST_PROTOCOL = "choria:request:1";
export const SECURE_REQUEST_PROTOCOL = "choria:secure:request:1";

/** The shortest ttl a Choria server accepts. */
export const MIN_TTL = 30;

const REQUEST_ID = /^[0-9a-fA-F]{32}$/;

/** A received request, every layer kept: `l3` is the exact signed text, `message` the agent body as carried. */
export interface DecodedRequest {
  headers: TransportHeaders;
  l3: string;
  signature: string;
  pubcert: string;
  envelope: RequestEnvelope;
  message: string;
}

/** The `choria:request:1` JSON text, keys in the order Ruby and Go emit them; this is the string that gets signed. */
export function encodeRequestL3(envelope: RequestEnvelope, message: string): string {
  return JSON.stringify({
    protocol: REQUEST_PROTOCOL,
    message,
    envelope: {
      requestid: envelope.requestid,
      senderid: envelope.senderid,
      callerid: envelope.callerid,
      filter: orderedFilter(envelope.filter),
      collective: envelope.collective,
      agent: envelope.agent,
      ttl: envelope.ttl,
      time: envelope.time,
    },
  });
}

/** A complete, signed NATS payload for a request (strict base64 throughout). */
export function encodeRequest(args: {
  envelope: RequestEnvelope;
  message: string;
  headers: TransportHeaders;
  sign: (l3: string) => { signature: string; pubcert: string };
}): string {
  const l3 = encodeRequestL3(args.envelope, args.message);
  const { signature, pubcert } = args.sign(l3);
  const secure = JSON.stringify({ protocol: SECURE_REQUEST_PROTOCOL, message: l3, signature, pubcert });
  return encodeTransport(secure, args.headers);
}

/** Decodes a request payload and enforces the schema and the ttl window at `now` (unix seconds); throws ProtocolError. */
export function decodeRequest(payload: Uint8Array | string, now: number): DecodedRequest {
  const request = decodeRequestLayers(payload);
  checkRequestTime(request.envelope, now);
  return request;
}

/** Decodes every layer and enforces the schema, without looking at the clock (for inspection tools). */
export function decodeRequestLayers(payload: Uint8Array | string): DecodedRequest {
  const { headers, secure: secureText } = decodeTransport(payload);
  const secure = parseLayer(secureText, SECURE_REQUEST_PROTOCOL, "secure request (choria:secure:request:1)");
  const l3 = requireString(secure, "message", "secure request");
  const signature = requireString(secure, "signature", "secure request");
  const pubcert = requireString(secure, "pubcert", "secure request");
  const request = parseLayer(l3, REQUEST_PROTOCOL, "request (choria:request:1)");
  const message = requireString(request, "message", "request");
  const envelope = readRequestEnvelope(requireObject(request, "envelope", "request"));
  return { headers, l3, signature, pubcert, envelope, message };
}

/** Accepts iff now-ttl <= time <= now+ttl, Go's symmetric window that tolerates clock skew either way. */
export function checkRequestTime(envelope: RequestEnvelope, now: number): void {
  const { time, ttl, requestid } = envelope;
  if (time < now - ttl) {
    throw new ProtocolError(`request ${requestid} has expired: sent at ${time}, ${now - time}s ago, ttl ${ttl}s`, "expired");
  }
  if (time > now + ttl) {
    throw new ProtocolError(`request ${requestid} is from the future: sent at ${time}, ${time - now}s ahead, ttl ${ttl}s (check clocks)`, "future");
  }
}

function readRequestEnvelope(env: Record<string, unknown>): RequestEnvelope {
  const layer = "request envelope";
  const requestid = requireString(env, "requestid", layer);
  if (!REQUEST_ID.test(requestid)) {
    throw new ProtocolError(`${layer} requestid ${stringifyJson(requestid)} is not 32 hex characters`, "requestid");
  }
  const ttl = requireInteger(env, "ttl", layer);
  if (ttl < MIN_TTL) throw new ProtocolError(`${layer} ttl ${ttl} is below the minimum of ${MIN_TTL} seconds`, "ttl");
  return {
    requestid,
    senderid: requireString(env, "senderid", layer),
    callerid: requireString(env, "callerid", layer),
    filter: readFilter(env.filter, layer),
    collective: requireString(env, "collective", layer),
    agent: requireString(env, "agent", layer),
    ttl,
    time: requireInteger(env, "time", layer),
  };
}
