/**
 * The server's Ruby audit and registration plugins (`rpcauditprovider`, `registration` naming a plugin in a libdir):
 * one long-lived Ruby process (compat/bin/mcompat-plugins), started on first need and again if it dies, answering one
 * frame per request audited or registration body wanted.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { PACKAGE_ROOT } from "../package-root.js";
import { encodeFrame, FrameReader, rubySymbol, symbolHash } from "./frames.js";
import { poolSettings } from "./settings.js";

const PLUGINS_SCRIPT = join(PACKAGE_ROOT, "compat", "bin", "mcompat-plugins");

export type PluginLog = (level: string, msg: string) => void;

/** `<libdir>/mcollective/<type>/<name>.rb` of the first libdir that has it. */
export function rubyPluginFile(libdirs: string[], type: "audit" | "registration", name: string): string | undefined {
  if (!/^\w+$/.test(name)) return undefined;
  return libdirs.map((dir) => join(dir, "mcollective", type, `${name}.rb`)).find((file) => existsSync(file));
}

interface Pending {
  resolve: (body: unknown) => void;
  reject: (err: Error) => void;
}

export class RubyPluginHost {
  private child?: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(
    private readonly config: Record<string, string>,
    private readonly configFile: string | undefined,
    private readonly log: PluginLog,
  ) {}

  /** Hands one authorized request to audit plugin `provider`; a failure is logged, never thrown. */
  audit(provider: string, event: Record<string, unknown>): void {
    this.request({ op: rubySymbol("audit"), provider, ...event }).catch((err: Error) =>
      this.log("warn", `Audit failed - ${err.message} - continuing to process message`),
    );
  }

  /** The body registration plugin `name` gives now. */
  registrationBody(name: string): Promise<unknown> {
    return this.request({ op: rubySymbol("registration"), plugin: name });
  }

  private request(frame: Record<string, unknown>): Promise<unknown> {
    const id = this.nextId++;
    const child = this.process();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      (child.stdio[3] as Writable).write(encodeFrame(symbolHash({ ...frame, id })));
    });
  }

  private process(): ChildProcess {
    if (this.child) return this.child;
    const child = spawn(poolSettings({ config: this.config }, 1).ruby, [PLUGINS_SCRIPT], { stdio: ["ignore", "pipe", "pipe", "pipe", "pipe"] });
    this.child = child;
    child.unref();
    for (const stream of [child.stdout!, child.stderr!]) {
      (stream as Readable & { unref?: () => void }).unref?.();
      stream.on("data", (chunk: Buffer) => this.log("info", `Ruby plugin output: ${chunk.toString().trimEnd()}`));
    }
    const input = child.stdio[3] as Writable;
    input.on("error", () => undefined);
    input.write(encodeFrame(symbolHash({ config: this.config, configfile: this.configFile })));
    const reader = new FrameReader();
    const output = child.stdio[4] as Readable & { unref?: () => void };
    output.unref?.();
    output.on("data", (chunk: Buffer) => {
      for (const frame of reader.push(chunk) as Array<Record<string, unknown>>) this.receive(frame);
    });
    child.once("close", (code) => {
      this.child = undefined;
      for (const waiting of this.pending.values()) waiting.reject(new Error(`the Ruby plugin host exited (code ${code})`));
      this.pending.clear();
    });
    child.once("error", (err) => this.log("error", `Ruby plugin host: ${err.message}`));
    return child;
  }

  private receive(frame: Record<string, unknown>): void {
    if (frame.type === "log") return this.log(String(frame.level), String(frame.message));
    const waiting = this.pending.get(Number(frame.id));
    if (!waiting) return;
    this.pending.delete(Number(frame.id));
    if (frame.ok === true) waiting.resolve(frame.body);
    else waiting.reject(new Error(String(frame.error)));
  }
}
