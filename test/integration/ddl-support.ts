/** Shared by the DDL integration tests: a temporary folder per suite, and asking real Ruby for the answer. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Registers before/after hooks in the calling suite; call the returned function inside tests for the folder. */
export function suiteTempDir(prefix: string): () => string {
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}

/** Writes `ddlText` to `<dir>/oracle.ddl`, runs the Ruby `script` on it with `args`, feeding `input` as JSON; returns its JSON answer. */
export function askRubyOracle<T>(dir: string, script: string, ddlText: string, args: string[], input: unknown): T {
  const file = join(dir, "oracle.ddl");
  writeFileSync(file, ddlText);
  const stdout = execFileSync("ruby", ["-W0", "-e", script, file, ...args], { input: JSON.stringify(input), encoding: "utf8", maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as T;
}
