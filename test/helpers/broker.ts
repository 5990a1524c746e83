/** Real TLS nats-servers on ephemeral ports for integration tests: one broker, or a cluster joined by routes. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBroker, type BrokerOptions, type RunningBroker } from "../../src/transport/index.js";
import { freePort } from "../../src/transport/port-wait.js";
import { testCert } from "./pki.js";
import { waitFor } from "./server.js";

// Issued once: brokers started side by side must not rewrite the files another is reading.
let brokerCert: ReturnType<typeof testCert> | undefined;
const brokerTls = () => (brokerCert ??= testCert("broker.test", ["localhost", "127.0.0.1"]));

/**
 * Starts a broker with the run's CA (monitoring or JetStream on when asked; on `port`, or one it picks); call `stop()`
 * in an `after` hook.
 */
export async function testBroker(opts: Pick<BrokerOptions, "monitor" | "jetstream" | "port"> = {}): Promise<RunningBroker> {
  return startBroker({ dir: mkdtempSync(join(tmpdir(), "mcompat-test-broker-")), port: 0, tls: await brokerTls(), ...opts });
}

export interface TestCluster {
  /** Client ports, member by member. */
  ports: number[];
  members: Array<RunningBroker | undefined>;
  /** SIGKILL: the member dies with whatever it held, as a crashed machine would. */
  kill(i: number): Promise<void>;
  /** Starts a killed member again on its ports; it rejoins the others through its routes. */
  restart(i: number): Promise<void>;
  stop(): Promise<void>;
}

/** `size` brokers, each routed to every other, started and joined before it resolves. */
export async function testCluster(size: number): Promise<TestCluster> {
  const tls = await brokerTls();
  const routePorts = await Promise.all(Array.from({ length: size }, freePort));
  const ports = await Promise.all(Array.from({ length: size }, freePort));
  const members: Array<RunningBroker | undefined> = [];
  const start = async (i: number) => {
    const routes = routePorts.filter((_, j) => j !== i).map((p) => `nats-route://127.0.0.1:${p}`);
    members[i] = await startBroker({ dir: mkdtempSync(join(tmpdir(), "mcompat-test-cluster-")), port: ports[i], tls, cluster: { port: routePorts[i], routes } });
  };
  /** Waits until member `i` has a route to each of the others that run. */
  const joined = (i: number) => {
    const others = members.filter((m, j) => m !== undefined && j !== i).length;
    const log = () => readFileSync(members[i]!.logFile, "utf8");
    return waitFor(() => (log().match(/Route connection created/g) ?? []).length >= others, () => false, async () => `cluster member ${i} did not join:\n${log()}`);
  };
  for (let i = 0; i < size; i++) await start(i);
  for (let i = 0; i < size; i++) await joined(i);
  return {
    ports,
    members,
    async kill(i) {
      process.kill(members[i]!.pid, "SIGKILL");
      await members[i]!.stop();
      members[i] = undefined;
    },
    async restart(i) {
      await start(i);
      await joined(i);
    },
    async stop() {
      await Promise.all(members.map((m) => m?.stop()));
    },
  };
}
