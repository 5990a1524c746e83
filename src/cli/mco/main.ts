/** mco's dispatcher: `mco <app> [options] [args]`, `mco help [app]`, `mco` alone; errors reported as mco reports them. */
import { parseArgv, shellSplit, UsageError } from "./argv.js";
import { applicationOptions, helpText } from "./app.js";
import { APPLICATIONS, commandListText, unknownCommandText } from "./apps/index.js";
import { Session, type Io } from "./session.js";
import { clientConfigFor, NATIVE_FIRST, rubyApplicationFile, rubyApplications } from "./ruby-apps.js";
import type { CommonValues } from "./options.js";

/** Runs mco with `argv` (without node and script) and resolves to the exit code. */
export async function runMco(argv: string[], io: Io, program = "mco"): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name.startsWith("--")) {
    const config = await clientConfigFor(argv, io.env);
    io.stdout.write(commandListText(program, config ? rubyApplications(config).map((r) => r.name) : []));
    return 0;
  }
  const app = APPLICATIONS.find((a) => a.name === name);
  // An application plugin in the libdirs is run as the legacy mco would, unless it is one of our own that win.
  const config = NATIVE_FIRST.includes(name) ? undefined : await clientConfigFor(rest, io.env);
  if (config && rubyApplicationFile(config, name)) {
    const { runRubyApp } = await import("./ruby-app.js");
    // The application reports its own failures; this is for a Ruby that cannot be started at all.
    return runRubyApp(name, rest, config, io).catch((err: Error) => (io.stderr.write(failureText(name, err, false)), 1));
  }
  if (!app) {
    io.stdout.write(unknownCommandText(program, name, config?.libdirs, config ? rubyApplications(config).map((r) => r.name) : []));
    return 1;
  }
  let session: Session | undefined;
  let verbose = rest.includes("-v") || rest.includes("--verbose");
  try {
    const extra = io.env.MCOLLECTIVE_EXTRA_OPTS ? shellSplit(io.env.MCOLLECTIVE_EXTRA_OPTS) : [];
    const { values, positionals } = parseArgv(applicationOptions(app), [...rest, ...extra]);
    verbose = values.verbose === true;
    if (values.help) {
      // mco prints the help and exits 1 (and printed nothing when piped; we always print).
      io.stdout.write(helpText(app));
      return 1;
    }
    session = new Session(app, program, values as CommonValues & Record<string, unknown>, positionals, io, config);
    return await app.run(session);
  } catch (err) {
    io.stderr.write(failureText(app.name, err as Error, verbose));
    return 1;
  } finally {
    await session?.close().catch(() => undefined);
  }
}

/** mco's application failure report: one line, or with `-v` the error class and a backtrace. */
export function failureText(app: string, err: Error, verbose: boolean): string {
  if (!verbose || err instanceof UsageError) {
    return `\nThe ${app} application failed to run, use -v for full error backtrace details: ${err.message}\n`;
  }
  const trace = (err.stack ?? "").split("\n").slice(1).map((line, i) => `\t${line.trim()}${i === 0 ? "  <----" : ""}`);
  return `\nThe ${app} application failed to run: ${err.message}\n\n${err.message} (${err.name})\n${trace.join("\n")}\n`;
}
