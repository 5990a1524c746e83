/** `mcompat federation broker --config FILE`: run one federation broker instance until SIGTERM. */
import type { Command } from "commander";
import { loadConfig } from "../../config/index.js";
import { FederationBroker, federationSettings } from "../../federation/index.js";
import { loggerFromConfig } from "../../server/logger.js";
import { resolveSrv } from "../../transport/index.js";

export function registerFederation(program: Command): void {
  const federation = program.command("federation").description("join collectives on separate broker networks (Choria federation)");
  federation
    .command("broker")
    .description("forward federated requests into member networks and their replies back; run several to share the work")
    .requiredOption("-c, --config <file>", "federation broker config file")
    .action(async (opts: { config: string }) => {
      const config = loadConfig(opts.config);
      const log = loggerFromConfig(config);
      for (const warning of config.warnings) log.warn(warning);
      const broker = await FederationBroker.start(await federationSettings(config, resolveSrv), log);
      await new Promise<void>((done) => {
        const stop = () => void broker.stop().finally(done);
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
      });
      process.exit(0);
    });
}
