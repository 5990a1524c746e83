/** `mcompat emulate --nodes N`: many virtual nodes in one process, for scale tests of brokers and clients. */
import type { Command } from "commander";
import { findConfigFile } from "../../config/index.js";
import { Emulator, parseSpread } from "../../server/emulator.js";

export function registerEmulate(program: Command): void {
  program
    .command("emulate")
    .description("serve N virtual nodes (native agents, real pipeline) from one process and one broker connection")
    .option("-c, --config <file>", "server config file (server.cfg): broker, security, collectives, base facts")
    .requiredOption("--nodes <n>", "how many nodes", (v) => {
      if (!/^[1-9]\d*$/.test(v)) throw new Error(`--nodes must be a whole number, not ${v}`);
      return Number(v);
    })
    .option("--spread <fact=value:percent,...>", "spread a fact's values over the nodes (repeatable), e.g. country=uk:10,de:90", (v, all: string[]) => [...all, v], [])
    .option("--identity-format <format>", "each node's identity, %d its number from 1 (default emu-%d plus the config identity's domain)")
    .action(async (opts: { config?: string; nodes: number; spread: string[]; identityFormat?: string }) => {
      const emulator = await Emulator.start({
        configFile: findConfigFile("server", opts.config),
        nodes: opts.nodes,
        spreads: opts.spread.map(parseSpread),
        identityFormat: opts.identityFormat,
      });
      await new Promise<void>((done) => {
        const stop = () => void emulator.stop().finally(done);
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
      });
      process.exit(0);
    });
}
