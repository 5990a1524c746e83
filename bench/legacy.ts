/**
 * The legacy wire under load over a real ActiveMQ (or RabbitMQ) with psk: a real Debian `mcollectived` 2.12.5 and `mcompat server`
 * with the same server.cfg keys take turns in the same run: `rpcutil ping` at 1-100 in flight, `puppet status` at 10-100, and
 * `package status` through Puppet (and through mcompat's native apt provider). Requests are signed before the clock
 * starts; a lost or failed reply is counted, never hidden. Memory of both after the same work, as PSS. Two floors answer
 * the pings beside them: a bare responder in its own process, and the same on the bench's own event loop.
 */
import "../test/helpers/temp-root.js";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { Config } from "../src/config/index.js";
import { emptyFilter, newRequestId, readRpcReply } from "../src/protocol/index.js";
import { writeForgeModules } from "../src/shim/index.js";
import { codecFromConfig, connectTransport } from "../src/wire/index.js";
import { aptWithBinaryCache } from "./apt-cache.js";
import { cpuMsOf } from "./cpu.js";
import { startFloorResponder } from "./floor-responder.js";
import { describeMemory, describeProcess, memoryOf, processTree } from "./memory.js";
import { legacyWireLines, startMcollectived, type LegacyWire } from "../test/helpers/legacy.js";
import { FIXTURES, startServer } from "../test/helpers/server.js";
import { testActiveMq, testRabbitMq } from "../test/helpers/stomp-broker.js";

/**
 * What each daemon runs, how many requests are kept in flight, and how many make one round; `wrong` says what is
 * wrong with a statuscode 0 reply's data, so that a fast wrong answer never counts as OK.
 */
interface Work {
  agent: string; action: string; data?: Record<string, unknown>; inFlight: number; n: number; daemons: DaemonName[];
  wrong: (data: Record<string, unknown>) => string | undefined;
  /** Its warm-up (the daemons' first calls of it after start) is reported too, beside the warm rounds. */
  reportFirstCalls?: boolean;
}
type DaemonName = "mcollectived" | "mcompat" | "mcompat-apt" | "floor" | "floor-shared";
const ALL: DaemonName[] = ["mcollectived", "mcompat", "floor", "floor-shared"];
const BASH_VERSION = execFileSync("dpkg-query", ["-W", "-f=${Version}", "bash"], { encoding: "utf8" });
const pingWrong = (data: Record<string, unknown>) => (typeof data.pong === "number" ? undefined : `pong is ${JSON.stringify(data.pong)}`);
const statusWrong = (data: Record<string, unknown>) => (typeof data.enabled === "boolean" && typeof data.status === "string" ? undefined : `status is ${JSON.stringify(data.status)}`);
const bashWrong = (data: Record<string, unknown>) => (data.ensure === BASH_VERSION ? undefined : `ensure is ${JSON.stringify(data.ensure)}, not bash's ${BASH_VERSION}`);
// Through Puppet, Debian's default provider is apt; mcollectived, its providers half-loaded by concurrent first calls,
// has answered in ~19 ms a call, not ~0.7 s, most likely through dpkg's (no apt-mark): not the same work.
const puppetBashWrong = (data: Record<string, unknown>) => bashWrong(data) ?? (data.provider === "apt" ? undefined : `answered through Puppet's ${JSON.stringify(data.provider)} provider, not apt`);
const WORK: Work[] = [
  // How throughput grows with requests in flight; at 100, as many clients keep a node busy.
  ...[1, 4, 10, 32, 100].map((inFlight) => ({ agent: "rpcutil", action: "ping", inFlight, n: inFlight === 1 ? 500 : inFlight < 32 ? 2000 : 5000, daemons: ALL, wrong: pingWrong })),
  // A cheap Ruby action, by requests in flight as for ping: long enough rounds that a worker's first calls do not count.
  ...[10, 32, 100].map((inFlight) => ({ agent: "puppet", action: "status", inFlight, n: inFlight === 10 ? 3000 : 5000, daemons: ["mcollectived", "mcompat"] as DaemonName[], wrong: statusWrong })),
  // Puppet-bound: the package agent through Puppet's provider in both, and mcompat's native apt provider beside them.
  // Its first calls are where mcollectived fails (Puppet's providers autoloaded by concurrent threads), so they are
  // reported too: what a site sees after each restart.
  { agent: "package", action: "status", data: { package: "bash" }, inFlight: 4, n: 12, daemons: ["mcollectived", "mcompat"], wrong: puppetBashWrong, reportFirstCalls: true },
  // The same requests to the native provider, compared with the row above; enough of them to outlast the ramp.
  { agent: "package", action: "status", data: { package: "bash" }, inFlight: 4, n: 600, daemons: ["mcompat-apt"], wrong: bashWrong },
];
/**
 * The bundled agents as their Forge modules lay them out, written fresh from this checkout (dist/forge is only made by
 * `npm ci`), so the real daemon runs the very same Ruby as mcompat.
 */
const FORGE_DIR = mkdtempSync(join(tmpdir(), "mcompat-bench-forge-"));
const FORGE_LIBDIRS = writeForgeModules(FORGE_DIR).filter((dir) => /_(puppet|package)$/.test(dir)).map((dir) => join(dir, "files"));
const VIA_PUPPET = { "plugin.package.provider": "puppet" };

/**
 * `node dist/bench/legacy.js rabbitmq` runs the same work over RabbitMQ's STOMP plugin; agent names after it keep only
 * their rows; `apt-cache` turns on apt's binary cache, which this container's apt goes without (bench/apt-cache.ts).
 */
const args = process.argv.slice(2);
const connector = args.includes("rabbitmq") ? "rabbitmq" : "activemq";
const aptCache = args.includes("apt-cache");
const only = args.filter((a) => !["rabbitmq", "activemq", "apt-cache"].includes(a));
// Every daemon the bench starts inherits it, so Puppet's apt provider does the same work in each.
if (aptCache) process.env.APT_CONFIG = aptWithBinaryCache();
const work = WORK.filter((w) => only.length === 0 || only.includes(w.agent));
const broker = connector === "rabbitmq" ? await testRabbitMq() : await testActiveMq();
const wire: LegacyWire = { connector, port: broker.port, security: "psk" };
const clientConfig = Config.fromText(Object.entries({ identity: "bench.example.net", ...legacyWireLines(wire, "client") }).map(([k, v]) => `${k} = ${v}`).join("\n"));
const codec = codecFromConfig(clientConfig, "client");
const transport = await connectTransport(clientConfig, "client", { mode: "client" });

/**
 * The floor in a process of its own, as a daemon is (bench/floor.ts); "floor-shared" is the same responder on the
 * bench's own event loop, beside the client: one process fewer for two cores to run.
 */
async function startFloor(identity: string): Promise<{ pid: number; stop(): Promise<void> }> {
  const child = execa("node", [join(dirname(fileURLToPath(import.meta.url)), "floor.js"), identity, wire.connector, String(wire.port)], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once("data", () => resolve());
    child.catch(reject);
  });
  return {
    pid: child.pid!,
    stop: async () => {
      child.stdin!.end();
      await child;
    },
  };
}
const facts = join(FIXTURES, "facts", "node1.yaml");
const classes = join(FIXTURES, "facts", "node1.classes.txt");

/** Sends `n` requests to `node`, `inFlight` at a time; counts replies that came back OK, failed, or never. */
async function load(node: string, daemonPid: number | undefined, w: Work, n: number, seq: number) {
  const { agent, action } = w;
  const inbox = transport.openInbox({ collective: "mcollective", agent, callerid: codec.callerid, seq });
  const requests = Array.from({ length: n }, () => {
    const requestid = newRequestId();
    const message = { agent, action, caller: codec.callerid, data: { ...w.data, process_results: true } };
    const filter = { ...emptyFilter(), agent: [agent] };
    const time = Math.floor(Date.now() / 1000);
    return { requestid, payload: codec.encodeRequest({ requestid, senderid: "bench.example.net", filter, collective: "mcollective", agent, ttl: 600, time, message, replyTo: inbox.replyTo }) };
  });
  const waiting = new Map<string, (ok: boolean) => void>();
  let failed = 0;
  let firstFailure: string | undefined;
  let lost = 0;
  const reader = (async () => {
    for (;;) {
      const delivery = await inbox.next(Date.now() + 30_000);
      if (delivery === undefined) return;
      const reply = codec.decodeReply(delivery);
      const { statuscode, statusmsg, data } = readRpcReply(reply.message);
      const problem = statuscode !== 0 ? `${statuscode} ${statusmsg}` : w.wrong(data);
      if (problem !== undefined) firstFailure ??= statuscode === 0 ? `a wrong answer: ${problem}` : problem;
      waiting.get(reply.requestid)?.(problem === undefined);
    }
  })();
  let next = 0;
  const latencies: number[] = [];
  // CPU per request of the bench process (client, and the shared floor when it is the daemon), broker and daemon.
  // Listed again at the end: workers forked during the round count from their start, and those that exited count in
  // their parent's children's time.
  const daemonTree = () => (daemonPid === undefined ? [] : processTree(daemonPid));
  const daemonTop = daemonPid === undefined ? [] : [daemonPid];
  const cpuBefore = { client: process.cpuUsage(), broker: cpuMsOf(processTree(broker.pid)), daemon: cpuMsOf(daemonTree()), top: cpuMsOf(daemonTop, true) };
  const started = performance.now();
  await Promise.all(
    Array.from({ length: w.inFlight }, async () => {
      while (next < n) {
        const { requestid, payload } = requests[next++];
        const t = performance.now();
        const ok = await new Promise<boolean | undefined>((resolve) => {
          const timer = setTimeout(() => resolve(undefined), 60_000);
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
  const client = process.cpuUsage(cpuBefore.client);
  const cpu = {
    client: (client.user + client.system) / 1000 / n,
    broker: (cpuMsOf(processTree(broker.pid)) - cpuBefore.broker) / n,
    daemon: (cpuMsOf(daemonTree()) - cpuBefore.daemon) / n,
    // mcompat's Node process alone, without its Ruby workers.
    top: (cpuMsOf(daemonTop, true) - cpuBefore.top) / n,
  };
  inbox.close();
  void reader;
  latencies.sort((a, b) => a - b);
  if (firstFailure !== undefined) console.log(`${node}, ${label(w)}: ${failed} failed, the first with ${firstFailure}`);
  // Only replies that came back OK and right count: a daemon that fails fast, or answers wrong fast, must not look fast.
  return { rate: ((n - failed - lost) / ms) * 1000, p50: latencies[Math.floor(n / 2)], failed, lost, cpu };
}


const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ROUNDS = 3;
type Run = Awaited<ReturnType<typeof load>>;
const label = (w: Work) => `${w.agent}#${w.action}, ${w.inFlight} in flight`;

try {
  // The daemons run side by side and take turns, so load from anything else on the machine falls on all alike.
  const legacy = await startMcollectived("legacy.bench.example.net", facts, classes, wire, { libdirs: FORGE_LIBDIRS, loglevel: "info", extra: VIA_PUPPET });
  const ours = await startServer({ identity: "mcompat.bench.example.net", factsFile: facts, classesFile: classes, extra: { ...legacyWireLines(wire), ...VIA_PUPPET, loglevel: "info" } }, broker.port);
  const apt = await startServer({ identity: "apt.bench.example.net", factsFile: facts, classesFile: classes, extra: { ...legacyWireLines(wire), "plugin.package.provider": "apt", loglevel: "info" } }, broker.port);
  const floor = await startFloor("floor.bench.example.net");
  const sharedFloor = await startFloorResponder("floor-shared.bench.example.net", wire);
  const identities: Record<DaemonName, string> = { mcollectived: legacy.identity, mcompat: ours.identity, "mcompat-apt": apt.identity, floor: "floor.bench.example.net", "floor-shared": "floor-shared.bench.example.net" };
  const pids: Record<DaemonName, number | undefined> = { mcollectived: legacy.pid, mcompat: ours.pid, "mcompat-apt": apt.pid, floor: floor.pid, "floor-shared": undefined };
  let seq = 0;
  try {
    // Warm-up, not counted in the rounds.
    const firstCalls = new Map<string, Run>();
    for (const w of work) for (const name of w.daemons) firstCalls.set(`${label(w)}/${name}`, await load(identities[name], pids[name], w, Math.min(w.n, 50), ++seq));
    const runs = new Map<string, Run[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const w of work) {
        for (const name of w.daemons) {
          const key = `${label(w)}/${name}`;
          runs.set(key, [...(runs.get(key) ?? []), await load(identities[name], pids[name], w, w.n, ++seq)]);
        }
      }
    }
    console.log(`${connector}, apt ${aptCache ? "with its binary cache, as on an installed server" : "as this container has it (no binary cache)"}; load average during the run: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
    const printMemory = (when: string) => {
      const ourPids = processTree(ours.pid);
      const ourTree = memoryOf(ourPids);
      const theirs = memoryOf([legacy.pid]);
      console.log(`memory ${when}: mcollectived ${describeMemory(theirs)}; mcompat server ${describeMemory(ourTree)} ` +
        `(Node ${memoryOf([ours.pid]).pssMb.toFixed(0)} MB PSS): ${(ourTree.pssMb / theirs.pssMb).toFixed(2)}x by PSS`);
      for (const pid of ourPids) console.log(`  ${describeProcess(pid)}`);
    };
    // As the last request is answered, then at rest: idle Ruby workers give back what their calls left behind within
    // a second, Node its grown heap after 10 s (src/server/idle-release.ts).
    printMemory("as the work ends");
    await new Promise((resolve) => setTimeout(resolve, 3000));
    printMemory("3 s later");
    await new Promise((resolve) => setTimeout(resolve, 9000));
    printMemory("12 s later");
    // A daemon whose measured calls failed (Puppet's autoload race) never loaded what they needed: less work, less
    // memory. Warm-up failures do not count: a daemon that served every measured call did the work.
    const legacyFailed = [...runs].filter(([key]) => key.endsWith("/mcollectived")).flatMap(([, rs]) => rs).reduce((n, r) => n + r.failed + r.lost, 0);
    if (legacyFailed > 0) console.log(`mcollectived failed ${legacyFailed} calls, so it did less of the work: the memory ratio is not like for like`);
    const summary = (rs: Run[]) => ({
      rate: median(rs.map((r) => r.rate)),
      p50: median(rs.map((r) => r.p50)),
      failed: rs.reduce((n, r) => n + r.failed, 0),
      lost: rs.reduce((n, r) => n + r.lost, 0),
      cpu: { client: median(rs.map((r) => r.cpu.client)), broker: median(rs.map((r) => r.cpu.broker)), daemon: median(rs.map((r) => r.cpu.daemon)), top: median(rs.map((r) => r.cpu.top)) },
    });
    const us = (ms: number) => (ms < 10 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(0)} ms`);
    const line = (r: ReturnType<typeof summary>, name: DaemonName) => `${r.rate.toFixed(r.rate < 10 ? 2 : 0)} OK replies/s (p50 ${r.p50.toFixed(1)} ms, ${r.failed} failed, ${r.lost} lost; ` +
      `CPU per request: bench client ${us(r.cpu.client)}, broker ${us(r.cpu.broker)}, daemon ${us(r.cpu.daemon)}${name.startsWith("mcompat") ? ` of which Node ${us(r.cpu.top)}` : ""})`;
    const rows = (title: string, of: (name: DaemonName) => ReturnType<typeof summary>, names: DaemonName[]) => {
      const base = of("mcollectived");
      console.log(title);
      for (const name of names) {
        const r = of(name);
        console.log(`  ${name.padEnd(12)} ${line(r, name)}${name === "mcollectived" ? "" : base.rate > 0 ? `: ${(r.rate / base.rate).toFixed(1)}x mcollectived` : ": mcollectived answered none OK"}`);
      }
    };
    for (const w of work) {
      rows(`${label(w)} (median of ${ROUNDS} interleaved rounds of ${w.n})`, (name) => summary(runs.get(`${label(w)}/${name}`)!), w.daemons);
      if (w.reportFirstCalls) {
        rows(`${label(w)}, the first ${Math.min(w.n, 50)} calls after start (the warm-up, once)`, (name) => summary([firstCalls.get(`${label(w)}/${name}`)!]), w.daemons);
      }
    }
  } finally {
    await sharedFloor.stop();
    await floor.stop();
    await apt.stop();
    await ours.stop();
    await legacy.stop();
  }
} finally {
  await transport.close();
  await broker.stop();
  rmSync(FORGE_DIR, { recursive: true, force: true });
}
