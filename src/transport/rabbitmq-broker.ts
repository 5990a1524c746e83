/** Starts Debian's RabbitMQ with its STOMP plugin as a private node: own dirs, node name, ports and epmd, loopback only. */
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, waitForListen } from "./port-wait.js";
import { spawnBroker } from "./spawn.js";

export interface RabbitMqOptions {
  /** Folder for config, definitions, Mnesia data, logs and the Erlang cookie. */
  dir: string;
  /** STOMP port; 0 or absent picks a free one. */
  port?: number;
  /** STOMP over TLS with client certificates (PEM files), on `tls.port` (0 picks a free one). */
  tls?: { cert: string; key: string; ca: string; port?: number };
  user?: string;
  password: string;
  /** Collectives whose `<C>_broadcast` (topic) and `<C>_directed` (direct) exchanges are declared (and `mcollective_reply`). */
  collectives: string[];
  vhost?: string;
  detached?: boolean;
  /** Debian's launcher script. */
  server?: string;
}

export interface RunningRabbitMq {
  host: string;
  port: number;
  sslPort?: number;
  vhost: string;
  pid: number;
  logDir: string;
  /** Milliseconds from spawn until the STOMP port answered. */
  startupMs: number;
  stop(): Promise<void>;
}

const SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server";

/** Users, vhost, permissions and exchanges, loaded at boot: no rabbitmqctl round trips needed. */
export function rabbitMqDefinitions(o: { user: string; password: string; vhost: string; collectives: string[] }): string {
  const exchange = (name: string, type: string) => ({ name, vhost: o.vhost, type, durable: true, auto_delete: false, internal: false, arguments: {} });
  return JSON.stringify(
    {
      users: [{ name: o.user, password: o.password, tags: "" }],
      vhosts: [{ name: o.vhost }],
      permissions: [{ user: o.user, vhost: o.vhost, configure: ".*", write: ".*", read: ".*" }],
      exchanges: [
        ...o.collectives.flatMap((c) => [exchange(`${c}_broadcast`, "topic"), exchange(`${c}_directed`, "direct")]),
        // For clients with plugin.rabbitmq.use_reply_exchange.
        exchange("mcollective_reply", "direct"),
      ],
    },
    null,
    2,
  );
}

export async function startRabbitMq(opts: RabbitMqOptions): Promise<RunningRabbitMq> {
  const vhost = opts.vhost ?? "/mcollective";
  const port = opts.port || (await freePort());
  const sslPort = opts.tls ? opts.tls.port || (await freePort()) : undefined;
  const distPort = await freePort();
  const epmdPort = await freePort();
  const [home, mnesia, logDir] = ["home", "mnesia", "log"].map((d) => join(opts.dir, d));
  for (const d of [home, mnesia, logDir]) mkdirSync(d, { recursive: true });
  const defs = join(opts.dir, "definitions.json");
  writeFileSync(defs, rabbitMqDefinitions({ user: opts.user ?? "mcollective", password: opts.password, vhost, collectives: opts.collectives }));
  const conf = join(opts.dir, "rabbitmq.conf");
  writeFileSync(
    conf,
    [
      // STOMP only: no AMQP listener, no management UI.
      "listeners.tcp = none",
      `stomp.listeners.tcp.1 = 127.0.0.1:${port}`,
      ...(opts.tls
        ? [
            `stomp.listeners.ssl.1 = 127.0.0.1:${sslPort}`,
            `ssl_options.cacertfile = ${opts.tls.ca}`,
            `ssl_options.certfile = ${opts.tls.cert}`,
            `ssl_options.keyfile = ${opts.tls.key}`,
            "ssl_options.verify = verify_peer",
            "ssl_options.fail_if_no_peer_cert = true",
          ]
        : []),
      `load_definitions = ${defs}`,
      "log.console = false",
      "log.file.level = info",
    ].join("\n") + "\n",
  );
  writeFileSync(join(opts.dir, "enabled_plugins"), "[rabbitmq_stomp].\n");
  writeFileSync(join(opts.dir, "rabbitmq-env.conf"), "");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // A private cookie and epmd: nothing shared with a system-wide RabbitMQ or another test's node.
    HOME: home,
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: "127.0.0.1",
    RABBITMQ_BASE: opts.dir,
    RABBITMQ_CONF_ENV_FILE: join(opts.dir, "rabbitmq-env.conf"),
    RABBITMQ_CONFIG_FILE: conf,
    RABBITMQ_ADVANCED_CONFIG_FILE: join(opts.dir, "advanced.config"),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(opts.dir, "enabled_plugins"),
    RABBITMQ_MNESIA_BASE: mnesia,
    RABBITMQ_LOG_BASE: logDir,
    RABBITMQ_PID_FILE: join(opts.dir, "rabbitmq.pid"),
    RABBITMQ_NODENAME: `mcompat${port}@localhost`,
    RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
    RABBITMQ_DIST_PORT: String(distPort),
    // Two cores are shared with everything else: one scheduler, few async threads; distribution on loopback only.
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: "+S 1:1 +A 4 -kernel inet_dist_use_interface {127,0,0,1}",
  };
  const outFile = join(logDir, "stdout.log");
  const out = openSync(outFile, "a");
  const started = Date.now();
  const child = spawnBroker(opts.server ?? SERVER, [], { cwd: opts.dir, detached: opts.detached, out, env });
  closeSync(out);
  const stop = async () => {
    await child.stop();
    // epmd daemonizes out of the process group; stop the one this node started on its private port.
    const { execa } = await import("execa");
    await execa("epmd", ["-kill"], { env: { ERL_EPMD_PORT: String(epmdPort) }, reject: false });
  };
  try {
    await waitForListen(port, () => child.exited, 90_000, { vhost, user: opts.user ?? "mcollective", password: opts.password });
    if (sslPort) await waitForListen(sslPort, () => child.exited, 10_000);
  } catch (err) {
    await stop();
    const tail = readFileSync(outFile, "utf8").trim().split("\n").slice(-5).join(" | ");
    throw new Error(`RabbitMQ did not start: ${(err as Error).message}: ${tail || "no output"} (logs: ${logDir})`);
  }
  return { host: "127.0.0.1", port, sslPort, vhost, pid: child.pid, logDir, startupMs: Date.now() - started, stop };
}
