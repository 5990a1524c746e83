/** One long-lived Ruby worker process: spawn, init frame, one call at a time, kill on overrun. */
import { spawn, type ChildProcess } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { encodeFrame, FrameReader, rubySymbol, symbolHash } from "./frames.js";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type Logger = (level: LogLevel, msg: string) => void;

export interface AgentFiles { agent: string; rb: string; ddl: string }
export interface ReadyReport { loaded: AgentFiles[]; failed: Array<{ agent: string; reason: string }>; dataPlugins: string[] }
/** A reply frame from Ruby, as plain values (`statuscode/statusmsg/data` for calls, `ok/data/error` for data queries). */
export type WorkerReply = Record<string, unknown>;

export interface WorkerSpec {
  ruby: string;
  script: string;
  config: Record<string, string>;
  configFile?: string;
  agents: AgentFiles[];
  /** How long loading the agents may take before the worker is killed. */
  startTimeoutMs: number;
  log: Logger;
  /** The server's facts, as its filters see them: what MCollective::Facts answers in Ruby. */
  facts?: () => Record<string, unknown>;
}

/** Why a call did not produce a reply. */
export class WorkerFailure extends Error {
  constructor(message: string, readonly timedOut: boolean) {
    super(message);
  }
}

/** A worker that did not finish loading its agents in time; `agent` is the one it was loading then, if known. */
export class WorkerStartTimeout extends Error {
  constructor(seconds: number, readonly agent: string | undefined) {
    super(`Ruby worker did not load its agents within ${seconds}s (${agent ? `agent ${agent} blocked while loading` : "an agent file that blocks while loading?"})`);
  }
}

interface Inflight { id: number; resolve: (r: WorkerReply) => void; reject: (e: WorkerFailure) => void; timer: NodeJS.Timeout }

const RUBY_LEVELS: Record<string, LogLevel> = { debug: "debug", info: "info", warn: "warn", error: "error", fatal: "error" };

/** A Ruby worker process serving one job at a time over fd 3 / fd 4 frames. */
export class RubyWorker {
  readonly ready: Promise<ReadyReport>;
  readonly exited: Promise<void>;
  served = 0;
  /** True when the process died or was killed while running a call (a crash, or an overrun). */
  lostInCall = false;
  /** The agent being loaded right now, while the worker starts. */
  private loadingAgent?: string;
  private readonly child: ChildProcess;
  private readonly frames = new FrameReader();
  private inflight?: Inflight;
  private nextId = 1;
  private factsSent?: Record<string, unknown>;
  private alive = true;
  private retired = false;
  private resolveReady!: (r: ReadyReport) => void;
  private rejectReady!: (e: Error) => void;

  constructor(private readonly spec: WorkerSpec) {
    this.ready = new Promise((resolve, reject) => { this.resolveReady = resolve; this.rejectReady = reject; });
    this.ready.catch(() => undefined);
    const startTimer = setTimeout(() => {
      this.rejectReady(new WorkerStartTimeout(spec.startTimeoutMs / 1000, this.loadingAgent));
      this.kill();
    }, spec.startTimeoutMs);
    this.ready.then(() => clearTimeout(startTimer), () => clearTimeout(startTimer));
    // Own process group, so a kill also reaches the commands an agent started.
    this.child = spawn(spec.ruby, [spec.script], { stdio: ["ignore", "pipe", "pipe", "pipe", "pipe"], detached: true });
    // "exit", not "close": a daemon an agent started may keep the worker's stdout open forever.
    this.exited = new Promise((resolve) => {
      this.child.once("exit", () => resolve());
      this.child.once("error", () => resolve());
    });
    this.child.once("error", (err) => this.died(`could not start ${spec.ruby}: ${err.message}`));
    this.child.once("exit", (code, signal) => this.died(signal ? `killed by ${signal}` : `exited with code ${code}`));
    this.pipeOutput(this.child.stdout, "info", "stdout");
    this.pipeOutput(this.child.stderr, "warn", "stderr");
    const fromRuby = this.child.stdio[4] as Readable;
    fromRuby.on("data", (chunk: Buffer) => this.onData(chunk));
    fromRuby.on("error", () => undefined);
    const toRuby = this.child.stdio[3] as Writable;
    toRuby.on("error", () => undefined);
    this.send({ op: rubySymbol("init"), config: spec.config, configfile: spec.configFile,
      agents: spec.agents.map((a) => symbolHash({ ...a })), facts: this.factsIfChanged() });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** False once the process exited or was told to go. */
  get isAlive(): boolean {
    return this.alive && !this.retired;
  }

  /** Sends one job frame (op :call or :data); rejects with WorkerFailure when the worker dies or overruns timeoutMs (then it is killed). */
  run(op: "call" | "data", fields: Record<string, unknown>, timeoutMs: number, label: string): Promise<WorkerReply> {
    if (this.inflight) throw new Error("a Ruby worker serves one request at a time");
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      if (!this.isAlive) {
        reject(new WorkerFailure("the Ruby worker for it had already stopped", false));
        return;
      }
      const timer = setTimeout(() => {
        this.inflight = undefined;
        this.lostInCall = true;
        reject(new WorkerFailure(`${label} timed out`, true));
        this.kill();
      }, timeoutMs);
      this.inflight = { id, resolve, reject, timer };
      this.send({ op: rubySymbol(op), id, ...fields, facts: this.factsIfChanged() });
    });
  }

  /** Asks the worker to finish and exit; kills it if it has not gone after graceMs. */
  async stop(graceMs = 2000): Promise<void> {
    this.send({ op: rubySymbol("stop") });
    this.retired = true;
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** SIGKILL to the worker's whole process group. */
  kill(): void {
    this.retired = true;
    if (this.child.pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      process.kill(-this.child.pid, "SIGKILL");
    } catch {
      this.child.kill("SIGKILL");
    }
  }

  /** The facts when they are not the ones this worker has (fact sources keep one object until they re-read). */
  private factsIfChanged(): Record<string, unknown> | undefined {
    const facts = this.spec.facts?.();
    if (facts === this.factsSent) return undefined;
    this.factsSent = facts;
    return facts;
  }

  private send(frame: Record<string, unknown>): void {
    const toRuby = this.child.stdio[3] as Writable;
    if (this.isAlive && toRuby.writable) toRuby.write(encodeFrame(symbolHash(frame)));
  }

  private onData(chunk: Buffer): void {
    for (const frame of this.frames.push(chunk) as Array<Record<string, unknown>>) {
      if (frame.type === "log") this.spec.log(RUBY_LEVELS[String(frame.level)] ?? "info", `ruby[${this.pid}] ${String(frame.message)}`);
      else if (frame.type === "loading") this.loadingAgent = String(frame.agent);
      else if (frame.type === "ready") {
        this.resolveReady({ loaded: frame.loaded as AgentFiles[], failed: frame.failed as ReadyReport["failed"],
          dataPlugins: (frame.data_plugins ?? []) as string[] });
      }
      else if (frame.type === "reply") this.settle(frame);
    }
  }

  private settle(frame: Record<string, unknown>): void {
    const call = this.inflight;
    if (!call || call.id !== frame.id) return;
    this.inflight = undefined;
    clearTimeout(call.timer);
    this.served++;
    call.resolve(frame);
  }

  private died(reason: string): void {
    if (!this.alive) return;
    this.alive = false;
    this.rejectReady(new Error(`Ruby worker ${reason} before it was ready`));
    const call = this.inflight;
    this.inflight = undefined;
    if (call) {
      this.lostInCall = true;
      clearTimeout(call.timer);
      call.reject(new WorkerFailure(`the Ruby worker running it ${reason}`, false));
    }
  }

  private pipeOutput(stream: Readable | null, level: LogLevel, name: string): void {
    let pending = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (text: string) => {
      const lines = (pending + text).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) this.spec.log(level, `ruby[${this.pid}] ${name}: ${line}`);
    });
    stream?.on("end", () => { if (pending.trim()) this.spec.log(level, `ruby[${this.pid}] ${name}: ${pending}`); });
  }
}
