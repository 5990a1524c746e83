/** `mcompat adapter run|inventory --config FILE`: data adapters onto JetStream streams, and the inventory of such a stream. */
import type { Command } from "commander";
import { loadConfig, middlewareHosts, type BrokerAddress, type Config } from "../../config/index.js";
import { tlsFiles } from "../../security/index.js";
import { loggerFromConfig } from "../../server/logger.js";
import { adapterSettings, inventoryText, readStreamInventory, StreamAdapter } from "../../streams/index.js";
import { connectBroker, resolveSrv, type NatsConnection } from "../../transport/index.js";

export function registerAdapter(program: Command): void {
  const adapter = program.command("adapter").description("node data on streams: registration (or replies) copied to JetStream");
  adapter
    .command("run")
    .description("run every adapter plugin.choria.adapters names until SIGTERM")
    .requiredOption("-c, --config <file>", "config file with the plugin.choria.adapter.<name>.* settings")
    .action(async (opts: { config: string }) => {
      const config = loadConfig(opts.config);
      const log = loggerFromConfig(config);
      for (const warning of config.warnings) log.warn(warning);
      const settings = adapterSettings(config);
      if (settings.length === 0) throw new Error("plugin.choria.adapters names no adapter");
      const connect = connector(config, "daemon");
      const ingest = await connect(await middlewareHosts(config, resolveSrv));
      const adapters: StreamAdapter[] = [];
      for (const s of settings) adapters.push(await StreamAdapter.start(s, ingest, s.stream.servers ? await connect(s.stream.servers) : ingest, log));
      await new Promise<void>((done) => {
        const stop = () => void Promise.all(adapters.map((a) => a.stop())).finally(done);
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
      });
      process.exit(0);
    });
  adapter
    .command("inventory")
    .description("print the inventory (newest record per node) of a registration stream, as --dm inventory reads it")
    .requiredOption("-c, --config <file>", "config file naming the brokers (plugin.choria.middleware_hosts)")
    .option("--stream <name>", "the stream to read", "REGISTRATION")
    .action(async (opts: { config: string; stream: string }) => {
      const config = loadConfig(opts.config);
      const nc = await connector(config, "client")(await middlewareHosts(config, resolveSrv));
      try {
        process.stdout.write(inventoryText(await readStreamInventory(nc, opts.stream)) + "\n");
      } finally {
        await nc.close();
      }
    });
}

/** Opens connections with the certificate a daemon (the identity's) or a client (the user's) presents. */
function connector(config: Config, mode: "daemon" | "client"): (brokers: BrokerAddress[]) => Promise<NatsConnection> {
  const tls = tlsFiles(config, mode === "daemon" ? "server" : "client");
  return (brokers) => connectBroker({ brokers, tls, name: config.identity, mode });
}
