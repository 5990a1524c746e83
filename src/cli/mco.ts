/** `mco`: the drop-in MCollective client. */
import { runMco } from "./mco/main.js";

// `mco find | head -1` closes the pipe early; that is not an error worth a stack trace.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await runMco(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }, process.argv[1] ?? "mco");
