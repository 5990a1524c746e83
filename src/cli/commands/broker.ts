/** `mcompat broker`: run a local nats-server with TLS from the given (or quickstart) certificates. */
import { join } from "node:path";
import type { Command } from "commander";
import { startBroker } from "../../transport/index.js";
import { issueCert, makeCa } from "../../security/index.js";
import { stateDir } from "../state.js";

interface BrokerFlags {
  port: string;
  cluster?: string;
  routes?: string;
  cert?: string;
  key?: string;
  ca?: string;
}

export function registerBroker(program: Command): void {
  program
    .command("broker")
    .description("run a local nats-server with mutual TLS (the embedded default broker)")
    .option("--port <n>", "client port (0 picks a free one)", "4222")
    .option("--cluster <port>", "listen for cluster routes on this port")
    .option("--routes <urls>", "comma-separated nats-route://host:port of the other cluster members")
    .option("--cert <file>", "broker certificate (default: a throwaway one under the state folder)")
    .option("--key <file>", "broker private key")
    .option("--ca <file>", "CA that client certificates must chain to")
    .action(async (flags: BrokerFlags) => {
      const tls = flags.cert && flags.key && flags.ca ? { cert: flags.cert, key: flags.key, ca: flags.ca } : await throwawayTls();
      const broker = await startBroker({
        dir: join(stateDir(), "broker"),
        port: Number(flags.port),
        tls,
        cluster: flags.cluster ? { port: Number(flags.cluster), routes: (flags.routes ?? "").split(",").filter(Boolean) } : undefined,
      });
      console.log(`nats-server listening on ${broker.url} (pid ${broker.pid}, log ${broker.logFile}); Ctrl-C stops it`);
      const stop = () => void broker.stop().then(() => process.exit(0));
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
}

/** Broker TLS from the quickstart's throwaway CA. */
async function throwawayTls() {
  const ca = await makeCa(join(stateDir(), "ssl"));
  const { cert, key } = await issueCert(ca, "broker.mcompat.local", ["localhost", "127.0.0.1"]);
  return { cert, key, ca: ca.caCert };
}
