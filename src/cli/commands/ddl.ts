/** `mcompat ddl`: convert a Ruby DDL to Choria JSON, check DDLs for problems, show a DDL as `mco plugin doc` would. */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { checkDdl, parseDdl, renderDoc, rubyPrettyJson, toJsonDdl, type Ddl } from "../../ddl/index.js";

export function registerDdl(program: Command): void {
  const ddl = program.command("ddl").description("read, convert and check MCollective DDL files (Ruby DSL or Choria JSON)");

  ddl
    .command("convert")
    .description("print the Choria JSON DDL that `mco plugin package` would write for an agent DDL")
    .argument("<file>", "agent DDL (.ddl Ruby DSL, or .json)")
    .action((file: string) => {
      const parsed = readDdl(file);
      if (parsed.pluginType !== "agent") throw new Error(`${file} is a ${parsed.pluginType} DDL; only agent DDLs have a JSON form`);
      process.stdout.write(rubyPrettyJson(toJsonDdl(parsed)) + "\n");
    });

  ddl
    .command("check")
    .description("parse DDLs and report problems; exits 1 when any file has an error")
    .argument("<files...>", "DDL files")
    .action((files: string[]) => {
      let failed = false;
      for (const file of files) failed = checkFile(file) || failed;
      if (failed) process.exitCode = 1;
    });

  ddl
    .command("doc")
    .description("show a DDL the way `mco plugin doc` does")
    .argument("<file>", "DDL file")
    .action((file: string) => {
      process.stdout.write(renderDoc(readDdl(file)));
    });
}

function readDdl(file: string): Ddl {
  return parseDdl(readFileSync(file, "utf8"), file);
}

/** Prints the verdict for one file; returns true when it has an error. */
function checkFile(file: string): boolean {
  let parsed: Ddl;
  try {
    parsed = readDdl(file);
  } catch (err) {
    console.log(`${file}: error: ${(err as Error).message}`);
    return true;
  }
  const problems = checkDdl(parsed);
  const errors = problems.filter((p) => p.severity === "error").length;
  for (const p of problems) console.log(`${file}: ${p.severity}: ${p.where}: ${p.message}`);
  const summary = parsed.pluginType === "agent" ? `${Object.keys(parsed.actions).length} action(s)` : parsed.pluginType;
  console.log(`${file}: ${errors ? `${errors} error(s)` : "ok"} (${parsed.metadata.name}, ${summary}${problems.length - errors ? `, ${problems.length - errors} warning(s)` : ""})`);
  return errors > 0;
}
