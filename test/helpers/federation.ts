/** Real `mcompat federation broker` processes for integration tests, and a wait for a broker to forget a dead one. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import type { RunningBroker } from "../../src/transport/index.js";
import { testCert } from "./pki.js";
import { REPO, waitFor } from "./server.js";

export interface FederationBrokerProcess {
  identity: string;
  log(): string;
  /** Sends `signal` and resolves once the process is gone. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Starts one instance joining `members` (name → broker) to the federation network on `federation`; resolves once it serves. */
export async function startFederationBroker(identity: string, federation: RunningBroker, members: Record<string, RunningBroker>): Promise<FederationBrokerProcess> {
  const dir = mkdtempSync(join(tmpdir(), `mcompat-federation-${identity}-`));
  const tls = await testCert(identity);
  const logFile = join(dir, "federation.log");
  const lines = [
    `identity = ${identity}`,
    `logfile = ${logFile}`,
    "loglevel = debug",
    "plugin.security.provider = file",
    `plugin.security.file.certificate = ${tls.cert}`,
    `plugin.security.file.key = ${tls.key}`,
    `plugin.security.file.ca = ${tls.ca}`,
    `plugin.choria.federation_middleware_hosts = 127.0.0.1:${federation.port}`,
    `plugin.mcompat.federation.networks = ${Object.keys(members).join(",")}`,
    ...Object.entries(members).map(([name, broker]) => `plugin.mcompat.federation.network.${name}.middleware_hosts = 127.0.0.1:${broker.port}`),
  ];
  const configFile = join(dir, "federation.cfg");
  writeFileSync(configFile, lines.join("\n") + "\n");
  const child: ResultPromise = execa(join(REPO, "bin", "mcompat"), ["federation", "broker", "--config", configFile], { reject: false, all: true });
  let exited = false;
  void child.then(() => (exited = true));
  const log = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
  await waitFor(() => / joins /.test(log()), () => exited, async () => `federation broker ${identity} did not start:\n${log()}\n${(await child).all}`);
  return {
    identity,
    log,
    async kill(signal) {
      if (!exited) child.kill(signal);
      await child;
    },
  };
}

/** Resolves once `broker` holds no connection named for `identity`: from then on it routes nothing to a dead instance. */
export async function brokerForgets(broker: RunningBroker, identity: string): Promise<void> {
  let names: string[] = [];
  const poll = async () => {
    const connz = (await (await fetch(`${broker.monitorUrl}/connz`)).json()) as { connections?: Array<{ name?: string }> };
    names = (connz.connections ?? []).map((c) => c.name ?? "");
    return !names.some((n) => n.startsWith(`${identity}:`));
  };
  for (let waited = 0; waited < 20_000; waited += 50) {
    if (await poll()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`broker still lists ${identity}: ${names.join(", ")}`);
}
