/** Runs mco in-process with captured streams, or as a real process through `bin/mco`. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { runMco } from "../../src/cli/mco/main.js";

export interface McoRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A captured stream; `isTTY` and `columns` make it look like a terminal. */
function capture(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { write: (t: string) => chunks.push(t), isTTY, columns: isTTY ? 80 : undefined } };
}

/** Runs `mco <argv>` in this process. */
export async function mco(argv: string[], opts: { tty?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<McoRun> {
  const out = capture(opts.tty ?? false);
  const err = capture(opts.tty ?? false);
  const code = await runMco(argv, { stdout: out.stream, stderr: err.stream, env: opts.env ?? {} }, "mco");
  return { code, stdout: out.chunks.join(""), stderr: err.chunks.join("") };
}

export const MCO_BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "bin", "mco");

/** Runs the real `bin/mco` program; never rejects on a non-zero exit. */
export async function mcoProcess(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<McoRun> {
  const r = await execa(MCO_BIN, argv, { reject: false, env: { ...env, MCOLLECTIVE_EXTRA_OPTS: "" }, stdin: "ignore", timeout: 60_000 });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
