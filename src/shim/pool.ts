/**
 * A pool of Ruby workers forked from one preloaded parent: lazy start, bounded queue, per-agent limits, calls sent
 * ahead to busy workers, timeouts, recycling.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../package-root.js";
import type { RpcReplyBody } from "../protocol/index.js";
import { symbolHash } from "./frames.js";
import { processMemory } from "./memory.js";
import { POOL_KEYS, poolSettings } from "./settings.js";
import { ParentExited, RubyParent, WorkerStartTimeout, type AgentFiles, type Logger, type ReadyReport, type WorkerSpec } from "./parent.js";
import { RubyWorker, WorkerFailure, type WorkerReply } from "./worker.js";
import type { AppServices } from "./requests.js";

/** One request for a Ruby agent, already validated against its DDL by the server. */
export interface AgentCall {
  agent: string; action: string; data: Record<string, unknown>; caller: string;
  requestid: string; sender: string; collective: string; timeoutSec: number;
}

/** Which agents can serve in Ruby, why the others cannot, and the Ruby data plugins (`package`, `puppet`, ...) that activated. */
export interface AgentProbe { loaded: AgentFiles[]; failed: Array<{ agent: string; reason: string }>; dataPlugins: string[] }

/**
 * Options; each number falls back to its plugin.mcompat.ruby.* key in `config` (POOL_KEYS), then to its default:
 * size = twice the cores (at least 4), maxQueue 100 (beyond it a call is answered "busy"), recycleAfter 10,000 requests,
 * maxMemoryMb 256 (a worker holding more of its own pages is replaced; checked at most once a second), perAgent =
 * size - 1 (most workers one agent holds while others wait), startTimeoutSec 60, ruby "ruby" on PATH, preload
 * ["puppet", "puppet_settings"] (what the parent loads before forking, when installed), idleTimeoutSec 10 (a
 * worker idle that long is stopped, all but one).
 */
export interface WorkerPoolOptions {
  configFile?: string;
  /** Raw key = value settings, plugin.* and plugin.d included. */
  config: Record<string, string>;
  agents: AgentFiles[];
  size?: number;
  maxQueue?: number;
  recycleAfter?: number;
  maxMemoryMb?: number;
  perAgent?: number;
  startTimeoutSec?: number;
  ruby?: string;
  preload?: string[];
  idleTimeoutSec?: number;
  log?: Logger;
  /** The server's facts (what its filters see), which agents read as MCollective::Facts; none when absent. */
  facts?: () => Record<string, unknown>;
  /** Serves what an agent asks of the server mid-action (its rpcclient calls); without it, such a request fails in Ruby. */
  requests?: AppServices;
}

type JobResult = { frame: WorkerReply } | { error: string };

/**
 * One unit of work for a worker; `key` is what per-agent limits count (the agent, or `data:<plugin>`), `kind` what
 * its duration is learnt by (`agent#action`, or the key).
 */
interface Job {
  key: string; kind: string; op: "call" | "data"; fields: Record<string, unknown>; label: string; timeoutSec: number;
  resolve: (result: JobResult) => void;
}

/**
 * A job waiting for a worker: its timeout (the default when the DDL gives none) runs from when it was queued, so a
 * late start never outlives the caller.
 */
interface QueuedJob extends Job {
  /** Its place in the order jobs arrived in. */
  arrival: number;
  deadline: number;
  expiry: NodeJS.Timeout;
}

const WORKER_SCRIPT = join(PACKAGE_ROOT, "compat", "bin", "mcompat-worker");
const DEFAULT_TIMEOUT_SEC = 10;
/** Reading a worker's memory costs ~0.3 ms (Puppet loaded), so each worker's is read at most this often. */
const MEMORY_CHECK_MS = 1000;
/**
 * A job may be sent ahead to a busy worker, to run without the worker sleeping in between, only behind a call of its
 * own kind that has run less than this, and only while the calls it would wait behind should end within this.
 */
const FAST_CALL_MS = 20;
/** At most this many calls wait in one worker behind the running one: enough that a worker rarely sleeps. */
const MAX_AHEAD = 15;
/**
 * While a worker is idle (or one could be forked), a job still goes behind a busy worker of its kind if all it would
 * wait behind should end within this: going from call to call costs a worker and Node less CPU than waking another
 * (docs/BENCHMARKS.md: ~18 % less per `puppet status` at 10 in flight; 2 ms saved half that, 20 ms no more).
 */
const SPARE_WORKER_AHEAD_MS = 5;

function failure(statusmsg: string): RpcReplyBody {
  return { statuscode: 5, statusmsg, data: {} };
}

/** Runs Ruby agent actions and data plugins in workers forked from one preloaded parent; see docs/ARCHITECTURE.md for the scheduling rules. */
export class WorkerPool {
  private readonly size: number;
  private readonly maxQueue: number;
  private readonly recycleAfter: number;
  private readonly maxMemoryKb: number;
  /** When each worker's memory was last read (first: when it started). */
  private readonly memoryCheckedAt = new WeakMap<RubyWorker, number>();
  private readonly perAgent: number;
  private spec: WorkerSpec;
  private readonly requests?: AppServices;
  private parent?: RubyParent;
  /** Free workers, the longest idle first. */
  private readonly idle: RubyWorker[] = [];
  private readonly idleSince = new WeakMap<RubyWorker, number>();
  private readonly idleTimeoutMs: number;
  private reaper?: NodeJS.Timeout;
  private readonly all = new Set<RubyWorker>();
  /** Forks asked for and not yet connected. */
  private starting = 0;
  private readonly queue: QueuedJob[] = [];
  private readonly running = new Map<string, number>();
  /** How long each kind of call has lately taken to run, in ms (a moving average). */
  private readonly callMs = new Map<string, number>();
  /** Workers found due for retirement, which take no job sent ahead and are stopped once free. */
  private readonly retiring = new WeakSet<RubyWorker>();
  /** Jobs queued since the start. */
  private arrivals = 0;
  /** Jobs sent ahead to a busy worker, since the start. */
  private sentAhead = 0;
  private stopped = false;
  /** Agents a worker could not load, with the reason (from every parent's ready report). */
  private readonly unservable = new Map<string, string>();
  /** Agents left out because loading them blocked past the start deadline. */
  private readonly blocked: Array<{ agent: string; reason: string }> = [];

  /** Throws when a plugin.mcompat.ruby.* setting is not a number. */
  constructor(opts: WorkerPoolOptions) {
    const settings = poolSettings(opts, availableParallelism());
    this.size = settings.size;
    this.maxQueue = settings.maxQueue;
    this.recycleAfter = settings.recycleAfter;
    this.maxMemoryKb = settings.maxMemoryMb * 1024;
    this.perAgent = settings.perAgent;
    this.idleTimeoutMs = settings.idleTimeoutSec * 1000;
    this.spec = { ruby: settings.ruby, script: WORKER_SCRIPT, config: opts.config, configFile: opts.configFile, preload: settings.preload,
      agents: opts.agents, startTimeoutMs: settings.startTimeoutSec * 1000, log: opts.log ?? (() => undefined), facts: opts.facts };
    this.requests = opts.requests;
  }

  /**
   * Starts the Ruby parent, which loads every agent, and reports which can serve (syntax errors, missing libraries,
   * activate_when) once it can fork, so the first call after a probe waits for no preload. An agent that blocks while
   * loading is left out and a new parent loads the rest without it.
   */
  async probe(): Promise<AgentProbe> {
    for (;;) {
      try {
        const parent = this.currentParent();
        const report = await parent.ready;
        await parent.forkable();
        return { ...report, failed: [...report.failed, ...this.blocked] };
      } catch (err) {
        if (!this.leaveOutBlocking(err)) throw err;
      }
    }
  }

  /** The live parent, or a new one loading the agents of the current spec. */
  private currentParent(): RubyParent {
    if (!this.parent?.isAlive) {
      this.parent = new RubyParent(this.spec);
      this.parent.ready.then((report) => this.noteFailures(report), () => undefined);
    }
    return this.parent;
  }

  /** After a start timeout that names the agent being loaded, serve the others without it; false if none was named. */
  private leaveOutBlocking(err: unknown): boolean {
    if (!(err instanceof WorkerStartTimeout) || err.agent === undefined) return false;
    // Every fork waiting on that parent fails with the same timeout; leave the agent out once.
    if (!this.spec.agents.some((a) => a.agent === err.agent)) return true;
    const failure = { agent: err.agent, reason: `blocked for more than ${this.spec.startTimeoutMs / 1000}s while loading` };
    this.blocked.push(failure);
    this.noteFailures({ loaded: [], failed: [failure], dataPlugins: [] });
    this.spec = { ...this.spec, agents: this.spec.agents.filter((a) => a.agent !== err.agent) };
    // The timed-out parent is being killed; the next one loads the new spec.
    this.parent = undefined;
    return true;
  }

  /** Runs an action in a worker. Never rejects: overruns, a full queue and crashes are statuscode 5 replies. */
  async call(c: AgentCall): Promise<RpcReplyBody> {
    const label = `${c.agent}#${c.action}`;
    const result = await this.enqueue({ key: c.agent, kind: label, op: "call", label, timeoutSec: c.timeoutSec,
      fields: { agent: c.agent, action: c.action, data: symbolHash(c.data), caller: c.caller, requestid: c.requestid,
        sender: c.sender, collective: c.collective, msgtime: Math.floor(Date.now() / 1000) } });
    if ("error" in result) return failure(result.error);
    const { statuscode, statusmsg, data } = result.frame;
    return { statuscode: toStatusCode(Number(statuscode)), statusmsg: String(statusmsg), data: (data ?? {}) as Record<string, unknown> };
  }

  /**
   * Asks a Ruby data plugin (`package('bash')` in a -S filter) for its result; undefined, with the reason logged,
   * when the plugin is unknown, fails or overruns timeoutSec. Never rejects.
   */
  async queryData(plugin: string, query: string | null, timeoutSec = 10): Promise<Record<string, unknown> | undefined> {
    const label = `data plugin ${plugin}(${query ?? ""})`;
    const result = await this.enqueue({ key: `data:${plugin}`, kind: `data:${plugin}`, op: "data", label, timeoutSec, fields: { plugin, query } });
    const error = "error" in result ? result.error : result.frame.ok === true ? undefined : String(result.frame.error);
    if (error !== undefined) {
      this.spec.log("warn", `${label} gave no result: ${error}`);
      return undefined;
    }
    return ("frame" in result ? result.frame.data : undefined) as Record<string, unknown>;
  }

  /** Answers what is queued with statuscode 5 and stops every worker and the parent. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.reaper);
    for (const job of this.dequeueAll()) job.resolve({ error: "the Ruby worker pool is stopped" });
    await Promise.all([...[...this.all].map((w) => w.stop()), this.parent?.stop()]);
  }

  /** Live workers, the parent, the queue and how many jobs were sent ahead to busy workers, for logs, benchmarks and tests. */
  stats(): { workers: number; idle: number; queued: number; sentAhead: number; pids: number[]; parent?: number } {
    const parent = this.parent?.isAlive ? this.parent.pid : undefined;
    return { workers: this.all.size, idle: this.idle.length, queued: this.queue.length, sentAhead: this.sentAhead, pids: [...this.all].map((w) => w.pid),
      ...(parent === undefined ? {} : { parent }) };
  }

  private enqueue(job: Omit<Job, "resolve">): Promise<JobResult> {
    if (this.stopped) return Promise.resolve({ error: "the Ruby worker pool is stopped" });
    const unservable = this.unservable.get(job.key);
    if (unservable !== undefined) return Promise.resolve({ error: `agent ${job.key} cannot be served: ${unservable}` });
    if (this.queue.length >= this.maxQueue) return Promise.resolve({ error: "busy" });
    return new Promise((resolve) => {
      const timeoutSec = job.timeoutSec > 0 ? job.timeoutSec : DEFAULT_TIMEOUT_SEC;
      const queued: QueuedJob = { ...job, timeoutSec, resolve, arrival: this.arrivals++, deadline: Date.now() + timeoutSec * 1000, expiry: setTimeout(() => this.expire(queued), timeoutSec * 1000) };
      this.queue.push(queued);
      this.pump();
    });
  }

  /** Answers a job whose whole timeout passed in the queue, without running it: its caller has stopped waiting. */
  private expire(job: QueuedJob): void {
    const at = this.queue.indexOf(job);
    if (at < 0) return;
    clearTimeout(this.queue.splice(at, 1)[0].expiry);
    const message = `${job.label} timed out after ${job.timeoutSec}s waiting for a free Ruby worker`;
    this.spec.log("warn", message);
    job.resolve({ error: message });
  }

  /**
   * Hands queued jobs to idle workers and forks what is missing. Agents below their per-agent limit go first, in
   * order; only while none of them waits may an agent at its limit borrow what is idle, up to the pool size. A job
   * that arrives while borrowers hold the workers gets a worker beyond the size, which goes when it finishes.
   */
  private pump(): void {
    if (this.stopped) return;
    this.dropUnrunnable();
    const waiting = this.dispatch((job) => (this.running.get(job.key) ?? 0) < this.perAgent);
    const wanted = waiting > 0 ? waiting : this.dispatch(() => true);
    const ceiling = waiting > 0 ? this.size + this.borrowed() : this.size;
    const forks = Math.min(wanted - this.starting, ceiling - this.liveWorkers() - this.starting);
    for (let n = 0; n < forks; n++) this.startWorker();
  }

  /**
   * Gives the queued jobs `eligible` accepts a worker each, in order: behind a busy worker of their kind that can take
   * one (aheadOf; within SPARE_WORKER_AHEAD_MS while a worker is spare, else FAST_CALL_MS), else an idle one. Returns
   * how many of those jobs still wait, counted up to `size + borrowed()` once no worker can take one: pump forks no
   * more than that, and a full queue is not walked.
   */
  private dispatch(eligible: (job: QueuedJob) => boolean): number {
    let waiting = 0;
    // Found once per pass.
    let busy: RubyWorker[] | undefined;
    for (let i = 0; i < this.queue.length;) {
      if (this.idle.length === 0 && busy?.length === 0 && waiting >= this.size && waiting >= this.size + this.borrowed()) break;
      const job = this.queue[i];
      if (!eligible(job)) {
        i++;
        continue;
      }
      busy ??= this.aheadOf();
      const spare = this.idle.length > 0 || this.liveWorkers() + this.starting < this.size;
      // An idle worker is the most recently used one: its pages are warm, and the others can idle long enough to retire.
      const worker = this.behindBusy(busy, job, spare ? SPARE_WORKER_AHEAD_MS : FAST_CALL_MS) ?? this.idle.pop();
      if (!worker) {
        waiting++;
        i++;
        // Never past a job left waiting: it gets the next worker that empties, however fast the others stream in.
        busy = [];
        continue;
      }
      clearTimeout(this.queue.splice(i, 1)[0].expiry);
      void this.run(worker, job);
    }
    return waiting;
  }

  /**
   * Busy workers a job of the same kind may be sent ahead to, saving the worker a sleep and a wake-up per call: behind
   * a running call of under FAST_CALL_MS, on a worker not due to retire and with room (hasRoomAhead). If the worker
   * dies or overruns first, the jobs it held go back to the queue.
   */
  private aheadOf(): RubyWorker[] {
    const now = Date.now();
    const found: RubyWorker[] = [];
    for (const worker of this.all) {
      const running = worker.running;
      if (!worker.isAlive || running === undefined || now - running.startedAt >= FAST_CALL_MS) continue;
      if (this.hasRoomAhead(worker) && !this.dueToRetire(worker)) found.push(worker);
    }
    return found;
  }

  /**
   * The worker among `busy` whose call of `job`'s kind has run under `boundMs` and that can hold one more job within
   * it (hasRoomAhead): with a worker spare, a call held behind one that turns slow waits for the take-back only if it
   * came within the first 5 ms.
   */
  private behindBusy(busy: RubyWorker[], job: QueuedJob, boundMs: number): RubyWorker | undefined {
    const now = Date.now();
    const worker = busy.find((w) => {
      const running = w.running;
      return running?.kind === job.kind && now - running.startedAt < boundMs && this.hasRoomAhead(w, boundMs);
    });
    if (worker) this.sentAhead++;
    return worker;
  }

  /**
   * True when a busy worker could take one more job: fewer than MAX_AHEAD waiting, and its calls, at what their kind
   * has lately taken, ending within `boundMs`.
   */
  private hasRoomAhead(worker: RubyWorker, boundMs = FAST_CALL_MS): boolean {
    const held = worker.pending;
    const kind = worker.running?.kind;
    const callMs = kind === undefined ? undefined : this.callMs.get(kind);
    return held <= MAX_AHEAD && callMs !== undefined && held * callMs < boundMs;
  }

  /** Answers queued jobs that can no longer run: past their deadline, or for an agent found unservable meanwhile. */
  private dropUnrunnable(): void {
    // Runs on every enqueue and release, over a queue of up to maxQueue jobs: no copy, one clock read.
    const now = Date.now();
    const anyUnservable = this.unservable.size > 0;
    for (let i = 0; i < this.queue.length;) {
      const job = this.queue[i];
      // Its expiry timer may not have had its turn yet; a worker must not be spent (and killed) on it.
      if (job.deadline <= now) {
        this.expire(job);
        continue;
      }
      const unservable = anyUnservable ? this.unservable.get(job.key) : undefined;
      if (unservable === undefined) {
        i++;
        continue;
      }
      clearTimeout(this.queue.splice(i, 1)[0].expiry);
      job.resolve({ error: `agent ${job.key} cannot be served: ${unservable}` });
    }
  }

  /** Workers held beyond the per-agent limit, borrowed while nothing else waited. */
  private borrowed(): number {
    let count = 0;
    for (const held of this.running.values()) count += Math.max(0, held - this.perAgent);
    return count;
  }

  private liveWorkers(): number {
    let count = 0;
    for (const worker of this.all) if (worker.isAlive) count++;
    return count;
  }

  private startWorker(): void {
    this.starting++;
    this.currentParent().fork().then(
      (forked) => {
        this.starting--;
        const worker = new RubyWorker(forked, this.spec.log, this.spec.facts, this.requests);
        this.memoryCheckedAt.set(worker, Date.now());
        // A worker counts against the pool size until its process is gone.
        this.all.add(worker);
        void worker.exited.then(() => this.forget(worker));
        if (this.stopped) void worker.stop();
        else this.park(worker);
        this.pump();
      },
      (err: Error) => {
        this.starting--;
        this.spec.log("error", err.message);
        // A parent lost after it was ready is replaced by the next fork; one that cannot start fails the queue below.
        if (err instanceof ParentExited || this.leaveOutBlocking(err)) return this.pump();
        // With no worker able to start, waiting requests would wait forever.
        if (this.starting === 0 && this.liveWorkers() === 0) {
          for (const job of this.dequeueAll()) job.resolve({ error: `no Ruby worker could start: ${err.message}` });
        }
      },
    );
  }

  private noteFailures(report: ReadyReport): void {
    for (const f of report.failed) {
      if (!this.unservable.has(f.agent)) this.spec.log("warn", `agent ${f.agent} cannot be served: ${f.reason}`);
      this.unservable.set(f.agent, f.reason);
    }
  }

  /** Empties the queue, stopping each job's expiry timer. */
  private dequeueAll(): QueuedJob[] {
    const jobs = this.queue.splice(0);
    for (const job of jobs) clearTimeout(job.expiry);
    return jobs;
  }

  private async run(worker: RubyWorker, job: QueuedJob): Promise<void> {
    let startedAt: number | undefined;
    // False for a call that reached Ruby past its deadline and was skipped: it taught nothing about its kind.
    let ran = true;
    const onStart = () => {
      startedAt = Date.now();
      this.running.set(job.key, (this.running.get(job.key) ?? 0) + 1);
    };
    try {
      job.resolve({ frame: await worker.run(job.op, job.fields, { deadline: job.deadline, label: job.label, kind: job.kind, onStart }) });
    } catch (err) {
      if (err instanceof WorkerFailure && !err.started) {
        ran = false;
        return this.requeue(job);
      }
      const timedOut = err instanceof WorkerFailure && err.timedOut;
      // The worker was given what was left of the timeout after queueing; the caller knows the whole of it.
      const message = timedOut ? `${job.label} timed out after ${job.timeoutSec}s` : `${job.label} failed: ${(err as Error).message}`;
      this.spec.log(timedOut ? "warn" : "error", message);
      job.resolve({ error: message });
    } finally {
      if (startedAt !== undefined) {
        this.running.set(job.key, (this.running.get(job.key) ?? 1) - 1);
        if (ran) this.learn(job.kind, Date.now() - startedAt);
      }
      // A worker with a job sent ahead is still busy: it runs that one now.
      if (worker.pending === 0 && !this.idle.includes(worker)) this.release(worker);
      else this.pump();
    }
  }

  /**
   * Back in the queue where it arrived, before every later job, with what is left of its timeout: a job that never
   * ran (its worker was lost first). The jobs a lost worker held come back one by one, and keep their order.
   */
  private requeue(job: QueuedJob): void {
    if (this.stopped) return job.resolve({ error: "the Ruby worker pool is stopped" });
    job.expiry = setTimeout(() => this.expire(job), Math.max(job.deadline - Date.now(), 0));
    const later = this.queue.findIndex((queued) => queued.arrival > job.arrival);
    this.queue.splice(later < 0 ? this.queue.length : later, 0, job);
  }

  /** Folds one call's run time into its kind's moving average. */
  private learn(kind: string, ms: number): void {
    const before = this.callMs.get(kind);
    this.callMs.set(kind, before === undefined ? ms : before * 0.8 + ms * 0.2);
  }

  private release(worker: RubyWorker): void {
    // Past the pool size only while borrowed: a surplus worker goes as soon as it is free.
    const surplus = this.liveWorkers() > this.size;
    if (worker.isAlive && (this.stopped || surplus || this.dueToRetire(worker))) void worker.stop();
    else if (worker.isAlive) this.park(worker);
    this.pump();
  }

  /** True once a worker has served recycleAfter requests or outgrown its memory limit; it stays due from then on. */
  private dueToRetire(worker: RubyWorker): boolean {
    if (this.retiring.has(worker)) return true;
    if (worker.served < this.recycleAfter && !this.outgrown(worker)) return false;
    this.retiring.add(worker);
    return true;
  }

  /** True, with a log line, when a worker holds more of its own memory than allowed (an agent that leaks). */
  private outgrown(worker: RubyWorker): boolean {
    const now = Date.now();
    if (now - (this.memoryCheckedAt.get(worker) ?? 0) < MEMORY_CHECK_MS) return false;
    this.memoryCheckedAt.set(worker, now);
    const ownKb = processMemory(worker.pid)?.privateKb ?? 0;
    if (ownKb <= this.maxMemoryKb) return false;
    this.spec.log("info", `ruby[${worker.pid}] holds ${Math.round(ownKb / 1024)} MB of its own memory, more than ${POOL_KEYS.maxMemoryMb} ` +
      `(${this.maxMemoryKb / 1024} MB): replacing it after ${worker.served} requests`);
    return true;
  }

  private park(worker: RubyWorker): void {
    this.idleSince.set(worker, Date.now());
    this.idle.push(worker);
    this.reaper ??= setInterval(() => this.retireIdle(), Math.min(Math.max(this.idleTimeoutMs / 2, 100), 1000)).unref();
  }

  /** Stops workers idle past the idle timeout but one, which stays ready: forking another takes milliseconds. */
  private retireIdle(): void {
    const cutoff = Date.now() - this.idleTimeoutMs;
    while (this.idle.length > 1 && (this.idleSince.get(this.idle[0]) ?? 0) <= cutoff) void this.idle.shift()!.stop();
  }

  private forget(worker: RubyWorker): void {
    this.all.delete(worker);
    const at = this.idle.indexOf(worker);
    if (at >= 0) this.idle.splice(at, 1);
    if (this.stopped) return;
    // Replaced now, not on the next call, so that call finds a worker ready. Only workers lost in a call: one
    // that keeps dying while idle would otherwise be replaced in a loop.
    if (worker.lostInCall && this.liveWorkers() + this.starting < this.size) this.startWorker();
    else if (this.queue.length > 0) this.pump();
  }
}

function toStatusCode(code: number): RpcReplyBody["statuscode"] {
  return ([0, 1, 2, 3, 4, 5] as const).find((c) => c === code) ?? 5;
}
