/** Runs a Ruby fact source plugin (`factsource = <name>`, MCollective::Facts::<Name>_facts) for the server's facts. */
import { spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../package-root.js";
import { encodeFrame, FrameReader, symbolHash } from "./frames.js";
import { poolSettings } from "./settings.js";

const FACTS_SCRIPT = join(PACKAGE_ROOT, "compat", "bin", "mcompat-facts");

/** The facts the plugin gives (strings, as MCollective made them); rejects with its error, or after timeoutMs. */
export function rubyPluginFacts(source: string, config: Record<string, string>, configFile?: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
  const ruby = poolSettings({ config }, 1).ruby;
  return new Promise((resolve, reject) => {
    const child = spawn(ruby, [FACTS_SCRIPT], { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] });
    const timer = setTimeout(() => (child.kill("SIGKILL"), reject(new Error(`fact source ${source} took more than ${timeoutMs / 1000}s`))), timeoutMs);
    let stderr = "";
    let answer: Record<string, unknown> | undefined;
    const reader = new FrameReader();
    child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    (child.stdio[4] as Readable).on("data", (chunk: Buffer) => (answer ??= reader.push(chunk)[0] as Record<string, unknown> | undefined));
    (child.stdio[3] as Writable).on("error", () => undefined);
    (child.stdio[3] as Writable).end(encodeFrame(symbolHash({ config, configfile: configFile, source })));
    child.once("error", (err) => (clearTimeout(timer), reject(err)));
    child.once("close", (code) => {
      clearTimeout(timer);
      if (answer?.type === "facts") resolve(answer.facts as Record<string, unknown>);
      else reject(new Error(answer?.type === "error" ? String(answer.error) : `exited with code ${code}: ${stderr.trim().split("\n").pop() ?? ""}`));
    });
  });
}
