/** `mcompat up` / `mcompat down`: the quickstart's local collective, started and stopped as one. */
import { spawn } from "node:child_process";
import { copyFileSync, writeFileSync, readFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { execa } from "execa";
import { PACKAGE_ROOT } from "../../package-root.js";
import { startBroker } from "../../transport/index.js";
import { issueCert, makeCa } from "../../security/index.js";
import { forgetStarted, isRunning, readStarted, recordStarted, stateDir } from "../state.js";

export const QUICKSTART_NODES = ["node1.mcompat.local", "node2.mcompat.local", "node3.mcompat.local"];
export const QUICKSTART_CLIENT = "quickstart.mcollective";
/** The repository root and its launcher (this file runs from `dist/src/cli/commands/`). */
const FIXTURES = join(PACKAGE_ROOT, "fixtures");
const MCOMPAT_BIN = join(PACKAGE_ROOT, "bin", "mcompat");
const MCO_BIN = join(PACKAGE_ROOT, "bin", "mco");

export function registerUp(program: Command): void {
  program
    .command("up")
    .description("start a local broker and nodes under the state folder, then show real replies")
    .action(async () => {
      await up();
    });
  program
    .command("down")
    .description("stop exactly what `mcompat up` started")
    .action(async () => {
      await down();
    });
}

async function up(): Promise<void> {
  const dir = stateDir();
  mkdirSync(dir, { recursive: true });
  console.log(`==> state folder ${dir}`);

  const ca = await makeCa(join(dir, "ssl"));
  const brokerCert = await issueCert(ca, "broker.mcompat.local", ["localhost", "127.0.0.1"]);
  for (const name of [...QUICKSTART_NODES, QUICKSTART_CLIENT]) await issueCert(ca, name);
  console.log(`==> throwaway CA and certificates in ${ca.ssldir}`);

  const port = await ensureBroker(dir, { cert: brokerCert.cert, key: brokerCert.key, ca: ca.caCert });
  const clientCfg = join(dir, "client.cfg");
  writeFileSync(clientCfg, clientConfig(port, ca.ssldir));
  console.log(`==> client config ${clientCfg}`);

  // Each node is spawned and recorded before the first await, so they start side by side.
  await Promise.all(QUICKSTART_NODES.map((identity, i) => ensureNode(dir, identity, i + 1, port, ca.ssldir)));

  // The real client, as an operator would type it; the certname is pinned so that any Unix user gets the client cert.
  const mco = async (args: string[]) => {
    console.log(`==> mco ${args.join(" ")}`);
    await execa(process.execPath, [MCO_BIN, ...args, "--config", clientCfg], { stdio: "inherit", env: { MCOLLECTIVE_CERTNAME: QUICKSTART_CLIENT } });
  };
  await mco(["ping"]);
  await mco(["rpc", "rpcutil", "get_fact", "fact=country"]);
  await mco(["package", "status", "bash", "-I", QUICKSTART_NODES[0]]);
  console.log(`==> try more: MCOLLECTIVE_CERTNAME=${QUICKSTART_CLIENT} ./bin/mco find -F country=uk --config ${clientCfg}`);
  console.log("Stop everything with: ./bin/mcompat down");
}

/** Starts one local `mcompat server` node, detached and recorded, unless it already runs; waits until it serves. */
async function ensureNode(dir: string, identity: string, n: number, port: number, ssldir: string): Promise<void> {
  const name = `mcompat server ${identity}`;
  const running = readStarted(dir).find((p) => p.name === name && isRunning(p.pid));
  if (running) {
    console.log(`==> ${identity} already running (pid ${running.pid})`);
    return;
  }
  const nodeDir = join(dir, "nodes", identity);
  mkdirSync(nodeDir, { recursive: true });
  const factsFile = join(nodeDir, "facts.yaml");
  const classesFile = join(nodeDir, "classes.txt");
  copyFileSync(join(FIXTURES, "facts", `node${n}.yaml`), factsFile);
  copyFileSync(join(FIXTURES, "facts", `node${n}.classes.txt`), classesFile);
  const logFile = join(nodeDir, "server.log");
  writeFileSync(logFile, "");
  const configFile = join(nodeDir, "server.cfg");
  writeFileSync(configFile, nodeConfig({ identity, port, ssldir, factsFile, classesFile, logFile, libdir: join(nodeDir, "plugins") }));
  const child = spawn(process.execPath, [MCOMPAT_BIN, "server", "--config", configFile], { detached: true, stdio: "ignore" });
  child.unref();
  recordStarted({ name, pid: child.pid! }, dir);
  const serving = () => /serving agents: /.test(readFileSync(logFile, "utf8"));
  if (!(await pollUntil(() => serving() || !isRunning(child.pid!), 20_000)) || !serving()) {
    throw new Error(`${identity} did not start; see ${logFile}`);
  }
  console.log(`==> started ${identity} (pid ${child.pid}), facts ${factsFile}, log ${logFile}`);
}

/** A node's server.cfg: the legacy keys, its own identity and facts, the throwaway ssldir. */
export function nodeConfig(o: { identity: string; port: number; ssldir: string; factsFile: string; classesFile: string; logFile: string; libdir: string }): string {
  return [
    "# written by mcompat up",
    `identity = ${o.identity}`,
    "collectives = mcollective",
    "main_collective = mcollective",
    `libdir = ${o.libdir}`,
    `logfile = ${o.logFile}`,
    "loglevel = info",
    "connector = nats",
    "securityprovider = choria",
    `plugin.choria.middleware_hosts = 127.0.0.1:${o.port}`,
    `plugin.choria.ssldir = ${o.ssldir}`,
    "factsource = yaml",
    `plugin.yaml = ${o.factsFile}`,
    `classesfile = ${o.classesFile}`,
    "",
  ].join("\n");
}

/** Starts the broker unless the one recorded in the state folder still runs; returns its port. */
async function ensureBroker(dir: string, tls: { cert: string; key: string; ca: string }): Promise<number> {
  const portFile = join(dir, "broker.port");
  const running = readStarted(dir).find((p) => p.name === "nats-server" && isRunning(p.pid));
  if (running && existsSync(portFile)) {
    const port = Number(readFileSync(portFile, "utf8"));
    console.log(`==> broker already running on tls://127.0.0.1:${port} (pid ${running.pid})`);
    return port;
  }
  const broker = await startBroker({ dir: join(dir, "broker"), tls, detached: true });
  recordStarted({ name: "nats-server", pid: broker.pid }, dir);
  writeFileSync(portFile, String(broker.port));
  console.log(`==> started nats-server on ${broker.url} (pid ${broker.pid}), TLS with verify`);
  return broker.port;
}

/** The client.cfg the quickstart writes: the legacy keys, pointing at the local broker and throwaway certs. */
export function clientConfig(port: number, ssldir: string): string {
  return [
    "# written by mcompat up",
    "collectives = mcollective",
    "main_collective = mcollective",
    `identity = ${QUICKSTART_CLIENT}`,
    "securityprovider = choria",
    "connector = nats",
    `plugin.choria.middleware_hosts = 127.0.0.1:${port}`,
    `plugin.choria.ssldir = ${ssldir}`,
    "",
  ].join("\n");
}

async function down(): Promise<void> {
  const started = readStarted();
  if (started.length === 0) {
    console.log("nothing to stop: `mcompat up` has not started anything here");
    return;
  }
  for (const proc of started.reverse()) {
    if (isRunning(proc.pid)) {
      process.kill(proc.pid, "SIGTERM");
      console.log(`stopped ${proc.name} (pid ${proc.pid})${(await exited(proc.pid)) ? "" : ", still exiting"}`);
    } else {
      console.log(`${proc.name} (pid ${proc.pid}) was not running`);
    }
  }
  forgetStarted();
}

/** Waits up to 10 s for a process to be gone, so that `down` returns once things have stopped. */
function exited(pid: number): Promise<boolean> {
  return pollUntil(() => !isRunning(pid), 10_000);
}

/** Checks `done` every 100 ms until it holds (true) or `timeoutMs` passes (false). */
async function pollUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  for (let waited = 0; waited <= timeoutMs; waited += 100) {
    if (done()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
