/** `mcompat forge`: write the bundled package, service and puppet agents as Forge modules, as `plugin package` builds any agent. */
import type { Command } from "commander";
import { writeForgeModules } from "../../shim/index.js";

export function registerForge(program: Command): void {
  program
    .command("forge")
    .description("write the bundled agents as Forge modules (mcollective_agent_<name>) into a folder")
    .argument("[dir]", "output folder", "forge")
    .option("-q, --quiet", "print nothing")
    .action((dir: string, flags: { quiet?: boolean }) => {
      const modules = writeForgeModules(dir);
      if (!flags.quiet) for (const module of modules) console.log(`wrote ${module}`);
    });
}
