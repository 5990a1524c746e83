/** The outer `choria:transport:1` layer: the NATS payload carrying base64 of the secure layer plus headers. */
import { decodeBase64, encodeBase64 } from "./base64.js";
import { ProtocolError } from "./errors.js";
import { isObject, parseLayer, requireString, type JsonObject } from "./json.js";
import type { TransportHeaders } from "./types.js";

export const TRANSPORT_PROTOCOL = "choria:transport:1";

/** NATS' default max_payload; anything larger cannot have come through a stock broker. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The transport's headers and the secure layer's JSON text. */
export interface DecodedTransport {
  headers: TransportHeaders;
  secure: string;
}

/** Wraps the secure layer's JSON text; headers are written mc_sender, reply-to, then the rest as given. */
export function encodeTransport(secure: string, headers: TransportHeaders): string {
  const { mc_sender, "reply-to": replyTo, ...rest } = headers;
  const ordered: TransportHeaders = {};
  if (mc_sender !== undefined) ordered.mc_sender = mc_sender;
  if (replyTo !== undefined) ordered["reply-to"] = replyTo;
  return JSON.stringify({ protocol: TRANSPORT_PROTOCOL, data: encodeBase64(secure), headers: { ...ordered, ...rest } });
}

/** Unwraps a NATS payload down to the secure layer's text; headers (federation included) are kept as received. */
export function decodeTransport(payload: Uint8Array | string): DecodedTransport {
  const transport = readTransport(payload);
  const data = requireString(transport, "data", "transport");
  return { headers: transport.headers, secure: decodeUtf8(decodeBase64(data, "transport data"), "transport data") };
}

/** The outer layer as a JSON object, size, encoding and header types checked; `data` is left as carried. */
export function readTransport(payload: Uint8Array | string): JsonObject & { headers: TransportHeaders } {
  const size = typeof payload === "string" ? utf8Size(payload) : payload.byteLength;
  if (size > MAX_PAYLOAD_BYTES) {
    throw new ProtocolError(`payload is ${size} bytes, more than the 1 MiB a NATS message may carry`, "size");
  }
  if (size === 0) throw new ProtocolError("payload is empty", "json");
  const text = typeof payload === "string" ? payload : decodeUtf8(payload);
  const transport = parseLayer(text, TRANSPORT_PROTOCOL, "transport (choria:transport:1)");
  const headers = transport.headers ?? {};
  if (!isObject(headers)) throw new ProtocolError(`transport field "headers" must be an object`, "field");
  for (const key of ["mc_sender", "reply-to"]) {
    if (headers[key] !== undefined && typeof headers[key] !== "string") {
      throw new ProtocolError(`transport header "${key}" must be a string`, "field");
    }
  }
  return { ...transport, headers: headers as TransportHeaders };
}

/** The UTF-8 size for comparing with the limit: exact when it could exceed it, else the cheap lower bound. */
function utf8Size(text: string): number {
  return text.length * 3 <= MAX_PAYLOAD_BYTES ? text.length : Buffer.byteLength(text);
}

function decodeUtf8(bytes: Uint8Array, what = "payload"): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ProtocolError(`${what} is not valid UTF-8`, "encoding");
  }
}
