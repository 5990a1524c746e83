/** What every legacy security plugin checks on a request after its hash or signature (docs/ARCHITECTURE.md, "Legacy security codecs"). */
import { ProtocolError } from "../protocol/errors.js";
import { SecurityError } from "../security/errors.js";
import type { Caller, Delivery, InboundRequest } from "../wire/types.js";
import type { LegacyRequestEnvelope } from "./envelope.js";

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
