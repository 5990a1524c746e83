/**
 * Scale: `mcompat emulate` with N virtual nodes behind a real TLS nats-server, driven by the real `bin/mco`:
 * `mco ping` and `mco rpc rpcutil ping --discovery-window 300` must count every node once; prints wall times and
 * the emulator's memory per node, for N = 1,000 .. 50,000, against an idle emulator of 1 node as the baseline.
 */
import "../test/helpers/temp-root.js";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { testBroker } from "../test/helpers/broker.js";
import { writeClientConfig } from "../test/helpers/fleet.js";
import { mcoProcess } from "../test/helpers/mco.js";
import { FIXTURES, NATIVE_ONLY, REPO, waitFor, writeServerConfig } from "../test/helpers/server.js";

const SIZES = (process.argv[2] ?? "1,1000,5000,10000,25000,50000").split(",").map(Number);

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; s: number }> {
  const t = performance.now();
  const value = await fn();
  return { value, s: (performance.now() - t) / 1000 };
}

const broker = await testBroker();
const clientCfg = await writeClientConfig(broker.port, "scale");
let baselineMb = 0;
try {
  for (const n of SIZES) {
    const files = await writeServerConfig({ identity: "emulator.example.net", factsFile: join(FIXTURES, "facts", "node1.yaml"), extra: { ...NATIVE_ONLY, loglevel: "warn" } }, broker.port);
    const emulator = execa(join(REPO, "bin", "mcompat"), ["emulate", "--config", files.configFile, "--nodes", String(n)], { reject: false, env: { NODE_OPTIONS: "--max-old-space-size=4096" } });
    let exited = false;
    void emulator.then(() => (exited = true));
    const log = () => (existsSync(files.logFile) ? readFileSync(files.logFile, "utf8") : "");
    // The emulator logs at warn here; it is up once its subscriptions answer a ping.
    await waitFor(() => rssMb(emulator.pid!) > 0, () => exited, async () => `emulator did not start: ${log()}`);
    let ready = 0;
    for (let tries = 0; tries < 120 && ready < n; tries++) ready = (await mcoProcess(["ping", "-t", "5", "--config", clientCfg])).stdout.split("\n").filter((l) => / time=/.test(l)).length;
    const mem = rssMb(emulator.pid!);
    if (n === 1) baselineMb = mem;
    const ping = await timed(() => mcoProcess(["ping", "--config", clientCfg]));
    const pinged = new Set(ping.value.stdout.split("\n").filter((l) => / time=/.test(l)).map((l) => l.trim().split(/\s+/)[0])).size;
    const rpc = await timed(() => mcoProcess(["rpc", "rpcutil", "ping", "--discovery-window", "300", "--dt", "20", "-j", "--config", clientCfg]));
    const replies = (JSON.parse(rpc.value.stdout || "[]") as Array<{ sender: string }>).map((r) => r.sender);
    console.log(
      `${String(n).padStart(6)} nodes: mco ping counted ${pinged} in ${ping.s.toFixed(1)} s | rpc with a 300 ms discovery window: ${new Set(replies).size} distinct of ${replies.length} replies in ${rpc.s.toFixed(1)} s | ` +
        `emulator ${mem.toFixed(0)} MB${n > 1 ? `, ${(((mem - baselineMb) * 1024) / n).toFixed(1)} KB per node above one idle node` : ""}`,
    );
    emulator.kill("SIGTERM");
    await emulator;
  }
} finally {
  await broker.stop();
}
