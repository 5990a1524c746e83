/**
 * `mcompat server` end to end: a signed rpcutil ping through a real TLS nats-server to one daemon and back,
 * against a bare NATS echo responder on the same broker in the same run (the floor any server pays).
 * Prints per-request latency and throughput, and the daemon's resident memory.
 */
import "../test/helpers/temp-root.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeReply, emptyFilter, encodeRequest, encodeRpcRequest, newRequestId, nodeSubject, replySubject } from "../src/protocol/index.js";
import { loadSigner } from "../src/security/index.js";
import { connectBroker, type NatsConnection } from "../src/transport/index.js";
import { testBroker } from "../test/helpers/broker.js";
import { testCert } from "../test/helpers/pki.js";
import { FIXTURES, startServer } from "../test/helpers/server.js";

const NODE = "bench1.example.net";
const N = 2000;
const CONCURRENCY = 16;

/** Sends one payload per call to `subject` and resolves on the reply carrying its index. */
function responder(nc: NatsConnection, replyTo: string, idOf: (data: Uint8Array) => string) {
  const waiting = new Map<string, () => void>();
  nc.subscribe(replyTo, { callback: (_err, msg) => waiting.get(idOf(msg.data))?.() });
  return (subject: string, id: string, payload: string) =>
    new Promise<void>((resolve) => {
      waiting.set(id, () => (waiting.delete(id), resolve()));
      nc.publish(subject, payload);
    });
}

async function drive(n: number, concurrency: number, one: (i: number) => Promise<void>): Promise<{ ms: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const t = performance.now();
        await one(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { ms: performance.now() - start, latencies: latencies.sort((a, b) => a - b) };
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))];

const broker = await testBroker();
const node = await startServer({ identity: NODE, factsFile: join(FIXTURES, "facts", "node1.yaml"), extra: { loglevel: "info" } }, broker.port);
const tls = await testCert("bench.mcollective");
const nc = await connectBroker({ brokers: [{ host: "127.0.0.1", port: broker.port }], tls, name: "bench", mode: "client" });
const signer = loadSigner({ certname: "bench.mcollective", ...tls });
try {
  // Baseline: a responder that echoes the payload back, no decoding at all.
  nc.subscribe("bench.echo", { callback: (_err, msg) => nc.publish("bench.echo.reply", msg.data) });
  const echo = responder(nc, "bench.echo.reply", (data) => new TextDecoder().decode(data));
  const payloads = Array.from({ length: N }, () => newRequestId());
  const replyTo = replySubject("mcollective", signer.callerid, process.pid, 1);
  const signed = payloads.map((requestid) =>
    encodeRequest({
      envelope: { requestid, senderid: "bench", callerid: signer.callerid, filter: emptyFilter(), collective: "mcollective", agent: "rpcutil", ttl: 600, time: Math.floor(Date.now() / 1000) },
      message: encodeRpcRequest({ agent: "rpcutil", action: "ping", caller: signer.callerid, data: {} }),
      headers: { mc_sender: "bench", "reply-to": replyTo },
      sign: (l3) => signer.sign(l3),
    }),
  );
  const ping = responder(nc, replyTo, (data) => decodeReply(data).envelope.requestid);
  const target = nodeSubject("mcollective", NODE);

  for (const [name, concurrency] of [["sequential", 1], [`${CONCURRENCY} in flight`, CONCURRENCY]] as const) {
    const base = await drive(N, concurrency, (i) => echo("bench.echo", payloads[i], payloads[i]));
    const server = await drive(N, concurrency, (i) => ping(target, payloads[i], signed[i]));
    const rate = (r: { ms: number }) => (N / r.ms) * 1000;
    console.log(
      `${name.padEnd(14)} echo ${rate(base).toFixed(0)} req/s (p50 ${pct(base.latencies, 0.5).toFixed(2)} ms) | ` +
        `mcompat server ${rate(server).toFixed(0)} req/s (p50 ${pct(server.latencies, 0.5).toFixed(2)} ms, p99 ${pct(server.latencies, 0.99).toFixed(2)} ms) | ` +
        `server/echo throughput ${(rate(server) / rate(base)).toFixed(2)}x`,
    );
  }
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${node.pid}/status`, "utf8"))?.[1];
  console.log(`daemon resident memory after ${4 * N} requests: ${(Number(rss) / 1024).toFixed(0)} MB`);
} finally {
  await nc.close();
  await node.stop();
  await broker.stop();
}
