/** `mcompat up` / `mcompat down`: the quickstart's local collective, started and stopped as one. */
import { writeFileSync, readFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { connectBroker, startBroker } from "../../transport/index.js";
import { issueCert, makeCa } from "../../security/index.js";
import { forgetStarted, isRunning, readStarted, recordStarted, stateDir } from "../state.js";

export const QUICKSTART_NODES = ["node1.mcompat.local", "node2.mcompat.local", "node3.mcompat.local"];
export const QUICKSTART_CLIENT = "quickstart.mcollective";

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
    .action(() => {
      down();
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

  const nc = await connectBroker({
    brokers: [{ host: "127.0.0.1", port }],
    tls: { cert: join(ca.ssldir, "certs", `${QUICKSTART_CLIENT}.pem`), key: join(ca.ssldir, "private_keys", `${QUICKSTART_CLIENT}.pem`), ca: ca.caCert },
    name: QUICKSTART_CLIENT,
    mode: "client",
  });
  const sub = nc.subscribe("mcompat.quickstart.echo", { max: 1 });
  nc.publish("mcompat.quickstart.echo", "hello over mutual TLS");
  for await (const msg of sub) console.log(`==> broker round trip as ${QUICKSTART_CLIENT}: "${msg.string()}"`);
  await nc.close();

  console.log("==> coming next: three local mcompat server nodes, `mco ping` and a real RPC against them");
  console.log("Stop everything with: ./bin/mcompat down");
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

function down(): void {
  const started = readStarted();
  if (started.length === 0) {
    console.log("nothing to stop: `mcompat up` has not started anything here");
    return;
  }
  for (const proc of started.reverse()) {
    if (isRunning(proc.pid)) {
      process.kill(proc.pid, "SIGTERM");
      console.log(`stopped ${proc.name} (pid ${proc.pid})`);
    } else {
      console.log(`${proc.name} (pid ${proc.pid}) was not running`);
    }
  }
  forgetStarted();
}
