/**
 * DDL reading benchmark: a generated 200-agent libdir read with the Ruby-DSL reader, against JSON.parse of the
 * equivalent JSON DDLs (the floor for any reader) and, when Ruby and MCollective are installed, Ruby evaluating them.
 * Run: npx tsc -p . && node dist/bench/ddl.js
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseDdl, rubyPrettyJson, toJsonDdl } from "../src/ddl/index.js";

const AGENTS = 200;
/** The bundled DDLs, found from this file (dist/bench/ddl.js) so the bench runs from any directory. */
const BUNDLED = fileURLToPath(new URL("../../ddl/", import.meta.url));
const ROUNDS = 7;

export interface DdlBenchResult {
  agents: number;
  rubyDslMs: number;
  jsonReaderMs: number;
  jsonParseMs: number;
  rubyMs?: number;
}

/** Writes `<dir>/mcollective/agent/agentN.{ddl,json}`: the bundled DDLs renamed, so every file is a real-world shape. */
function makeLibdir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mcompat-bench-ddl-"));
  const agentDir = join(dir, "mcollective", "agent");
  mkdirSync(agentDir, { recursive: true });
  const templates = ["package", "service", "puppet", "rpcutil"].map((n) => readFileSync(join(BUNDLED, `${n}.ddl`), "utf8"));
  for (let i = 0; i < AGENTS; i++) {
    const text = templates[i % templates.length].replace(/:name(\s*)=> "[a-z]+"/, `:name$1=> "agent${i}"`);
    writeFileSync(join(agentDir, `agent${i}.ddl`), text);
    writeFileSync(join(agentDir, `agent${i}.json`), rubyPrettyJson(toJsonDdl(parseDdl(text, `agent${i}.ddl`))));
  }
  return agentDir;
}

/** Best of several rounds, in milliseconds: the least disturbed run on a shared machine. */
function best(fn: () => void): number {
  let min = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    fn();
    min = Math.min(min, performance.now() - start);
  }
  return min;
}

const RUBY_TIMER = `
require 'mcollective'
files = ARGV
best = nil
${ROUNDS}.times do
  t = Process.clock_gettime(Process::CLOCK_MONOTONIC)
  files.each { |f| d = MCollective::DDL::AgentDDL.new("x", :agent, false); d.instance_eval(File.read(f), f, 1) }
  e = (Process.clock_gettime(Process::CLOCK_MONOTONIC) - t) * 1000
  best = e if best.nil? || e < best
end
puts best
`;

/** Ruby's own time to evaluate the same files with MCollective 2.12 (process start not counted); undefined without Ruby. */
function rubyTime(files: string[]): number | undefined {
  try {
    return Number(execFileSync("ruby", ["-W0", "-e", RUBY_TIMER, ...files], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
  } catch {
    return undefined;
  }
}

/** Runs the benchmark and prints one line per measurement with its ratio to the JSON.parse baseline. */
export function benchDdl(): DdlBenchResult {
  const agentDir = makeLibdir();
  try {
    const names = readdirSync(agentDir);
    const ddlFiles = names.filter((n) => n.endsWith(".ddl")).map((n) => join(agentDir, n));
    const jsonFiles = names.filter((n) => n.endsWith(".json")).map((n) => join(agentDir, n));
    // Warm up the JIT on all three paths before measuring.
    for (const f of [...ddlFiles, ...jsonFiles]) parseDdl(readFileSync(f, "utf8"), f);
    const result: DdlBenchResult = {
      agents: ddlFiles.length,
      rubyDslMs: best(() => ddlFiles.forEach((f) => parseDdl(readFileSync(f, "utf8"), f))),
      jsonReaderMs: best(() => jsonFiles.forEach((f) => parseDdl(readFileSync(f, "utf8"), f))),
      jsonParseMs: best(() => jsonFiles.forEach((f) => JSON.parse(readFileSync(f, "utf8")))),
      rubyMs: rubyTime(ddlFiles),
    };
    const line = (what: string, ms: number) => console.log(`${what.padEnd(52)} ${ms.toFixed(1).padStart(8)} ms   ${(ms / result.jsonParseMs).toFixed(1).padStart(6)}x JSON.parse`);
    console.log(`DDL reading, ${result.agents}-agent libdir (best of ${ROUNDS}, files read from disk each time)`);
    line("baseline: fs read + JSON.parse of the JSON DDLs", result.jsonParseMs);
    line("parseDdl of the JSON DDLs (read + model)", result.jsonReaderMs);
    line("parseDdl of the Ruby-DSL DDLs (no Ruby)", result.rubyDslMs);
    if (result.rubyMs !== undefined) line("Ruby MCollective 2.12 instance_eval of the same DDLs", result.rubyMs);
    return result;
  } finally {
    rmSync(join(agentDir, "..", ".."), { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) benchDdl();
