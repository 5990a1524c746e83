/** `mco`: the drop-in MCollective client. */
import { runMco } from "./mco/main.js";

process.exitCode = await runMco(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }, process.argv[1] ?? "mco");
