/** A pool of long-lived Ruby workers: lazy start, bounded queue, per-agent concurrency, timeouts, recycling. */
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { RpcReplyBody } from "../protocol/index.js";
import { symbolHash } from "./frames.js";
import { poolSettings } from "./settings.js";
import { RubyWorker, WorkerFailure, type AgentFiles, type Logger, type ReadyReport, type WorkerSpec } from "./worker.js";

/** One request for a Ruby agent, already validated against its DDL by the server. */
export interface AgentCall {
  agent: string; action: string; data: Record<string, unknown>; caller: string;
  requestid: string; sender: string; collective: string; timeoutSec: number;
}

/** Which agents can serve in Ruby, and why the others cannot. */
export interface AgentProbe { loaded: AgentFiles[]; failed: Array<{ agent: string; reason: string }> }

/**
 * Options; each number falls back to its plugin.mcompat.ruby.* key in `config` (POOL_KEYS), then to its default:
 * size = cores (at least 2), maxQueue 100 (beyond it a call is answered "busy"), recycleAfter 1000 requests,
 * perAgent = size - 1 (most workers one agent may hold), startTimeoutSec 60, ruby "ruby" on PATH.
 */
export interface WorkerPoolOptions {
  configFile?: string;
  /** Raw key = value settings, plugin.* and plugin.d included. */
  config: Record<string, string>;
  agents: AgentFiles[];
  size?: number;
  maxQueue?: number;
  recycleAfter?: number;
  perAgent?: number;
  startTimeoutSec?: number;
  ruby?: string;
  log?: Logger;
}

interface Pending { call: AgentCall; resolve: (reply: RpcReplyBody) => void }

const WORKER_SCRIPT = fileURLToPath(new URL("../../../compat/bin/mcompat-worker", import.meta.url));
const DEFAULT_TIMEOUT_SEC = 10;

function failure(statusmsg: string): RpcReplyBody {
  return { statuscode: 5, statusmsg, data: {} };
}

export class WorkerPool {
  private readonly size: number;
  private readonly maxQueue: number;
  private readonly recycleAfter: number;
  private readonly perAgent: number;
  private readonly spec: WorkerSpec;
  private readonly idle: RubyWorker[] = [];
  private readonly all = new Set<RubyWorker>();
  private readonly queue: Pending[] = [];
  private readonly running = new Map<string, number>();
  private stopped = false;
  /** Agents a worker could not load, with the reason (from probe() and every worker's ready report). */
  private readonly unservable = new Map<string, string>();

  /** Throws when a plugin.mcompat.ruby.* setting is not a number. */
  constructor(opts: WorkerPoolOptions) {
    const settings = poolSettings(opts, availableParallelism());
    this.size = settings.size;
    this.maxQueue = settings.maxQueue;
    this.recycleAfter = settings.recycleAfter;
    this.perAgent = settings.perAgent;
    this.spec = { ruby: settings.ruby, script: WORKER_SCRIPT, config: opts.config, configFile: opts.configFile,
      agents: opts.agents, startTimeoutMs: settings.startTimeoutSec * 1000, log: opts.log ?? (() => undefined) };
  }

  /** Loads every agent in a short-lived worker and reports which can serve (syntax errors, missing libraries, activate_when). */
  async probe(): Promise<AgentProbe> {
    const worker = new RubyWorker(this.spec);
    try {
      const report = await worker.ready;
      this.noteFailures(report);
      return report;
    } finally {
      await worker.stop();
    }
  }

  /** Runs an action in a worker. Never rejects: overruns, a full queue and crashes are statuscode 5 replies. */
  call(c: AgentCall): Promise<RpcReplyBody> {
    if (this.stopped) return Promise.resolve(failure("the Ruby worker pool is stopped"));
    const unservable = this.unservableReply(c.agent);
    if (unservable) return Promise.resolve(unservable);
    if (this.queue.length >= this.maxQueue) return Promise.resolve(failure("busy"));
    return new Promise((resolve) => {
      this.queue.push({ call: c, resolve });
      this.pump();
    });
  }

  /** Answers what is queued with statuscode 5 and stops every worker. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const p of this.queue.splice(0)) p.resolve(failure("the Ruby worker pool is stopped"));
    await Promise.all([...this.all].map((w) => w.stop()));
  }

  /** Live workers and queue length, for logs and tests. */
  stats(): { workers: number; idle: number; queued: number; pids: number[] } {
    return { workers: this.all.size, idle: this.idle.length, queued: this.queue.length,
      pids: [...this.all].map((w) => w.pid).filter((p): p is number => p !== undefined) };
  }

  /** Hands queued requests to idle workers in order, skipping agents at their concurrency limit. */
  private pump(): void {
    for (let i = 0; i < this.queue.length && !this.stopped;) {
      const pending = this.queue[i];
      const unservable = this.unservableReply(pending.call.agent);
      if (unservable) {
        this.queue.splice(i, 1);
        pending.resolve(unservable);
        continue;
      }
      if ((this.running.get(pending.call.agent) ?? 0) >= this.perAgent) { i++; continue; }
      const worker = this.idle.pop();
      if (!worker) {
        if (this.all.size < this.size) this.startWorker();
        return;
      }
      this.queue.splice(i, 1);
      void this.run(worker, pending);
    }
  }

  private startWorker(): void {
    const worker = new RubyWorker(this.spec);
    // A worker counts against the pool size from its start until its process is gone.
    this.all.add(worker);
    void worker.exited.then(() => this.forget(worker));
    worker.ready.then(
      (report) => {
        this.noteFailures(report);
        if (this.stopped) void worker.stop();
        else if (worker.isAlive) this.idle.push(worker);
        this.pump();
      },
      (err: Error) => {
        this.spec.log("error", err.message);
        // With no worker able to start, waiting requests would wait forever.
        if ([...this.all].every((w) => w === worker || !w.isAlive)) {
          for (const p of this.queue.splice(0)) p.resolve(failure(`no Ruby worker could start: ${err.message}`));
        }
      },
    );
  }

  private unservableReply(agent: string): RpcReplyBody | undefined {
    const reason = this.unservable.get(agent);
    return reason === undefined ? undefined : failure(`agent ${agent} cannot be served: ${reason}`);
  }

  private noteFailures(report: ReadyReport): void {
    for (const f of report.failed) {
      if (!this.unservable.has(f.agent)) this.spec.log("warn", `agent ${f.agent} cannot be served: ${f.reason}`);
      this.unservable.set(f.agent, f.reason);
    }
  }

  private async run(worker: RubyWorker, pending: Pending): Promise<void> {
    const { call } = pending;
    const label = `${call.agent}#${call.action}`;
    const timeoutSec = call.timeoutSec > 0 ? call.timeoutSec : DEFAULT_TIMEOUT_SEC;
    this.running.set(call.agent, (this.running.get(call.agent) ?? 0) + 1);
    try {
      const reply = await worker.call({
        agent: call.agent, action: call.action, data: symbolHash(call.data), caller: call.caller,
        requestid: call.requestid, sender: call.sender, collective: call.collective, msgtime: Math.floor(Date.now() / 1000),
      }, timeoutSec * 1000, label);
      pending.resolve({ statuscode: toStatusCode(reply.statuscode), statusmsg: reply.statusmsg, data: reply.data });
    } catch (err) {
      const message = err instanceof WorkerFailure && !err.timedOut ? `${label} failed: ${err.message}` : (err as Error).message;
      this.spec.log(err instanceof WorkerFailure && err.timedOut ? "warn" : "error", message);
      pending.resolve(failure(message));
    } finally {
      this.running.set(call.agent, (this.running.get(call.agent) ?? 1) - 1);
      this.release(worker);
    }
  }

  private release(worker: RubyWorker): void {
    if (worker.isAlive && (worker.served >= this.recycleAfter || this.stopped)) void worker.stop();
    else if (worker.isAlive) this.idle.push(worker);
    this.pump();
  }

  private forget(worker: RubyWorker): void {
    this.all.delete(worker);
    const at = this.idle.indexOf(worker);
    if (at >= 0) this.idle.splice(at, 1);
    if (!this.stopped && this.queue.length > 0) this.pump();
  }
}

function toStatusCode(code: number): RpcReplyBody["statuscode"] {
  return ([0, 1, 2, 3, 4, 5] as const).find((c) => c === code) ?? 5;
}
