/** Choria's JSON-lines audit record. */
import { stringifyJson } from "../../protocol/index.js";
import type { AuditEvent } from "./event.js";

/** One JSON object per line, keys in Choria's order; timestamp like `2006-01-02T15:04:05.000000+0000`. */
export function choriaLine(e: AuditEvent, now: Date): string {
  const timestamp = now.toISOString().replace(/\.(\d{3})Z$/, ".$1000+0000");
  const record = {
    timestamp,
    request_id: e.requestid,
    request_time: e.time,
    caller: e.callerid,
    sender: e.senderid,
    agent: e.agent,
    action: e.action,
    data: e.data,
  };
  return `${stringifyJson(record)}\n`;
}
