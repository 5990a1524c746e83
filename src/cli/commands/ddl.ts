/** `mcompat ddl`: convert a Ruby DDL to Choria JSON, check DDLs for problems, show a DDL as `mco plugin doc` would. */
import type { Command } from "commander";
import { checkDdl, renderDoc, rubyPrettyJson, toJsonDdl, type Ddl } from "../../ddl/index.js";
import { readDdlFile } from "../../ddl-ruby/index.js";

export function registerDdl(program: Command): void {
  const ddl = program
    .command("ddl")
    .description("read, convert and check MCollective DDL files (Ruby DSL or Choria JSON)")
    .option("--no-ruby", "never hand a DDL the built-in reader cannot evaluate to Ruby");

  ddl
    .command("convert")
    .description("print the Choria JSON DDL that `mco plugin package` would write for an agent DDL")
    .argument("<file>", "agent DDL (.ddl Ruby DSL, or .json)")
    .action((file: string) => {
      const parsed = readDdl(file, ddl.opts().ruby);
      if (parsed.pluginType !== "agent") throw new Error(`${file} is a ${parsed.pluginType} DDL; only agent DDLs have a JSON form`);
      process.stdout.write(rubyPrettyJson(toJsonDdl(parsed)) + "\n");
    });

  ddl
    .command("check")
    .description("parse DDLs and report problems; exits 1 when any file has an error")
    .argument("<files...>", "DDL files")
    .action((files: string[]) => {
      let failed = false;
      for (const file of files) failed = checkFile(file, ddl.opts().ruby) || failed;
      if (failed) process.exitCode = 1;
    });

  ddl
    .command("doc")
    .description("show a DDL the way `mco plugin doc` does")
    .argument("<file>", "DDL file")
    .action((file: string) => {
      process.stdout.write(renderDoc(readDdl(file, ddl.opts().ruby)));
    });
}

/** Reads a DDL, letting Ruby evaluate what the built-in reader cannot (unless --no-ruby), and saying so on stderr. */
function readDdl(file: string, ruby: boolean): Ddl {
  return readDdlFile(file, {
    ruby: ruby ? "ruby" : false,
    onFallback: (f, reason) => console.error(`note: ${f} was read by Ruby: ${reason}`),
  });
}

/** Prints the verdict for one file; returns true when it has an error. */
function checkFile(file: string, ruby: boolean): boolean {
  let parsed: Ddl;
  try {
    parsed = readDdl(file, ruby);
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
