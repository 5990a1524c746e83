#!/usr/bin/env node
// Regenerates the Forge-module copies of the bundled agents from compat/agents and ddl/ (build first: npx tsc -p .).
// `--check` changes nothing and exits 1 when a copy differs from its source.
import { syncForge } from "../../dist/src/shim/forge.js";

const check = process.argv.includes("--check");
const drift = syncForge(check);
if (check && drift.length > 0) {
  console.error(`Forge modules differ from their sources (run node compat/forge/sync.mjs):\n  ${drift.join("\n  ")}`);
  process.exit(1);
}
console.log(drift.length === 0 ? "Forge modules up to date" : `${check ? "Differ" : "Updated"}: ${drift.join(", ")}`);
