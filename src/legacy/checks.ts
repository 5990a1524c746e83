/** What every legacy security plugin checks on a request after its hash or signature (docs/ARCHITECTURE.md, "Legacy security codecs"). */
import { ProtocolError } from "../protocol/errors.js";
import { SecurityError } from "../security/errors.js";
import type { Caller, Delivery, InboundRequest } from "../wire/types.js";
import type { LegacyRequestEnvelope } from "./envelope.js";
import { RHash, RSymbol, type RValue } from "./ruby.js";

/** Ruby's `valid_callerid?`, anchored to the whole string (Ruby's `^`/`$` would also pass a second line). */
const CALLERID = /^\w+=[\w.-]+$/;

export function checkCallerid(callerid: string): void {
  if (!CALLERID.test(callerid)) throw new SecurityError(`callerid ${JSON.stringify(callerid)} is not of the form type=name`, "callerid");
}

/** Ruby drops a request older than its ttl; it sets no lower bound, so a future msgtime passes. */
export function checkTtl(env: Pick<LegacyRequestEnvelope, "msgtime" | "ttl" | "requestid">, now: number): void {
  const age = Math.floor(now) - env.msgtime;
  if (age > env.ttl) throw new ProtocolError(`legacy request ${env.requestid} expired: sent ${age}s ago, ttl ${env.ttl}s`, "expired");
}

export function callerOf(callerid: string): Caller {
  return { callerid, certname: callerid.slice(callerid.indexOf("=") + 1), privileged: false };
}

/** The decoded request the pipeline sees; `reply-to` comes from the transport, as Ruby reads it from the frame. */
export function inboundRequest(env: LegacyRequestEnvelope, message: unknown, delivery: Delivery): InboundRequest {
  const replyTo = delivery.replyTo ?? delivery.headers["reply-to"];
  return {
    requestid: env.requestid,
    senderid: env.senderid,
    callerid: env.callerid,
    filter: env.filter,
    collective: env.collective,
    agent: env.agent,
    ttl: env.ttl,
    time: env.msgtime,
    message,
    ...(replyTo !== undefined && { replyTo }),
    caller: callerOf(env.callerid),
  };
}

/**
 * The request payload inside ssl's `{:ssl_msg, :ssl_ttl, :ssl_msgtime}` or aes_security's `:aes_*` wrapper; the
 * secured ttl and msgtime replace the plain ones in `env`, and must match them unless `enforceTtl` is "0". A body
 * without the wrapper passes ssl only while enforce_ttl is unset, aes_security only when it is "0" (as in Ruby).
 */
export function unwrapSecured(env: LegacyRequestEnvelope, body: RValue, plugin: "ssl" | "aes", enforceTtl: string | undefined): RValue {
  if (!(body instanceof RHash)) {
    const bareAllowed = plugin === "ssl" ? enforceTtl === undefined : enforceTtl === "0";
    if (!bareAllowed) throw new ProtocolError(`legacy request ${env.requestid} has no secured ttl wrapper (older ${plugin} protocol), refused by plugin.${plugin}.enforce_ttl`, "ttl");
    return body;
  }
  const names = { ttl: `${plugin}_ttl`, msgtime: `${plugin}_msgtime` };
  for (const [key, what] of [["ttl", "ttl"], ["msgtime", "message time"]] as const) {
    const secured = body.sym(names[key]);
    if (secured === undefined) {
      if (enforceTtl !== "0") throw new ProtocolError(`legacy request ${env.requestid} has no secured ${what}`, "ttl");
      continue;
    }
    if (typeof secured !== "number") throw new ProtocolError(`legacy request ${env.requestid} :${names[key]} is not an Integer`, "ttl");
    if (secured !== env[key] && enforceTtl !== "0") {
      throw new SecurityError(`legacy request ${env.requestid} ${what} ${env[key]} does not match the secured ${what} ${secured}: tampered`, "tampered");
    }
    env[key] = secured;
  }
  const wrapper = new Set([names.ttl, names.msgtime]);
  return body.sym(`${plugin}_msg`) ?? new RHash(body.entries.filter(([k]) => !(k instanceof RSymbol && wrapper.has(k.name))));
}
