/** `mcompat server --config server.cfg`: run the daemon in the foreground until SIGTERM. */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { findConfigFile } from "../../config/index.js";
import { Server } from "../../server/index.js";

export function registerServer(program: Command): void {
  program
    .command("server")
    .description("serve the collective from a legacy server.cfg (replaces mcollectived)")
    .option("-c, --config <file>", "server config file (server.cfg)")
    .option("--pidfile <file>", "write the process id to this file")
    .action(async (opts: { config?: string; pidfile?: string }) => {
      const server = await Server.start({ configFile: findConfigFile("server", opts.config) });
      if (opts.pidfile) writeFileSync(opts.pidfile, `${process.pid}\n`);
      await untilStopped(server);
      // Exit now rather than wait for the last timers of the closed connection.
      process.exit(0);
    });
}

/** Resolves after SIGTERM/SIGINT has drained the server; SIGHUP reloads in between. */
function untilStopped(server: Server): Promise<void> {
  process.on("SIGHUP", () => void server.reload().catch((err: Error) => console.error(`reload failed: ${err.message}`)));
  return new Promise((done) => {
    const stop = () => void server.stop().finally(done);
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
}
