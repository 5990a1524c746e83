// Makes `mco` start fast (docs/BENCHMARKS.md, Client): after `tsc`, bundles the client into dist/mco/, since a
// handful of files load far faster than the ~150 modules behind them, and writes the bundled agents' DDLs as
// JSON into dist/ddl/, so that a plain `mco rpc` reads them with JSON.parse instead of the Ruby-DSL reader.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";
import { parseDdl, toJsonDdl } from "../dist/src/ddl/index.js";

rmSync("dist/mco", { recursive: true, force: true });
await build({
  entryPoints: { mco: "dist/src/cli/mco.js" },
  outdir: "dist/mco",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // The NATS client is CommonJS and requires Node's built-ins; an ES module bundle has no `require` of its own.
  banner: { js: 'import { createRequire as __mcompatRequire } from "node:module"; const require = __mcompatRequire(import.meta.url);' },
  logLevel: "warning",
});

rmSync("dist/ddl", { recursive: true, force: true });
mkdirSync("dist/ddl", { recursive: true });
for (const name of readdirSync("ddl").filter((f) => f.endsWith(".ddl"))) {
  const file = `ddl/${name}`;
  writeFileSync(`dist/ddl/${name}.json`, JSON.stringify(toJsonDdl(parseDdl(readFileSync(file, "utf8"), file))));
}
