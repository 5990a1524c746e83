/**
 * The legacy wire under load: `rpcutil ping` and `puppet status` at 10 in flight over a real ActiveMQ with psk, to a
 * real Debian `mcollectived` 2.12.5 and to `mcompat server` with the same server.cfg keys, one after the other in
 * the same run. Requests are signed before the clock starts; a lost or failed reply is counted, never hidden.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Config } from "../src/config/index.js";
import { emptyFilter, newRequestId, readRpcReply } from "../src/protocol/index.js";
import { codecFromConfig, connectTransport } from "../src/wire/index.js";
import { describeMemory, memoryOf, processTree } from "./memory.js";
import { legacyWireLines, startMcollectived, type LegacyWire } from "../test/helpers/legacy.js";
import { FIXTURES, REPO, startServer } from "../test/helpers/server.js";
import { testActiveMq } from "../test/helpers/stomp-broker.js";

const IN_FLIGHT = 10;
const WORK = [
  { agent: "rpcutil", action: "ping", n: 2000 },
  { agent: "puppet", action: "status", n: 1000 },
];
/** The bundled puppet agent as a Forge module lays it out, so the real daemon runs the very same Ruby. */
const PUPPET_LIBDIR = join(REPO, "dist", "forge", "mcollective_agent_puppet", "files");

const broker = await testActiveMq();
const wire: LegacyWire = { connector: "activemq", port: broker.port, security: "psk" };
const clientConfig = Config.fromText(Object.entries({ identity: "bench.example.net", ...legacyWireLines(wire, "client") }).map(([k, v]) => `${k} = ${v}`).join("\n"));
const codec = codecFromConfig(clientConfig, "client");
const transport = await connectTransport(clientConfig, "client", { mode: "client" });

/** The floor any server pays on this wire: a responder that only decodes, verifies and answers (no filters, DDL or agents). */
async function startFloor(identity: string): Promise<{ stop(): Promise<void> }> {
  const config = Config.fromText(Object.entries({ identity, ...legacyWireLines(wire) }).map(([k, v]) => `${k} = ${v}`).join("\n"));
  const serverCodec = codecFromConfig(config, "server");
  const t = await connectTransport(config, "server", { mode: "daemon" });
  t.subscribe({ kind: "node", collective: "mcollective", identity }, (delivery) => {
    const now = Math.floor(Date.now() / 1000);
    const request = serverCodec.decodeRequest(delivery, now);
    t.publish({ kind: "reply", target: request.replyTo! }, serverCodec.encodeReply(request, { statuscode: 0, statusmsg: "OK", data: { pong: now } }, identity, now));
  });
  await t.flush();
  return { stop: () => t.close() };
}
const facts = join(FIXTURES, "facts", "node1.yaml");
const classes = join(FIXTURES, "facts", "node1.classes.txt");

/** Sends `n` requests to `node`, `IN_FLIGHT` at a time; counts replies that came back OK, failed, or never. */
async function load(node: string, agent: string, action: string, n: number, seq: number) {
  const inbox = transport.openInbox({ collective: "mcollective", agent, callerid: codec.callerid, seq });
  const requests = Array.from({ length: n }, () => {
    const requestid = newRequestId();
    const message = { agent, action, caller: codec.callerid, data: { process_results: true } };
    const filter = { ...emptyFilter(), agent: [agent] };
    const time = Math.floor(Date.now() / 1000);
    return { requestid, payload: codec.encodeRequest({ requestid, senderid: "bench.example.net", filter, collective: "mcollective", agent, ttl: 600, time, message, replyTo: inbox.replyTo }) };
  });
  const waiting = new Map<string, (ok: boolean) => void>();
  let failed = 0;
  let lost = 0;
  const reader = (async () => {
    for (;;) {
      const delivery = await inbox.next(Date.now() + 30_000);
      if (delivery === undefined) return;
      const reply = codec.decodeReply(delivery);
      waiting.get(reply.requestid)?.(readRpcReply(reply.message).statuscode === 0);
    }
  })();
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < n) {
        const { requestid, payload } = requests[next++];
        const t = performance.now();
        const ok = await new Promise<boolean | undefined>((resolve) => {
          const timer = setTimeout(() => resolve(undefined), 20_000);
          waiting.set(requestid, (v) => (clearTimeout(timer), resolve(v)));
          transport.publish({ kind: "node", collective: "mcollective", identity: node }, payload, { replyTo: inbox.replyTo, ttl: 600 });
        });
        if (ok === undefined) lost++;
        else if (!ok) failed++;
        latencies.push(performance.now() - t);
      }
    }),
  );
  const ms = performance.now() - started;
  inbox.close();
  void reader;
  latencies.sort((a, b) => a - b);
  return { rate: (n / ms) * 1000, p50: latencies[Math.floor(n / 2)], failed, lost };
}


const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ROUNDS = 3;

try {
  // Both daemons run side by side and take turns, so load from anything else on the machine falls on both alike.
  const legacy = await startMcollectived("legacy.bench.example.net", facts, classes, wire, { libdirs: [PUPPET_LIBDIR], loglevel: "info" });
  const ours = await startServer({ identity: "mcompat.bench.example.net", factsFile: facts, classesFile: classes, extra: { ...legacyWireLines(wire), loglevel: "info" } }, broker.port);
  const floor = await startFloor("floor.bench.example.net");
  const daemons = { mcollectived: legacy.identity, mcompat: ours.identity, floor: "floor.bench.example.net" };
  let seq = 0;
  try {
    for (const w of WORK) for (const [name, node] of Object.entries(daemons)) if (name !== "floor" || w.agent === "rpcutil") await load(node, w.agent, w.action, 50, ++seq); // warm-up, not counted
    const runs: Record<string, Record<string, Array<Awaited<ReturnType<typeof load>>>>> = { mcollectived: {}, mcompat: {}, floor: {} };
    for (let round = 0; round < ROUNDS; round++) {
      for (const w of WORK) {
        for (const [name, node] of Object.entries(daemons)) {
          if (name === "floor" && w.agent !== "rpcutil") continue;
          (runs[name][`${w.agent}#${w.action}`] ??= []).push(await load(node, w.agent, w.action, w.n, ++seq));
        }
      }
    }
    console.log(`load average during the run: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
    const ourTree = processTree(ours.pid);
    console.log(`memory after the same work: mcollectived ${describeMemory(memoryOf([legacy.pid]))}; ` +
      `mcompat server ${describeMemory(memoryOf(ourTree))} (Node ${memoryOf([ours.pid]).pssMb.toFixed(0)} MB PSS); ` +
      `${(memoryOf(ourTree).pssMb / memoryOf([legacy.pid]).pssMb).toFixed(2)}x by PSS`);
    for (const w of WORK) {
      const key = `${w.agent}#${w.action}`;
      const summary = (rs: Array<Awaited<ReturnType<typeof load>>>) => ({
        rate: median(rs.map((r) => r.rate)),
        p50: median(rs.map((r) => r.p50)),
        failed: rs.reduce((n, r) => n + r.failed, 0),
        lost: rs.reduce((n, r) => n + r.lost, 0),
      });
      const [l, m] = [summary(runs.mcollectived[key]), summary(runs.mcompat[key])];
      const line = (r: typeof l) => `${r.rate.toFixed(0)} req/s (p50 ${r.p50.toFixed(1)} ms, ${r.failed} failed, ${r.lost} lost)`;
      console.log(`${key.padEnd(16)} mcollectived ${line(l)} | mcompat ${line(m)} | ${(m.rate / l.rate).toFixed(1)}x (median of ${ROUNDS} interleaved rounds of ${w.n})`);
      const f = runs.floor[key];
      if (f) console.log(`${"".padEnd(16)} floor (decode + verify + answer, same transport) ${line(summary(f))}: mcompat reaches ${((m.rate / summary(f).rate) * 100).toFixed(0)}% of it`);
    }
  } finally {
    await floor.stop();
    await ours.stop();
    await legacy.stop();
  }
} finally {
  await transport.close();
  await broker.stop();
}
