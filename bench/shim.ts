/**
 * Ruby worker pool against a process per request (the Choria shim's model) for the same agent, same machine, same run:
 * per-call latency, throughput, and resident memory of the pool idle and with two warmed workers.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { WorkerPool, type AgentCall } from "../src/shim/index.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const AGENT_DIR = join(ROOT, "fixtures", "agents", "mcollective", "agent");
const agents = [{ agent: "echo", rb: join(AGENT_DIR, "echo.rb"), ddl: join(AGENT_DIR, "echo.ddl") }];
const config = { identity: "bench.example" };

function echo(i: number): AgentCall {
  return { agent: "echo", action: "echo", data: { message: `hello ${i}` }, caller: "choria=bench.mcollective",
    requestid: i.toString(16).padStart(32, "0"), sender: "bench.example", collective: "mcollective", timeoutSec: 10 };
}

/** Runs n calls with at most `concurrency` in flight; returns the wall time in ms. */
async function drive(n: number, concurrency: number, one: (i: number) => Promise<unknown>): Promise<number> {
  const start = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await one(next++);
  }));
  return performance.now() - start;
}

async function latencies(n: number, one: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await one(i);
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

const median = (xs: number[]) => xs[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => xs[Math.floor(xs.length * 0.95)];

function rssMb(pid: number | "self"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/** The process-per-request model: a fresh worker process for every call, stopped after it. */
async function oneShot(i: number): Promise<void> {
  const pool = new WorkerPool({ config, agents, size: 1 });
  const reply = await pool.call(echo(i));
  await pool.stop();
  if (reply.statuscode !== 0) throw new Error(`one-shot call failed: ${reply.statusmsg}`);
}

async function main(): Promise<void> {
  const idleRss = rssMb("self");
  const pool = new WorkerPool({ config, agents, size: 2 });
  const pooled = async (i: number) => {
    const reply = await pool.call(echo(i));
    if (reply.statuscode !== 0) throw new Error(`pooled call failed: ${reply.statusmsg}`);
  };
  await drive(4, 2, pooled);
  const warmNode = rssMb("self");
  const workerRss = pool.stats().pids.map(rssMb);

  const poolLat = await latencies(300, pooled);
  const poolMs = await drive(2000, 4, pooled);
  const shotLat = await latencies(10, oneShot);
  const shotMs = await drive(20, 2, oneShot);
  await pool.stop();

  const poolRps = 2000 / (poolMs / 1000);
  const shotRps = 20 / (shotMs / 1000);
  console.log(`latency per call, sequential: pool median ${median(poolLat).toFixed(2)} ms (p95 ${p95(poolLat).toFixed(2)}), ` +
    `process per request median ${median(shotLat).toFixed(1)} ms -> ${(median(shotLat) / median(poolLat)).toFixed(0)}x lower`);
  console.log(`throughput: pool (2 workers, 4 in flight) ${poolRps.toFixed(0)} req/s, process per request (2 in flight) ` +
    `${shotRps.toFixed(1)} req/s -> ${(poolRps / shotRps).toFixed(0)}x more requests per second (target >= 20x)`);
  console.log(`memory: node with an idle pool ${idleRss.toFixed(1)} MB; with two warmed workers node ${warmNode.toFixed(1)} MB + ` +
    `workers ${workerRss.map((r) => r.toFixed(1)).join(" + ")} MB = ${(warmNode + workerRss.reduce((a, b) => a + b, 0)).toFixed(1)} MB ` +
    `(legacy mcollectived 67-76 MB; target <= 2x)`);
}

await main();
