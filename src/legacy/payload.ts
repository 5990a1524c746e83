/** The inner `:body` payloads: discovery `"ping"`/`"pong"`, SimpleRPC requests and replies, shaped as Ruby sends them. */
import type { ReplyMessage } from "../wire/types.js";
import { fromPlain } from "./plain.js";
import { RHash, RString, rsym, type RValue } from "./ruby.js";

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * `{:agent, :action, :caller, :data}` with Symbol data keys (`:action` US-ASCII as Ruby's Symbol#to_s gives it);
 * `:caller` is the callerid the codec signs as, as the Ruby client sets it. Strings go as Strings.
 */
export function requestPayload(message: unknown, callerid: string): RValue {
  if (typeof message === "string") return RString.utf8(message);
  if (isObject(message) && typeof message.agent === "string" && typeof message.action === "string") {
    const entries: [RValue, RValue][] = [
      [rsym("agent"), RString.utf8(message.agent)],
      [rsym("action"), RString.ascii(message.action)],
    ];
    entries.push([rsym("caller"), RString.utf8(callerid)]);
    entries.push([rsym("data"), fromPlain(isObject(message.data) ? message.data : {}, "symbol")]);
    return new RHash(entries);
  }
  return fromPlain(message, "symbol");
}

/** `"pong"`, or `{:statuscode, :statusmsg, :data}` with Symbol data keys. */
export function replyPayload(message: ReplyMessage): RValue {
  if (message === "pong") return RString.utf8("pong");
  return new RHash([
    [rsym("statuscode"), message.statuscode],
    [rsym("statusmsg"), RString.utf8(message.statusmsg)],
    [rsym("data"), fromPlain(message.data, "symbol")],
  ]);
}
