/**
 * The real legacy MCollective 2.12.5 from Debian (`mcollective`, `mcollective-client`): `mcollectived` nodes and the
 * Ruby `mco`, configured for a STOMP broker on loopback with the psk or ssl security plugin.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { FIXTURES, waitFor } from "./server.js";

export const MCOLLECTIVED = "/usr/sbin/mcollectived";
export const LEGACY_MCO = "/usr/bin/mco";
/** The STOMP login the test brokers accept. */
export const STOMP_USER = "mcollective";
export const STOMP_PASSWORD = "marionette";
export const PSK = "legacy-peer-secret";

/** Which broker and security plugin a legacy config names. */
export interface LegacyWire {
  connector: "activemq" | "rabbitmq";
  port: number;
  security: "psk";
}

/** The connector and security lines every legacy config of a test shares. */
export function legacyWireLines(wire: LegacyWire): Record<string, string> {
  const c = `plugin.${wire.connector}`;
  return {
    connector: wire.connector,
    [`${c}.pool.size`]: "1",
    [`${c}.pool.1.host`]: "127.0.0.1",
    [`${c}.pool.1.port`]: String(wire.port),
    [`${c}.pool.1.user`]: STOMP_USER,
    [`${c}.pool.1.password`]: STOMP_PASSWORD,
    ...(wire.connector === "rabbitmq" && { [`${c}.vhost`]: "/mcollective" }),
    securityprovider: wire.security,
    "plugin.psk": PSK,
  };
}

export function writeConfig(file: string, lines: Record<string, string>): void {
  writeFileSync(file, Object.entries(lines).map(([k, v]) => `${k} = ${v}`).join("\n") + "\n");
}

export interface LegacyNode {
  identity: string;
  configFile: string;
  log(): string;
  stop(): Promise<void>;
}

/** Starts a real `mcollectived` with its own server.cfg, facts and classes; resolves once it waits for messages. */
export async function startMcollectived(identity: string, factsFixture: string, classesFixture: string, wire: LegacyWire): Promise<LegacyNode> {
  const dir = mkdtempSync(join(tmpdir(), `legacy-${identity}-`));
  const factsFile = join(dir, "facts.yaml");
  copyFileSync(factsFixture, factsFile);
  const classesFile = join(dir, "classes.txt");
  copyFileSync(classesFixture, classesFile);
  const logFile = join(dir, "mcollectived.log");
  const configFile = join(dir, "server.cfg");
  mkdirSync(join(dir, "plugins"), { recursive: true });
  writeConfig(configFile, {
    identity,
    main_collective: "mcollective",
    collectives: "mcollective",
    libdir: `/usr/share/mcollective/plugins:${join(FIXTURES, "legacy")}`,
    logfile: logFile,
    loglevel: "debug",
    daemonize: "0",
    ...legacyWireLines(wire),
    factsource: "yamlfile",
    "plugin.yaml": factsFile,
    classesfile: classesFile,
  });
  const child: ResultPromise = execa(MCOLLECTIVED, ["--config", configFile, "--pidfile", join(dir, "pid"), "--no-daemonize"], { reject: false, all: true, stdin: "ignore" });
  let exited = false;
  void child.then(() => (exited = true));
  const log = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
  await waitFor(() => /Waiting for a message from/.test(log()), () => exited, async () => `mcollectived ${identity} did not start:\n${log()}\n${(await child).all}`);
  return {
    identity,
    configFile,
    log,
    async stop() {
      if (!exited) child.kill("SIGTERM");
      await child;
    },
  };
}

/** A client.cfg for the Ruby `mco` (and ours: the same file serves both). */
export function writeLegacyClientConfig(identity: string, wire: LegacyWire, extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "legacy-client-"));
  const file = join(dir, "client.cfg");
  writeConfig(file, {
    identity,
    main_collective: "mcollective",
    collectives: "mcollective",
    libdir: "/usr/share/mcollective/plugins",
    logger_type: "console",
    loglevel: "warn",
    ...legacyWireLines(wire),
    ...extra,
  });
  return file;
}

/** Runs Debian's Ruby `mco`; never rejects on a non-zero exit. */
export async function legacyMco(argv: string[], configFile: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await execa(LEGACY_MCO, [...argv, "--config", configFile], { reject: false, stdin: "ignore", timeout: 60_000, env: { MCOLLECTIVE_EXTRA_OPTS: "" } });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
