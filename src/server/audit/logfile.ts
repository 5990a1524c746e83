/** The core MCollective `logfile` audit line. */
import type { AuditEvent } from "./event.js";
import { inspectRequestData } from "../../ruby/index.js";

/** `[<now UTC>] reqid=<id>: reqtime=<unix> caller=<callerid>@<senderid> agent=<a> action=<b> data=<ruby inspect>` */
export function logfileLine(e: AuditEvent, now: Date): string {
  const stamp = now.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  return `[${stamp}] reqid=${e.requestid}: reqtime=${e.time} caller=${e.callerid}@${e.senderid} agent=${e.agent} action=${e.action} data=${inspectRequestData(e.data)}\n`;
}
