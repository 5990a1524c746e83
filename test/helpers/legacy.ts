/**
 * The real legacy MCollective 2.12.5 from Debian (`mcollective`, `mcollective-client`): `mcollectived` nodes and the
 * Ruby `mco`, configured for a STOMP broker on loopback with the psk or ssl security plugin.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { stompConfigLines } from "../../src/transport/stomp/index.js";
import { FIXTURES, waitFor } from "./server.js";
import { STOMP_PASSWORD, STOMP_USER } from "./stomp-broker.js";

export const MCOLLECTIVED = "/usr/sbin/mcollectived";
export const LEGACY_MCO = "/usr/bin/mco";
export const PSK = "legacy-peer-secret";

/** RSA key pairs of the ssl plugin: the servers' shared pair and one client's, as a site lays them out. */
export interface SslKeys {
  serverPrivate: string;
  serverPublic: string;
  clientPrivate: string;
  /** `<clientCertDir>/<client>.pem`: the client's public key, named for its callerid `cert=<client>`. */
  clientPublic: string;
  clientCertDir: string;
}

/** Makes throwaway ssl-plugin keys with openssl; the client's callerid is `cert=<client>`. */
export async function makeSslKeys(client = "legacy-client"): Promise<SslKeys> {
  const dir = mkdtempSync(join(tmpdir(), "legacy-ssl-keys-"));
  const clientCertDir = join(dir, "clients");
  mkdirSync(clientCertDir);
  const keys: SslKeys = {
    serverPrivate: join(dir, "server-private.pem"),
    serverPublic: join(dir, "server-public.pem"),
    clientPrivate: join(dir, `${client}-private.pem`),
    clientPublic: join(clientCertDir, `${client}.pem`),
    clientCertDir,
  };
  for (const [priv, pub] of [[keys.serverPrivate, keys.serverPublic], [keys.clientPrivate, keys.clientPublic]]) {
    await execa("openssl", ["genrsa", "-traditional", "-out", priv, "2048"]);
    await execa("openssl", ["rsa", "-in", priv, "-pubout", "-out", pub]);
  }
  return keys;
}

/** Which broker and security plugin a legacy config names. */
export interface LegacyWire {
  connector: "activemq" | "rabbitmq";
  port: number;
  security: "psk" | "ssl" | "aes_security";
  /** Required for ssl and aes_security. */
  keys?: SslKeys;
}

/** The security lines of a server.cfg (`server`) or client.cfg for `wire`. */
function securityLines(wire: LegacyWire, role: "server" | "client"): Record<string, string> {
  if (wire.security === "psk") return { securityprovider: "psk", "plugin.psk": PSK };
  const keys = wire.keys!;
  if (wire.security === "aes_security") {
    if (role === "client") return { securityprovider: "aes_security", "plugin.aes.client_private": keys.clientPrivate, "plugin.aes.client_public": keys.clientPublic };
    return {
      securityprovider: "aes_security",
      "plugin.aes.server_private": keys.serverPrivate,
      "plugin.aes.server_public": keys.serverPublic,
      "plugin.aes.client_cert_dir": keys.clientCertDir,
    };
  }
  const common = { securityprovider: "ssl", "plugin.ssl_server_public": keys.serverPublic };
  if (role === "server") return { ...common, "plugin.ssl_server_private": keys.serverPrivate, "plugin.ssl_client_cert_dir": keys.clientCertDir };
  return { ...common, "plugin.ssl_client_private": keys.clientPrivate, "plugin.ssl_client_public": keys.clientPublic };
}

/** The connector and security lines every legacy config of a test shares. */
export function legacyWireLines(wire: LegacyWire, role: "server" | "client" = "server"): Record<string, string> {
  return {
    ...stompConfigLines(wire.connector, [{ host: "127.0.0.1", port: wire.port }], { user: STOMP_USER, password: STOMP_PASSWORD }),
    ...securityLines(wire, role),
  };
}

export function writeConfig(file: string, lines: Record<string, string>): void {
  writeFileSync(file, Object.entries(lines).map(([k, v]) => `${k} = ${v}`).join("\n") + "\n");
}

export interface LegacyNode {
  identity: string;
  configFile: string;
  pid: number;
  log(): string;
  stop(): Promise<void>;
}

/** Starts a real `mcollectived` with its own server.cfg, facts and classes; resolves once it waits for messages. */
export async function startMcollectived(
  identity: string,
  factsFixture: string,
  classesFixture: string,
  wire: LegacyWire,
  opts: { libdirs?: string[]; loglevel?: string; extra?: Record<string, string> } = {},
): Promise<LegacyNode> {
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
    libdir: ["/usr/share/mcollective/plugins", join(FIXTURES, "legacy"), ...(opts.libdirs ?? [])].join(":"),
    logfile: logFile,
    loglevel: opts.loglevel ?? "debug",
    daemonize: "0",
    ...legacyWireLines(wire),
    factsource: "yamlfile",
    "plugin.yaml": factsFile,
    classesfile: classesFile,
    ...opts.extra,
  });
  const child: ResultPromise = execa(MCOLLECTIVED, ["--config", configFile, "--pidfile", join(dir, "pid"), "--no-daemonize"], { reject: false, all: true, stdin: "ignore" });
  let exited = false;
  void child.then(() => (exited = true));
  const log = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
  // At debug the receive loop announces itself; quieter logs only say the connection is up.
  const ready = (opts.loglevel ?? "debug") === "debug" ? /Waiting for a message from/ : /Connected to stomp/;
  await waitFor(() => ready.test(log()), () => exited, async () => `mcollectived ${identity} did not start:\n${log()}\n${(await child).all}`);
  return {
    identity,
    configFile,
    pid: child.pid!,
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
    ...legacyWireLines(wire, "client"),
    ...extra,
  });
  return file;
}

/** Runs Debian's Ruby `mco`; never rejects on a non-zero exit. `exact` keeps the output's final newline. */
export async function legacyMco(argv: string[], configFile: string, opts: { exact?: boolean } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await execa(LEGACY_MCO, [...argv, "--config", configFile], {
    reject: false,
    stdin: "ignore",
    timeout: 60_000,
    env: { MCOLLECTIVE_EXTRA_OPTS: "" },
    stripFinalNewline: opts.exact !== true,
  });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
