/**
 * Runs a Ruby `mco` application plugin (`<libdir>/mcollective/application/<name>.rb`) unchanged, in a Ruby process
 * (compat/bin/mcompat-app) whose RPC clients this process serves, request by request (src/shim/requests.ts). Ruby
 * keeps the user's stdin, stdout and stderr, so Node prints nothing itself while it runs.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import type { Config } from "../config/index.js";
import { PACKAGE_ROOT } from "../package-root.js";
import { encodeFrame, FrameReader, symbolHash } from "../shim/frames.js";
import { POOL_KEYS } from "../shim/settings.js";
import { serveRequest, type AppFrame, type AppRequest, type AppServices } from "../shim/requests.js";

const APP_SCRIPT = join(PACKAGE_ROOT, "compat", "bin", "mcompat-app");

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
  const ruby = config.get(POOL_KEYS.ruby) ?? "ruby";
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
