/**
 * Loaded first by mocha and by the benchmarks that start brokers and servers: every temporary directory a run makes
 * (brokers, CAs, Ruby sockets, child processes' own files, which inherit TMPDIR) lands under one root, removed when
 * the run exits. Tests read some broker logs after stopping the broker, so removal waits for the process's end.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = mkdtempSync(join(tmpdir(), "mcompat-tests-"));
process.env.TMPDIR = root;
process.on("exit", () => {
  try {
    rmSync(root, { recursive: true, force: true });
  } catch (err) {
    process.stderr.write(`could not remove the tests' temporary root ${root}: ${(err as Error).message}\n`);
  }
});
