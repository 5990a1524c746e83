/** `mcompat plugin package DIR`: a plain agent folder as a Forge `mcollective_agent_<name>` module, as `mco plugin package` built. */
import type { Command } from "commander";
import { pluginFromFolder, writeForgeModule, writeForgeRelease } from "../../shim/index.js";

export function registerPlugin(program: Command): void {
  const plugin = program.command("plugin").description("build deployable modules from agent plugins");
  plugin
    .command("package")
    .description("build a Forge mcollective_agent_<name> module, as a folder and as a release .tar.gz, from an agent folder " +
      "(agent/<name>.rb + .ddl, util/, validator/, application/, aggregate/, data/; .plugin.yaml Hiera overrides; puppet/ extra module files)")
    .argument("[dir]", "the agent folder", ".")
    .option("-o, --output <dir>", "where to write the module folder and the release", ".")
    .option("--vendor <name>", "Forge author of the module (metadata.json name <vendor>-mcollective_agent_<name>)", "mcompat")
    .option("--pluginversion <version>", "module version instead of the DDL's")
    .action((dir: string, flags: { output: string; vendor: string; pluginversion?: string }) => {
      const moduleDir = writeForgeModule(flags.output, pluginFromFolder(dir), { vendor: flags.vendor, version: flags.pluginversion });
      console.log(`wrote ${moduleDir}`);
      console.log(`wrote ${writeForgeRelease(flags.output, moduleDir)}`);
    });
}
