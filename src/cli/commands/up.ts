/** `mcompat up` / `mcompat down`: the quickstart's local collective, started and stopped as one. */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, writeFileSync, readFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { execa } from "execa";
import { PACKAGE_ROOT } from "../../package-root.js";
import { startBroker } from "../../transport/index.js";
import { startActiveMq } from "../../transport/activemq-broker.js";
import { startRabbitMq } from "../../transport/rabbitmq-broker.js";
import { stompConfigLines, type StompConnector } from "../../transport/stomp/settings.js";
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
    .option("--legacy <connector>", "the legacy wire instead of Choria: activemq or rabbitmq (Debian's broker), with the psk security plugin")
    .action(async (opts: { legacy?: string }) => {
      if (opts.legacy !== undefined && !LEGACY_CONNECTORS.includes(opts.legacy)) throw new Error(`--legacy must be one of ${LEGACY_CONNECTORS.join(", ")}, not ${opts.legacy}`);
      await up(opts.legacy as StompConnector | undefined);
    });
  program
    .command("down")
    .description("stop exactly what `mcompat up` started")
    .action(async () => {
      await down();
    });
}

const LEGACY_CONNECTORS = ["activemq", "rabbitmq"];

/** How the local collective talks: the config lines that name the broker and the security plugin, for nodes and client. */
interface Wire {
  server: string[];
  client: string[];
  /** Environment for the client (the Choria certname). */
  env: NodeJS.ProcessEnv;
}

async function up(legacy?: StompConnector): Promise<void> {
  const dir = stateDir();
  mkdirSync(dir, { recursive: true });
  console.log(`==> state folder ${dir}`);
  const wire = legacy ? await legacyWire(dir, legacy) : await choriaWire(dir);

  const clientCfg = join(dir, "client.cfg");
  writeFileSync(clientCfg, clientConfig(wire.client));
  console.log(`==> client config ${clientCfg}`);

  // Each node is spawned and recorded before the first await, so they start side by side.
  await Promise.all(QUICKSTART_NODES.map((identity, i) => ensureNode(dir, identity, i + 1, wire.server)));

  // The real client, as an operator would type it.
  const mco = async (args: string[]) => {
    console.log(`==> mco ${args.join(" ")}`);
    await execa(process.execPath, [MCO_BIN, ...args, "--config", clientCfg], { stdio: "inherit", env: wire.env });
  };
  await mco(["ping"]);
  await mco(["rpc", "rpcutil", "get_fact", "fact=country"]);
  await mco(["package", "status", "bash", "-I", QUICKSTART_NODES[0]]);
  const prefix = Object.entries(wire.env).map(([k, v]) => `${k}=${v} `).join("");
  console.log(`==> try more: ${prefix}./bin/mco find -F country=uk --config ${clientCfg}`);
  console.log("Stop everything with: ./bin/mcompat down");
}

/** Choria: a throwaway CA, a TLS nats-server, certificates for every node and the client. */
async function choriaWire(dir: string): Promise<Wire> {
  const ca = await makeCa(join(dir, "ssl"));
  const brokerCert = await issueCert(ca, "broker.mcompat.local", ["localhost", "127.0.0.1"]);
  for (const name of [...QUICKSTART_NODES, QUICKSTART_CLIENT]) await issueCert(ca, name);
  console.log(`==> throwaway CA and certificates in ${ca.ssldir}`);
  const port = await ensureBroker(dir, "nats-server", async () => {
    const broker = await startBroker({ dir: join(dir, "broker"), tls: { cert: brokerCert.cert, key: brokerCert.key, ca: ca.caCert }, detached: true });
    console.log(`==> started nats-server on ${broker.url} (pid ${broker.pid}), TLS with verify`);
    return broker;
  });
  const lines = ["connector = nats", "securityprovider = choria", `plugin.choria.middleware_hosts = 127.0.0.1:${port}`, `plugin.choria.ssldir = ${ca.ssldir}`];
  // The certname is pinned so that any Unix user gets the client cert.
  return { server: lines, client: lines, env: { MCOLLECTIVE_CERTNAME: QUICKSTART_CLIENT } };
}

/** The legacy wire: Debian's ActiveMQ or RabbitMQ on loopback with a STOMP login, and a psk secret made for this folder. */
async function legacyWire(dir: string, connector: StompConnector): Promise<Wire> {
  const secretFile = join(dir, "psk.secret");
  if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(24).toString("base64url"), { mode: 0o600 });
  const password = readFileSync(secretFile, "utf8").slice(0, 12);
  const port = await ensureBroker(dir, connector, async () => {
    const opts = { dir: join(dir, connector), password, detached: true };
    const broker = connector === "activemq" ? await startActiveMq(opts) : await startRabbitMq({ ...opts, collectives: ["mcollective"] });
    console.log(`==> started ${connector} with STOMP on 127.0.0.1:${broker.port} (pid ${broker.pid}) in ${(broker.startupMs / 1000).toFixed(1)}s`);
    return broker;
  });
  const pool = stompConfigLines(connector, [{ host: "127.0.0.1", port }], { user: "mcollective", password });
  const lines = [...Object.entries(pool).map(([k, v]) => `${k} = ${v}`), "securityprovider = psk", `plugin.psk = ${readFileSync(secretFile, "utf8")}`];
  return { server: lines, client: lines, env: {} };
}

/** Starts one local `mcompat server` node, detached and recorded, unless it already runs; waits until it serves. */
async function ensureNode(dir: string, identity: string, n: number, wire: string[]): Promise<void> {
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
  writeFileSync(configFile, nodeConfig({ identity, factsFile, classesFile, logFile, libdir: join(nodeDir, "plugins"), wire }), { mode: 0o600 });
  const child = spawn(process.execPath, [MCOMPAT_BIN, "server", "--config", configFile], { detached: true, stdio: "ignore" });
  child.unref();
  recordStarted({ name, pid: child.pid! }, dir);
  const serving = () => /serving agents: /.test(readFileSync(logFile, "utf8"));
  if (!(await pollUntil(() => serving() || !isRunning(child.pid!), 20_000)) || !serving()) {
    throw new Error(`${identity} did not start; see ${logFile}`);
  }
  console.log(`==> started ${identity} (pid ${child.pid}), facts ${factsFile}, log ${logFile}`);
}

/** A node's server.cfg: the legacy keys, its own identity and facts, and the wire's lines. */
export function nodeConfig(o: { identity: string; factsFile: string; classesFile: string; logFile: string; libdir: string; wire: string[] }): string {
  return [
    "# written by mcompat up",
    `identity = ${o.identity}`,
    "collectives = mcollective",
    "main_collective = mcollective",
    `libdir = ${o.libdir}`,
    `logfile = ${o.logFile}`,
    "loglevel = info",
    ...o.wire,
    "factsource = yaml",
    `plugin.yaml = ${o.factsFile}`,
    `classesfile = ${o.classesFile}`,
    "",
  ].join("\n");
}

/** Starts the broker unless the one recorded in the state folder still runs; returns its port. */
async function ensureBroker(dir: string, name: string, start: () => Promise<{ pid: number; port: number }>): Promise<number> {
  const portFile = join(dir, "broker.port");
  const running = readStarted(dir).find((p) => isRunning(p.pid) && BROKERS.includes(p.name));
  if (running && running.name !== name) throw new Error(`a ${running.name} broker from an earlier \`mcompat up\` still runs here (pid ${running.pid}): run \`mcompat down\` first`);
  if (running && existsSync(portFile)) {
    const port = Number(readFileSync(portFile, "utf8"));
    console.log(`==> ${name} already running on 127.0.0.1:${port} (pid ${running.pid})`);
    return port;
  }
  const broker = await start();
  recordStarted({ name, pid: broker.pid }, dir);
  writeFileSync(portFile, String(broker.port));
  return broker.port;
}

const BROKERS = ["nats-server", ...LEGACY_CONNECTORS];

/** The client.cfg the quickstart writes: the legacy keys and the wire's lines. */
export function clientConfig(wire: string[]): string {
  return ["# written by mcompat up", "collectives = mcollective", "main_collective = mcollective", `identity = ${QUICKSTART_CLIENT}`, ...wire, ""].join("\n");
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
