/**
 * Runs a Ruby `mco` application plugin (`<libdir>/mcollective/application/<name>.rb`) unchanged, in a Ruby process
 * (compat/bin/mcompat-app) whose RPC clients this process serves. The two talk in the worker's frames
 * (src/shim/frames.ts): Ruby sends one request frame (`op`: client, discover, call, results_text, stats_text) and
 * waits; Node answers with "out" frames (text for Ruby to print), "result" frames (one per reply of a call) and one
 * final frame. Ruby keeps the user's stdin, stdout and stderr, so Node prints nothing itself while it runs.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import type { Config } from "../config/index.js";
import { PACKAGE_ROOT } from "../package-root.js";
import { encodeFrame, FrameReader, symbolHash } from "../shim/frames.js";

const APP_SCRIPT = join(PACKAGE_ROOT, "compat", "bin", "mcompat-app");

/** A request from the application, and what sends its intermediate frames back. */
export type AppRequest = Record<string, unknown> & { op: string };
export type AppFrame = Record<string, unknown> & { type: string };

/** Answers the application's requests; a thrown error reaches Ruby as an exception of `rubyClass` (or RuntimeError). */
export interface AppServices {
  handle(request: AppRequest, send: (frame: AppFrame) => void): Promise<AppFrame>;
}

/** An error the application sees raised as this Ruby class (e.g. MCollective::DDLValidationError). */
export class RubyRaise extends Error {
  constructor(
    readonly rubyClass: string,
    message: string,
  ) {
    super(message);
  }
}

/** Runs application `name` with `argv` in Ruby, serving its requests; resolves to its exit code. */
export function runRubyApplication(opts: {
  name: string;
  argv: string[];
  config: Config;
  env: NodeJS.ProcessEnv;
  services: AppServices;
  /** Print the application's help (Application#help) instead of running it. */
  help?: boolean;
}): Promise<number> {
  const { config } = opts;
  const ruby = config.get("plugin.mcompat.ruby.command") ?? "ruby";
  const child = spawn(ruby, [APP_SCRIPT], { stdio: ["inherit", "inherit", "inherit", "pipe", "pipe"], env: opts.env });
  const toRuby = child.stdio[3] as Writable;
  const fromRuby = child.stdio[4] as Readable;
  const send = (frame: AppFrame) => {
    if (toRuby.writable) toRuby.write(encodeFrame(frame));
  };
  toRuby.on("error", () => undefined);
  send(symbolHash({ config: config.entries(), configfile: config.file, application: opts.name, argv: opts.argv, help: opts.help === true }) as unknown as AppFrame);
  const reader = new FrameReader();
  // Ruby waits for each answer, so requests are served one at a time, in order.
  let served: Promise<void> = Promise.resolve();
  fromRuby.on("data", (chunk: Buffer) => {
    for (const request of reader.push(chunk) as AppRequest[]) {
      served = served.then(() => serveRequest(opts.services, request, send));
    }
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => void served.then(() => resolve(code ?? 1)));
  });
}

/** Answers one request with its final frame, or an "error" frame Ruby raises; never rejects. */
export async function serveRequest(services: AppServices, request: AppRequest, send: (frame: AppFrame) => void): Promise<void> {
  try {
    send(await services.handle(request, send));
  } catch (err) {
    const error = err as Error;
    send({ type: "error", class: err instanceof RubyRaise ? err.rubyClass : rubyClassOf(error), message: error.message });
  }
}

/** Our errors as the MCollective exception the legacy client raised for the same failure. */
function rubyClassOf(error: Error): string {
  return error.name === "DdlError" ? "MCollective::DDLValidationError" : "RuntimeError";
}
