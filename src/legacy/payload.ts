/** The inner `:body` payloads: discovery `"ping"`/`"pong"`, SimpleRPC requests and replies, shaped as Ruby sends them. */
import type { ReplyMessage } from "../wire/types.js";
import { fromPlain } from "./plain.js";
import { RHash, RString, type RValue } from "./ruby.js";

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `{:agent, :action, :caller, :data}` with Symbol data keys (`:action` US-ASCII as Ruby's Symbol#to_s gives it); strings as Strings. */
export function requestPayload(message: unknown): RValue {
  if (typeof message === "string") return RString.utf8(message);
  if (isObject(message) && typeof message.agent === "string" && typeof message.action === "string") {
    const entries: [RValue, RValue][] = [
      [Symbol.for("agent"), RString.utf8(message.agent)],
      [Symbol.for("action"), RString.ascii(message.action)],
    ];
    if (typeof message.caller === "string") entries.push([Symbol.for("caller"), RString.utf8(message.caller)]);
    entries.push([Symbol.for("data"), fromPlain(isObject(message.data) ? message.data : {}, "symbol")]);
    return new RHash(entries);
  }
  return fromPlain(message, "symbol");
}

/** `"pong"`, or `{:statuscode, :statusmsg, :data}` with Symbol data keys. */
export function replyPayload(message: ReplyMessage): RValue {
  if (message === "pong") return RString.utf8("pong");
  return new RHash([
    [Symbol.for("statuscode"), message.statuscode],
    [Symbol.for("statusmsg"), RString.utf8(message.statusmsg)],
    [Symbol.for("data"), fromPlain(message.data, "symbol")],
  ]);
}
