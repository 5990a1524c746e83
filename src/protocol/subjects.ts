/** Request ids and the NATS subjects of the Choria v1 network. */
import { createHash, randomUUID } from "node:crypto";

/** A fresh request id: a UUIDv4 without dashes, 32 lowercase hex characters. */
export function newRequestId(): string {
  return randomUUID().replaceAll("-", "");
}

/** The subject a node listens on for requests addressed to it: `<collective>.node.<identity>`. */
export function nodeSubject(collective: string, identity: string): string {
  return `${collective}.node.${identity}`;
}

/** The subject every node hosting `agent` listens on: `<collective>.broadcast.agent.<agent>`. */
export function broadcastSubject(collective: string, agent: string): string {
  return `${collective}.broadcast.agent.${agent}`;
}

/** hex(md5(callerid)), the caller's token in reply subjects. */
export function callerHash(callerid: string): string {
  return createHash("md5").update(callerid).digest("hex");
}

/** A Ruby-style reply subject: `<collective>.reply.<md5hex(callerid)>.<pid>.<seq>`. */
export function replySubject(collective: string, callerid: string, pid: number, seq: number): string {
  return `${collective}.reply.${callerHash(callerid)}.${pid}.${seq}`;
}
