/** A real TLS nats-server on an ephemeral port for integration tests. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBroker, type BrokerOptions, type RunningBroker } from "../../src/transport/index.js";
import { testCert } from "./pki.js";

// Issued once: brokers started side by side must not rewrite the files another is reading.
let brokerCert: ReturnType<typeof testCert> | undefined;

/** Starts a broker with the run's CA (monitoring or JetStream on when asked); call `stop()` in an `after` hook. */
export async function testBroker(opts: Pick<BrokerOptions, "monitor" | "jetstream"> = {}): Promise<RunningBroker> {
  brokerCert ??= testCert("broker.test", ["localhost", "127.0.0.1"]);
  const tls = await brokerCert;
  return startBroker({ dir: mkdtempSync(join(tmpdir(), "mcompat-test-broker-")), port: 0, tls, ...opts });
}
