/** Starts Debian's ActiveMQ with a generated config: STOMP (and STOMP+SSL) on loopback only, small heap, no persistence. */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnBroker } from "./spawn.js";
import { freePort, waitForListen } from "./port-wait.js";

export interface ActiveMqOptions {
  /** Folder for the generated config, keystores, data and log. */
  dir: string;
  /** STOMP port; 0 or absent picks a free one. */
  port?: number;
  /** STOMP+SSL with client certificates (PEM files), on `tls.port` (0 picks a free one). */
  tls?: { cert: string; key: string; ca: string; port?: number };
  user?: string;
  password: string;
  /** Max heap in MB (default 256). */
  heapMb?: number;
  /** Keep running after this process exits (for `mcompat up --legacy activemq`). */
  detached?: boolean;
  /** Where Debian installs it. */
  home?: string;
  java?: string;
}

export interface RunningActiveMq {
  host: string;
  port: number;
  sslPort?: number;
  pid: number;
  configFile: string;
  logFile: string;
  /** Milliseconds from spawn until the STOMP port answered. */
  startupMs: number;
  stop(): Promise<void>;
}

const HOME = "/usr/share/activemq";
const STORE_PASSWORD = "mcompat-broker";

/** The broker XML: simple authentication, the reply-queue GC policy legacy sites use, nothing else listening. */
export function activeMqConfig(o: { port: number; sslPort?: number; user: string; password: string; dataDir: string; keystores?: { key: string; trust: string } }): string {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  const connectors = [`      <transportConnector name="stomp" uri="stomp://127.0.0.1:${o.port}"/>`];
  if (o.sslPort) connectors.push(`      <transportConnector name="stomp+ssl" uri="stomp+ssl://127.0.0.1:${o.sslPort}?needClientAuth=true"/>`);
  const ssl = o.keystores
    ? `    <sslContext><sslContext keyStore="file:${esc(o.keystores.key)}" keyStorePassword="${STORE_PASSWORD}" keyStoreType="PKCS12"
                 trustStore="file:${esc(o.keystores.trust)}" trustStorePassword="${STORE_PASSWORD}" trustStoreType="PKCS12"/></sslContext>\n`
    : "";
  return `<beans xmlns="http://www.springframework.org/schema/beans" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans.xsd
  http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <broker xmlns="http://activemq.apache.org/schema/core" brokerName="mcompat" useJmx="false" persistent="false"
          advisorySupport="false" schedulePeriodForDestinationPurge="60000" dataDirectory="${esc(o.dataDir)}">
    <destinationPolicy><policyMap><policyEntries>
      <!-- Every mco request makes its own reply queue; drop them once idle for 5 minutes. -->
      <policyEntry queue="*.reply.>" gcInactiveDestinations="true" inactiveTimoutBeforeGC="300000" optimizedDispatch="true"/>
      <!-- Dispatch on the sending thread: fewer context switches per message on a small machine. -->
      <policyEntry queue=">" optimizedDispatch="true"/>
    </policyEntries></policyMap></destinationPolicy>
    <managementContext><managementContext createConnector="false"/></managementContext>
    <plugins><simpleAuthenticationPlugin><users>
      <authenticationUser username="${esc(o.user)}" password="${esc(o.password)}" groups="mcollective,everyone"/>
    </users></simpleAuthenticationPlugin></plugins>
    <systemUsage><systemUsage>
      <memoryUsage><memoryUsage limit="64 mb"/></memoryUsage>
      <tempUsage><tempUsage limit="100 mb"/></tempUsage>
    </systemUsage></systemUsage>
${ssl}    <transportConnectors>
${connectors.join("\n")}
    </transportConnectors>
  </broker>
</beans>
`;
}

/** Starts the broker and resolves once its STOMP port (and SSL port) accept connections. */
export async function startActiveMq(opts: ActiveMqOptions): Promise<RunningActiveMq> {
  const home = opts.home ?? HOME;
  const conf = join(opts.dir, "conf");
  const dataDir = join(opts.dir, "data");
  mkdirSync(conf, { recursive: true });
  mkdirSync(dataDir, { recursive: true });
  const port = opts.port || (await freePort());
  const sslPort = opts.tls ? opts.tls.port || (await freePort()) : undefined;
  // Imported here: execa costs a client's start-up dearly and only the launcher needs it.
  const { execa } = await import("execa");
  const keystores = opts.tls ? await makeKeystores(execa, conf, opts.tls) : undefined;
  const configFile = join(conf, "activemq.xml");
  const logFile = join(opts.dir, "activemq.log");
  writeFileSync(configFile, activeMqConfig({ port, sslPort, user: opts.user ?? "mcollective", password: opts.password, dataDir, keystores }));
  writeFileSync(join(conf, "log4j.properties"), LOG4J.replace("@LOG@", logFile));
  writeFileSync(logFile, "");
  const out = openSync(logFile, "a");
  const started = Date.now();
  const child = spawnBroker(
    opts.java ?? "java",
    [
      "-Xms64m",
      `-Xmx${opts.heapMb ?? 256}m`,
      "-XX:+UseSerialGC",
      "-Djava.awt.headless=true",
      // A thread pool instead of a thread per connection: ~15 % more request/reply round trips here.
      "-Dorg.apache.activemq.UseDedicatedTaskRunner=false",
      `-Dlog4j.configuration=file:${join(conf, "log4j.properties")}`,
      `-Dactivemq.home=${home}`,
      `-Dactivemq.base=${opts.dir}`,
      `-Dactivemq.conf=${conf}`,
      `-Dactivemq.data=${dataDir}`,
      "-jar",
      join(home, "bin", "activemq.jar"),
      "start",
      `xbean:file:${configFile}`,
    ],
    { cwd: opts.dir, detached: opts.detached, out },
  );
  closeSync(out);
  try {
    await waitForListen(port, () => child.exited, 60_000, { vhost: "mcollective", user: opts.user ?? "mcollective", password: opts.password });
    if (sslPort) await waitForListen(sslPort, () => child.exited, 10_000);
  } catch (err) {
    await child.stop();
    const tail = readFileSync(logFile, "utf8").trim().split("\n").slice(-5).join(" | ");
    throw new Error(`ActiveMQ did not start: ${(err as Error).message}: ${tail || "no output"} (log: ${logFile})`);
  }
  return { host: "127.0.0.1", port, sslPort, pid: child.pid, configFile, logFile, startupMs: Date.now() - started, stop: () => child.stop() };
}

/** Java reads PKCS12, not PEM: the broker's cert and key, and a trust store holding the CA. */
async function makeKeystores(
  execa: typeof import("execa").execa,
  conf: string,
  tls: { cert: string; key: string; ca: string },
): Promise<{ key: string; trust: string }> {
  const key = join(conf, "broker.p12");
  const trust = join(conf, "trust.p12");
  // keytool refuses to add the CA to a store from an earlier start.
  rmSync(trust, { force: true });
  await execa("openssl", ["pkcs12", "-export", "-in", tls.cert, "-inkey", tls.key, "-out", key, "-name", "broker", "-passout", `pass:${STORE_PASSWORD}`]);
  await execa("keytool", ["-importcert", "-noprompt", "-alias", "ca", "-file", tls.ca, "-keystore", trust, "-storetype", "PKCS12", "-storepass", STORE_PASSWORD]);
  return { key, trust };
}

const LOG4J = `log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=@LOG@
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=%d %-5p [%c{1}] %m%n
`;
