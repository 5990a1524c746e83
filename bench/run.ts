/** Runs every benchmark in dist/bench/ one after another, each in its own process (`legacy` once per broker). */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

const here = dirname(fileURLToPath(import.meta.url));
/** Modules the benchmarks share, not benchmarks. */
const HELPERS = ["run", "memory", "cpu", "apt-cache", "floor", "floor-responder"];
/** The argument lists a benchmark runs with, where one run is not all of it. */
const RUNS: Record<string, string[][]> = { legacy: [["activemq"], ["rabbitmq"], ["activemq", "package", "apt-cache"]] };
const only = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith(".js"))
  .map((f) => f.replace(/\.js$/, ""))
  .filter((name) => !HELPERS.includes(name) && (only.length === 0 || only.includes(name)));

for (const name of benches) {
  for (const args of RUNS[name] ?? [[]]) {
    console.log(`\n=== ${[name, ...args].join(" ")}`);
    await execa("node", [join(here, `${name}.js`), ...args], { stdio: "inherit" });
  }
}
