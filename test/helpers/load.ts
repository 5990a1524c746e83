/**
 * A bounded request flood against one node, loopback only: signed requests at a fixed rate, each with its own reply
 * subject, and what came back for each. Latencies are measured to be reported, never asserted.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { decodeReply, encodeRpcRequest, nodeSubject, parseRpcReply } from "../../src/protocol/index.js";
import type { Requester } from "./requester.js";

export interface FloodSpec {
  node: string;
  /** Requests per second. */
  rate: number;
  seconds: number;
  /** Every n-th request goes to the Ruby echo agent (the rest to rpcutil ping); 0 for none. */
  rubyEvery: number;
  /** How long to wait for the last replies once sending stops. */
  settleMs?: number;
  /** Called about once a second while the flood runs (to sample memory, say). */
  onSecond?: () => void;
}

export interface FloodResult {
  sent: number;
  /** Replies by statuscode. */
  byStatus: Record<number, number>;
  /** The first statusmsg seen for each statuscode other than 0. */
  why: Record<number, string>;
  /** Requests that got no reply at all. */
  missing: number;
  /** Second replies to one request (never expected). */
  duplicates: number;
  worstMs: number;
  medianMs: number;
}

// Signing costs a millisecond: a few hundred signed requests are reused, each send with its own reply subject.
const SIGNED = 200;

/** Sends `rate` requests a second for `seconds` to `spec.node` and collects one reply per request. */
export async function flood(client: Requester, spec: FloodSpec): Promise<FloodResult> {
  const base = `mcollective.reply.load${randomBytes(4).toString("hex")}`;
  const templates = Array.from({ length: SIGNED }, (_, i) => {
    const ruby = spec.rubyEvery > 0 && i % spec.rubyEvery === 0;
    const [agent, action, data] = ruby ? ["echo", "echo", { message: `load ${i}` }] : ["rpcutil", "ping", {}];
    const message = encodeRpcRequest({ agent, action, caller: client.signer.callerid, data: { process_results: true, ...data } });
    // Long enough a ttl that the reused requests outlive a 60 s run.
    return JSON.parse(client.payload({ agent, collective: "mcollective", targets: [spec.node], ttl: 600 }, message, "unset")) as { headers: Record<string, string> };
  });
  const total = spec.rate * spec.seconds;
  const sentAt: number[] = [];
  const latency: number[] = [];
  const byStatus: Record<number, number> = {};
  const why: Record<number, string> = {};
  let duplicates = 0;
  const sub = client.listen(`${base}.>`, (payload, subject) => {
    const i = Number(subject.slice(base.length + 1));
    if (latency[i] !== undefined) return void duplicates++;
    latency[i] = performance.now() - sentAt[i];
    const { statuscode, statusmsg } = parseRpcReply(decodeReply(payload).message);
    byStatus[statuscode] = (byStatus[statuscode] ?? 0) + 1;
    if (statuscode !== 0) why[statuscode] ??= statusmsg;
  });
  const subject = nodeSubject("mcollective", spec.node);
  const start = performance.now();
  let lastSecond = 0;
  while (sentAt.length < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * spec.rate) / 1000));
    while (sentAt.length < due) {
      const i = sentAt.length;
      const template = templates[i % SIGNED];
      sentAt.push(performance.now());
      client.publishRaw(subject, JSON.stringify({ ...template, headers: { ...template.headers, "reply-to": `${base}.${i}` } }));
    }
    const second = Math.floor((performance.now() - start) / 1000);
    if (second > lastSecond) (lastSecond = second, spec.onSecond?.());
    await new Promise((r) => setTimeout(r, 5));
  }
  const answered = () => latency.filter((l) => l !== undefined).length;
  for (let waited = 0; waited < (spec.settleMs ?? 15_000) && answered() < total; waited += 100) await new Promise((r) => setTimeout(r, 100));
  sub.unsubscribe();
  const sorted = latency.filter((l) => l !== undefined).sort((a, b) => a - b);
  return {
    sent: total,
    byStatus,
    why,
    missing: total - sorted.length,
    duplicates,
    worstMs: Math.round(sorted.at(-1) ?? 0),
    medianMs: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
  };
}

/** A process's resident memory in MiB, from /proc. */
export function rssMiB(pid: number): number {
  const kib = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN);
  return Math.round(kib / 1024);
}
