/** The innermost bodies: SimpleRPC requests and replies, and the discovery ping/pong. */
import { ProtocolError } from "./errors.js";
import { stringifyJson } from "./exact-json.js";
import { isObject, parseObject } from "./json.js";
import type { RpcReplyBody, RpcRequestBody } from "./types.js";

/** The discovery request body as the Ruby client sends it (a JSON string literal). */
export const DISCOVERY_PING = JSON.stringify("ping");
/** The discovery reply body as Ruby servers send it. */
export const DISCOVERY_PONG = JSON.stringify("pong");

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The request body text, keys in the order agent, action, caller, data. */
export function encodeRpcRequest(body: RpcRequestBody): string {
  const ordered: RpcRequestBody = { agent: body.agent, action: body.action, ...(body.caller !== undefined && { caller: body.caller }), data: body.data };
  return stringifyJson(ordered);
}

/** Reads a request body: a JSON object with string `agent` and `action`; `data` defaults to {}. Old Go clients base64 it. */
export function parseRpcRequest(message: string): RpcRequestBody {
  return readRpcRequest(parseObject(unwrapBase64(message), "RPC request body"));
}

/** Checks a decoded request body (any wire): an object with string `agent` and `action`; `data` defaults to {}. */
export function readRpcRequest(body: unknown): RpcRequestBody {
  if (!isObject(body)) throw new ProtocolError("RPC request body is not an object", "body");
  if (typeof body.agent !== "string" || body.agent === "" || typeof body.action !== "string" || body.action === "") {
    throw new ProtocolError("RPC request body must have string fields \"agent\" and \"action\"", "body");
  }
  const data = body.data ?? {};
  if (!isObject(data)) throw new ProtocolError("RPC request body field \"data\" must be an object", "body");
  const parsed: RpcRequestBody = { agent: body.agent, action: body.action, data };
  if (typeof body.caller === "string") parsed.caller = body.caller;
  return parsed;
}

/** The reply body text, keys in the order statuscode, statusmsg, data. */
export function encodeRpcReply(body: RpcReplyBody): string {
  return stringifyJson({ statuscode: body.statuscode, statusmsg: body.statusmsg, data: body.data });
}

/** Reads a reply body: statuscode 0..5, statusmsg string, data an object (Go's `"{}"` string and null read as {}). */
export function parseRpcReply(message: string): RpcReplyBody {
  return readRpcReply(parseObject(message, "RPC reply body"));
}

/** Checks a decoded reply body (any wire): statuscode 0..5, statusmsg string, data an object. */
export function readRpcReply(body: unknown): RpcReplyBody {
  if (!isObject(body)) throw new ProtocolError("RPC reply body is not an object", "body");
  const { statuscode, statusmsg } = body;
  if (typeof statuscode !== "number" || !Number.isInteger(statuscode) || statuscode < 0 || statuscode > 5) {
    throw new ProtocolError(`RPC reply body statuscode ${stringifyJson(statuscode)} is not an integer from 0 to 5`, "body");
  }
  if (typeof statusmsg !== "string") throw new ProtocolError("RPC reply body field \"statusmsg\" must be a string", "body");
  return { statuscode: statuscode as RpcReplyBody["statuscode"], statusmsg, data: replyData(body.data) };
}

/** True for a discovery ping in any client's form: Ruby `"ping"` (JSON), Go `cGluZw==` (base64), or raw `ping`. */
export function isDiscoveryPing(message: string): boolean {
  return message === DISCOVERY_PING || message === "cGluZw==" || message === "ping";
}

/** True for a discovery pong in Ruby (`"pong"`), raw or base64 form. */
export function isDiscoveryPong(message: string): boolean {
  return message === DISCOVERY_PONG || message === "cG9uZw==" || message === "pong";
}

function replyData(data: unknown): Record<string, unknown> {
  if (data === undefined || data === null || data === "{}") return {};
  if (!isObject(data)) throw new ProtocolError(`RPC reply body field "data" must be an object, got ${stringifyJson(data)}`, "body");
  return data;
}

/** Go's rule for bodies: strictly valid base64 is decoded, anything else is taken as it is. */
function unwrapBase64(message: string): string {
  if (message.startsWith("{") || !STRICT_BASE64.test(message)) return message;
  return Buffer.from(message, "base64").toString("utf8");
}
