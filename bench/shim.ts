/**
 * Ruby worker pool against a process per request (the Choria shim's model) for the same agent, same machine, same run:
 * per-call latency and throughput; what a worker forked from the preloaded parent costs to start; the memory
 * (PSS: shared pages split among their sharers) of a pool that served the bundled puppet agent, and the CPU each of
 * its calls costs in Ruby and in Node.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundledAgents, WorkerPool, type AgentCall } from "../src/shim/index.js";
import { cpuMsOf } from "./cpu.js";
import { describeMemory, memoryOf } from "./memory.js";

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

/** The process-per-request model: a fresh Ruby parent and worker for every call, stopped after it. */
async function oneShot(i: number): Promise<void> {
  const pool = new WorkerPool({ config, agents, size: 1, preload: [] });
  const reply = await pool.call(echo(i));
  await pool.stop();
  if (reply.statuscode !== 0) throw new Error(`one-shot call failed: ${reply.statusmsg}`);
}

/** Calls `pool` and throws on a failed reply. */
const through = (pool: WorkerPool, call: (i: number) => AgentCall) => async (i: number) => {
  const reply = await pool.call(call(i));
  if (reply.statuscode !== 0) throw new Error(`call failed: ${reply.statusmsg}`);
};

function puppetStatus(i: number): AgentCall {
  return { ...echo(i), agent: "puppet", action: "status", data: {} };
}

async function main(): Promise<void> {
  const pool = new WorkerPool({ config, agents, size: 2 });
  const pooled = through(pool, echo);
  await drive(4, 2, pooled);
  const poolLat = await latencies(300, pooled);
  const poolMs = await drive(2000, 4, pooled);
  await pool.stop();

  // A new worker forked for every call: what starting a worker costs once the parent has loaded everything.
  const forking = new WorkerPool({ config, agents, size: 1, recycleAfter: 1 });
  const forked = through(forking, echo);
  await drive(3, 1, forked);
  const forkLat = await latencies(100, forked);
  await forking.stop();

  const shotLat = await latencies(10, oneShot);
  const shotMs = await drive(20, 2, oneShot);

  const poolRps = 2000 / (poolMs / 1000);
  const shotRps = 20 / (shotMs / 1000);
  console.log(`latency per call, sequential: pool median ${median(poolLat).toFixed(2)} ms (p95 ${p95(poolLat).toFixed(2)}), ` +
    `process per request median ${median(shotLat).toFixed(1)} ms -> ${(median(shotLat) / median(poolLat)).toFixed(0)}x lower`);
  console.log(`throughput: pool (2 workers, 4 in flight) ${poolRps.toFixed(0)} req/s, process per request (2 in flight) ` +
    `${shotRps.toFixed(1)} req/s -> ${(poolRps / shotRps).toFixed(0)}x more requests per second (target >= 20x)`);
  console.log(`worker start: a call on a freshly forked worker ${median(forkLat).toFixed(1)} ms median (p95 ${p95(forkLat).toFixed(1)}), ` +
    `${(median(forkLat) - median(poolLat)).toFixed(1)} ms above a reused one; a cold Ruby start with the agent loaded ${median(shotLat).toFixed(0)} ms`);

  // Memory of a pool serving the bundled puppet agent: two workers after 200 calls each, parent with Puppet preloaded.
  const puppet = new WorkerPool({ config, agents: bundledAgents(), size: 2 });
  await drive(400, 2, through(puppet, puppetStatus));
  const { parent, pids } = puppet.stats();
  const ruby = memoryOf([parent!, ...pids]);
  console.log(`memory, bundled agents after 400 puppet status calls: Node ${describeMemory(memoryOf([process.pid]))}; ` +
    `Ruby parent + 2 workers ${describeMemory(ruby)}; each worker's own pages ${pids.map((p) => memoryOf([p]).ussMb.toFixed(1)).join(" and ")} MB`);

  // What a cheap Ruby action costs in CPU with no broker or wire around it: one call at a time, then with a long queue.
  const calls = 5000;
  for (const inFlight of [1, 100]) {
    const cpuBefore = { node: process.cpuUsage(), ruby: cpuMsOf([parent!, ...pids], true) };
    const cpuMs = await drive(calls, inFlight, through(puppet, puppetStatus));
    const node = process.cpuUsage(cpuBefore.node);
    const perCall = (ms: number) => `${((ms * 1000) / calls).toFixed(0)} µs`;
    console.log(`CPU per puppet status call, ${inFlight} in flight (${(calls / (cpuMs / 1000)).toFixed(0)} calls/s): Ruby workers ` +
      `${perCall(cpuMsOf([parent!, ...pids], true) - cpuBefore.ruby)}, Node (the pool and this bench's calls) ${perCall((node.user + node.system) / 1000)}`);
  }
  await puppet.stop();
}

await main();
