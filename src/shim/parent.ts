/**
 * The preloaded Ruby parent: one process that loads the compat layer, the agents and Puppet once, then forks a
 * worker on request. Each worker connects back to a Unix socket in a private directory and names itself with the
 * token of its fork; the parent reports how each one exited.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { encodeFrame, FrameReader, rubySymbol, symbolHash } from "./frames.js";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type Logger = (level: LogLevel, msg: string) => void;

export interface AgentFiles { agent: string; rb: string; ddl: string }
export interface ReadyReport { loaded: AgentFiles[]; failed: Array<{ agent: string; reason: string }>; dataPlugins: string[] }

export interface WorkerSpec {
  ruby: string;
  script: string;
  config: Record<string, string>;
  configFile?: string;
  agents: AgentFiles[];
  /** Libraries the parent requires before its first fork, when installed. */
  preload: string[];
  /** How long loading the agents (and forking one worker) may take. */
  startTimeoutMs: number;
  log: Logger;
  /** The server's facts, as its filters see them: what MCollective::Facts answers in Ruby. */
  facts?: () => Record<string, unknown>;
}

/** A parent that did not finish loading its agents in time; `agent` is the one it was loading then, if known. */
export class WorkerStartTimeout extends Error {
  constructor(seconds: number, readonly agent: string | undefined) {
    super(`Ruby worker did not load its agents within ${seconds}s (${agent ? `agent ${agent} blocked while loading` : "an agent file that blocks while loading?"})`);
  }
}

/** A fork asked of a parent that exited after it was ready (killed, out of memory): a new parent can serve it. */
export class ParentExited extends Error {}

/** A worker process just forked: its connection (with any frames read past its hello) and how it will end. */
export interface ForkedWorker {
  pid: number;
  socket: Socket;
  reader: FrameReader;
  early: unknown[];
  /** Why the process ended, as the parent saw it ("exited with code 3", "killed by SIGKILL"). */
  ended: Promise<string>;
}

interface PendingFork { resolve: (w: ForkedWorker) => void; reject: (e: Error) => void; timer: NodeJS.Timeout; pid?: number }

/** Ruby Logger levels as ours. */
export const RUBY_LEVELS: Record<string, LogLevel> = { debug: "debug", info: "info", warn: "warn", error: "error", fatal: "error" };

/**
 * Ruby's defaults suit one long process: the heap grows 80% when a collection frees under 20% of it, and 16-32 MB of
 * malloc'ed garbage may pile up between collections. A site runs one mcollectived but several workers, each paying
 * that headroom, so workers grow their heap in small steps and collect sooner: a pool that served Puppet-backed
 * calls is ~25% smaller, with no loss of throughput measured (docs/BENCHMARKS.md). Values set in the environment win;
 * the parent drops the ones added here once Ruby has read them, so the commands agents start (a Puppet run) never see them.
 */
const WORKER_GC: Record<string, string> = {
  RUBY_GC_HEAP_GROWTH_FACTOR: "1.05",
  RUBY_GC_HEAP_FREE_SLOTS_MIN_RATIO: "0.05",
  RUBY_GC_MALLOC_LIMIT: "4000000",
  RUBY_GC_MALLOC_LIMIT_MAX: "4000000",
};

export class RubyParent {
  readonly ready: Promise<ReadyReport>;
  readonly exited: Promise<void>;
  /** Resolves once the preload is done and the parent takes fork frames (it forks nothing before). */
  private readonly preloaded: Promise<void>;
  private resolvePreloaded!: () => void;
  private readonly child: ChildProcess;
  private readonly frames = new FrameReader();
  private readonly dir = mkdtempSync(join(tmpdir(), "mcompat-ruby-"));
  private readonly socketPath = join(this.dir, "workers");
  private readonly server: Server;
  private readonly listening: Promise<void>;
  private readonly pending = new Map<string, PendingFork>();
  private readonly endings = new Map<number, (reason: string) => void>();
  private loadingAgent?: string;
  private alive = true;
  /** True once the parent took fork frames. */
  private forking = false;
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
    this.preloaded = new Promise((resolve) => (this.resolvePreloaded = resolve));
    // A require that hangs (a dead NFS mount) cannot be interrupted safely; say so, and the calls time out queued.
    void this.ready.then(() => {
      const slow = setTimeout(() => this.spec.log("warn", `Ruby parent ${this.pid} is still preloading ${spec.preload.join(", ")} after ${spec.startTimeoutMs / 1000}s`), spec.startTimeoutMs);
      void this.forkable().then(() => clearTimeout(slow));
    }, () => undefined);
    this.server = createServer((socket) => this.greet(socket));
    this.listening = new Promise((resolve) => this.server.listen(this.socketPath, resolve));
    this.server.on("error", (err) => spec.log("error", `Ruby worker socket ${this.socketPath}: ${err.message}`));
    // Own process group, so a kill also reaches whatever loading an agent started.
    const added = Object.keys(WORKER_GC).filter((name) => process.env[name] === undefined);
    const env = { ...process.env, ...Object.fromEntries(added.map((name) => [name, WORKER_GC[name]])), MCOMPAT_DROP_ENV: added.join(" ") };
    this.child = spawn(spec.ruby, [spec.script], { stdio: ["ignore", "pipe", "pipe", "pipe", "pipe"], detached: true, env });
    // "exit", not "close": a daemon an agent started may keep the inherited stdout open forever.
    this.exited = new Promise((resolve) => {
      this.child.once("exit", () => resolve());
      this.child.once("error", () => resolve());
    });
    this.child.once("error", (err) => this.died(`could not start ${spec.ruby}: ${err.message}`));
    this.child.once("exit", (code, signal) => this.died(signal ? `killed by ${signal}` : `exited with code ${code}`));
    // Workers inherit these, so what any of them prints is logged under the parent's pid.
    pipeOutput(this.child.stdout, spec.log, "info", `ruby[${this.child.pid}] stdout`);
    pipeOutput(this.child.stderr, spec.log, "warn", `ruby[${this.child.pid}] stderr`);
    const fromRuby = this.child.stdio[4] as Readable;
    fromRuby.on("data", (chunk: Buffer) => this.onData(chunk));
    fromRuby.on("error", () => undefined);
    (this.child.stdio[3] as Writable).on("error", () => undefined);
    this.send({ op: rubySymbol("init"), config: spec.config, configfile: spec.configFile, preload: spec.preload,
      agents: spec.agents.map((a) => symbolHash({ ...a })), facts: spec.facts?.() });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get isAlive(): boolean {
    return this.alive;
  }

  /** Resolves once the parent forks (its preload done), or has exited. */
  forkable(): Promise<void> {
    return Promise.race([this.preloaded, this.exited]);
  }

  /** A new worker, once the agents and the preload are loaded; rejects with the start failure, or when the fork does not connect in time. */
  async fork(): Promise<ForkedWorker> {
    await this.ready;
    await this.forkable();
    await this.listening;
    // Dying while it preloads would die again in the next parent: that is a start failure, not a loss.
    if (!this.alive) throw this.forking ? new ParentExited("the Ruby parent has exited") : new Error(`the Ruby parent exited while preloading ${this.spec.preload.join(", ")}`);
    const token = randomBytes(16).toString("hex");
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.failFork(token, new Error(`a forked Ruby worker did not connect within ${this.spec.startTimeoutMs / 1000}s`)), this.spec.startTimeoutMs);
      this.pending.set(token, { resolve, reject, timer });
      this.send({ op: rubySymbol("fork"), socket: this.socketPath, token });
    });
  }

  /** Asks the parent to exit (its workers live on until stopped); kills it after graceMs. */
  async stop(graceMs = 2000): Promise<void> {
    this.send({ op: rubySymbol("stop") });
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** SIGKILL to the parent's process group (not its workers: each leads its own). */
  kill(): void {
    if (this.child.pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      process.kill(-this.child.pid, "SIGKILL");
    } catch {
      this.child.kill("SIGKILL");
    }
  }

  private send(frame: Record<string, unknown>): void {
    const toRuby = this.child.stdio[3] as Writable;
    if (this.alive && toRuby.writable) toRuby.write(encodeFrame(symbolHash(frame)));
  }

  private onData(chunk: Buffer): void {
    for (const frame of this.frames.push(chunk) as Array<Record<string, unknown>>) {
      if (frame.type === "log") this.spec.log(RUBY_LEVELS[String(frame.level)] ?? "info", `ruby[${this.pid}] ${String(frame.message)}`);
      else if (frame.type === "loading") this.loadingAgent = String(frame.agent);
      else if (frame.type === "ready") {
        this.resolveReady({ loaded: frame.loaded as AgentFiles[], failed: frame.failed as ReadyReport["failed"],
          dataPlugins: (frame.data_plugins ?? []) as string[] });
      } else if (frame.type === "preloaded") {
        this.forking = true;
        this.resolvePreloaded();
      }
      else if (frame.type === "forked") {
        const fork = this.pending.get(String(frame.token));
        if (fork) fork.pid = Number(frame.pid);
      } else if (frame.type === "exited") this.ended(Number(frame.pid), frame.signal ? `killed by SIG${String(frame.signal)}` : `exited with code ${String(frame.code)}`);
    }
  }

  /** A worker's first frame names its fork; what follows on the socket is the worker's. */
  private greet(socket: Socket): void {
    const reader = new FrameReader();
    const onHello = (chunk: Buffer): void => {
      let frames: unknown[];
      try {
        frames = reader.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      if (frames.length === 0) return;
      socket.off("data", onHello);
      const hello = frames[0] as Record<string, unknown>;
      const token = String(hello.token);
      const fork = hello.type === "hello" ? this.pending.get(token) : undefined;
      if (!fork) {
        socket.destroy();
        return;
      }
      this.pending.delete(token);
      clearTimeout(fork.timer);
      const pid = Number(hello.pid);
      const ended = new Promise<string>((resolve) => this.endings.set(pid, resolve));
      fork.resolve({ pid, socket, reader, early: frames.slice(1), ended });
    };
    socket.on("data", onHello);
    socket.on("error", () => undefined);
  }

  private ended(pid: number, reason: string): void {
    this.endings.get(pid)?.(reason);
    this.endings.delete(pid);
    for (const [token, fork] of this.pending) {
      if (fork.pid === pid) this.failFork(token, new Error(`a forked Ruby worker ${reason} before it connected`));
    }
  }

  private failFork(token: string, err: Error): void {
    const fork = this.pending.get(token);
    if (!fork) return;
    this.pending.delete(token);
    clearTimeout(fork.timer);
    fork.reject(err);
  }

  private died(reason: string): void {
    if (!this.alive) return;
    this.alive = false;
    this.rejectReady(new Error(`Ruby worker ${reason} before it was ready`));
    for (const token of [...this.pending.keys()]) this.failFork(token, new ParentExited(`the Ruby parent ${reason}`));
    // Workers outlive their parent; without it nobody reports their status, so their socket closing must do.
    for (const resolve of this.endings.values()) resolve("exited (its status went with its Ruby parent)");
    this.endings.clear();
    this.server.close();
    rmSync(this.dir, { recursive: true, force: true });
    if (!reason.endsWith("code 0")) this.spec.log("warn", `Ruby parent ${this.pid} ${reason}`);
  }
}

/** Logs a child's output line by line under `prefix`. */
function pipeOutput(stream: Readable | null, log: Logger, level: LogLevel, prefix: string): void {
  let pending = "";
  stream?.setEncoding("utf8");
  stream?.on("data", (text: string) => {
    const lines = (pending + text).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) if (line.trim()) log(level, `${prefix}: ${line}`);
  });
  stream?.on("end", () => { if (pending.trim()) log(level, `${prefix}: ${pending}`); });
}
