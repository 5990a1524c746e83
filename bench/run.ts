/** Runs every benchmark in dist/bench/ one after another, each in its own process. */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith(".js") && f !== "run.js")
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.js$/, "")));

for (const file of benches) {
  console.log(`\n=== ${file.replace(/\.js$/, "")}`);
  await execa("node", [join(here, file)], { stdio: "inherit" });
}
