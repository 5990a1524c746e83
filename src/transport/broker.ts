/** Starts the real nats-server (Debian package) with a generated TLS config: the embedded default broker. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ResultPromise } from "execa";

export interface BrokerOptions {
  /** Folder for the generated config and the log. */
  dir: string;
  /** Client port; 0 picks a free one. */
  port?: number;
  host?: string;
  tls: { cert: string; key: string; ca: string };
  /** Cluster listen port and routes (`nats-route://host:port`) to join a NATS cluster. */
  cluster?: { name?: string; port: number; routes: string[] };
  /** Serve the HTTP monitoring endpoints (`/connz`, `/jsz`, ...) on a port nats-server picks. */
  monitor?: boolean;
  /** Enable JetStream, storing under `dir`, for registration streams. */
  jetstream?: boolean;
  /** Keep running after this process exits (for `mcompat up`). */
  detached?: boolean;
  nats?: string;
}

export interface RunningBroker {
  url: string;
  port: number;
  pid: number;
  configFile: string;
  logFile: string;
  /** `http://127.0.0.1:<port>` of the monitoring endpoints, when asked for. */
  monitorUrl?: string;
  stop(): Promise<void>;
}

/** The nats-server config text: TLS with `verify: true`, so only clients with a CA-signed cert get in. */
export function brokerConfig(opts: BrokerOptions, logFile: string): string {
  const lines = [
    `listen: "${opts.host ?? "127.0.0.1"}:${opts.port ? opts.port : -1}"`,
    `log_file: "${logFile}"`,
    "tls {",
    `  cert_file: "${opts.tls.cert}"`,
    `  key_file: "${opts.tls.key}"`,
    `  ca_file: "${opts.tls.ca}"`,
    "  verify: true",
    "  timeout: 5",
    "}",
  ];
  if (opts.monitor) lines.push(`http: "127.0.0.1:-1"`);
  if (opts.jetstream) lines.push("jetstream {", `  store_dir: "${join(opts.dir, "jetstream")}"`, "}");
  if (opts.cluster) {
    lines.push(
      "cluster {",
      `  name: "${opts.cluster.name ?? "mcompat"}"`,
      `  listen: "${opts.host ?? "127.0.0.1"}:${opts.cluster.port}"`,
      "  tls {",
      `    cert_file: "${opts.tls.cert}"`,
      `    key_file: "${opts.tls.key}"`,
      `    ca_file: "${opts.tls.ca}"`,
      "    verify: true",
      "  }",
      `  routes: [${opts.cluster.routes.map((r) => `"${r}"`).join(", ")}]`,
      "}",
    );
  }
  return lines.join("\n") + "\n";
}

/** Starts nats-server and resolves once it listens for clients, with the port it chose. */
export async function startBroker(opts: BrokerOptions): Promise<RunningBroker> {
  mkdirSync(opts.dir, { recursive: true });
  const configFile = join(opts.dir, "nats-server.conf");
  const logFile = join(opts.dir, "nats-server.log");
  writeFileSync(configFile, brokerConfig(opts, logFile));
  writeFileSync(logFile, "");
  // Imported here: execa costs a client's start-up dearly and only the launcher needs it.
  const { execa } = await import("execa");
  const child: ResultPromise = execa(opts.nats ?? "nats-server", ["-c", configFile], {
    detached: opts.detached,
    stdio: "ignore",
    reject: false,
    cleanup: !opts.detached,
  });
  let exited = false;
  void child.then(() => (exited = true));
  const port = Number(await waitForLog(logFile, LISTENING, () => exited));
  const monitorPort = opts.monitor ? await waitForLog(logFile, MONITORING, () => exited) : undefined;
  if (opts.detached) child.unref();
  return {
    url: `tls://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    configFile,
    logFile,
    monitorUrl: monitorPort ? `http://127.0.0.1:${monitorPort}` : undefined,
    async stop() {
      child.kill("SIGTERM");
      await child;
    },
  };
}

const LISTENING = /Listening for client connections on [^\s]*:(\d+)/;
const MONITORING = /Starting http monitor on [^\s]*:(\d+)/;

/** Reads a port from the log, since nats-server chooses it: the first group of `pattern`. */
async function waitForLog(logFile: string, pattern: RegExp, exited: () => boolean): Promise<string> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    const match = pattern.exec(readFileSync(logFile, "utf8"));
    if (match) return match[1];
    if (exited()) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const last = readFileSync(logFile, "utf8").trim().split("\n").pop();
  throw new Error(`nats-server did not start: ${last || "no output"} (log: ${logFile})`);
}
