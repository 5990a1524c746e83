/**
 * One Ruby worker forked by the RubyParent, over its socket: it runs one call at a time, and may hold more queued
 * behind it (sent ahead, so the worker goes from one to the next without sleeping), taken back if the running call
 * turns slow; killed when a running call overruns.
 */
import { encodeFrame, rubySymbol, symbolHash } from "./frames.js";
import { RUBY_LEVELS, type ForkedWorker, type Logger } from "./parent.js";
import { serveRequest, type AppFrame, type AppRequest, type AppServices } from "./requests.js";

/** A reply frame from Ruby, as plain values (`statuscode/statusmsg/data` for calls, `ok/data/error` for data queries). */
export type WorkerReply = Record<string, unknown>;

/** Why a call did not produce a reply; `started` false when it never ran (queued behind a call that failed, or expired). */
export class WorkerFailure extends Error {
  constructor(message: string, readonly timedOut: boolean, readonly started = true) {
    super(message);
  }
}

/** How a job runs: its deadline (epoch ms), its label for messages, what kind of call it is, and who hears it start. */
export interface RunOptions { deadline: number; label: string; kind?: string; onStart?: () => void }

interface Call extends RunOptions {
  id: number; resolve: (r: WorkerReply) => void; reject: (e: WorkerFailure) => void; timer?: NodeJS.Timeout; startedAt?: number;
}

/** For a pool that serves no requests from agents. */
const NOT_SERVED: AppServices = {
  handle: async (request) => {
    throw new Error(`this server does not serve '${request.op}' requests from agents`);
  },
};

/** How long to wait, once a worker's socket closed, for its parent to say how it ended. */
const STATUS_WAIT_MS = 2000;
/** A queued call that reaches the front past its deadline is skipped by Ruby; this long is left for that answer. */
const EXPIRED_ANSWER_MS = 2000;
/**
 * Calls held behind one still running this long after it started are taken back, to run elsewhere: the pool sends
 * calls ahead only behind calls of a kind that has lately run in under 20 ms, so this one is stuck or unusual.
 */
const TAKE_BACK_AFTER_MS = 200;

export class RubyWorker {
  readonly exited: Promise<void>;
  readonly pid: number;
  served = 0;
  /** True when the process died or was killed while running a call (a crash, or an overrun). */
  lostInCall = false;
  /** The running call first, then those queued behind it. */
  private calls: Call[] = [];
  private nextId = 1;
  private factsSent?: Record<string, unknown>;
  private alive = true;
  private retired = false;
  /** Set while calls are held behind the running one: when to take them back. */
  private takeBackTimer?: NodeJS.Timeout;

  constructor(
    private readonly proc: ForkedWorker,
    private readonly log: Logger,
    private readonly facts?: () => Record<string, unknown>,
    /** Answers the requests an agent makes mid-action (rpcclient); they come in frames with an `op`. */
    private readonly requests: AppServices = NOT_SERVED,
  ) {
    this.pid = proc.pid;
    this.exited = new Promise((resolve) => proc.socket.once("close", () => {
      const unknown = new Promise<string>((r) => setTimeout(() => r("closed its connection"), STATUS_WAIT_MS).unref());
      void Promise.race([proc.ended, unknown]).then((reason) => { this.died(reason); resolve(); });
    }));
    for (const frame of proc.early) this.onFrame(frame as Record<string, unknown>);
    proc.socket.on("data", (chunk: Buffer) => {
      try {
        for (const frame of proc.reader.push(chunk)) this.onFrame(frame as Record<string, unknown>);
      } catch (err) {
        this.log("error", `ruby[${this.pid}] sent an unreadable frame (${(err as Error).message}); stopping it`);
        this.kill();
      }
    });
  }

  /** False once the process exited or was told to go. */
  get isAlive(): boolean {
    return this.alive && !this.retired;
  }

  /** Calls sent and not answered: 0 when idle, else the running one and those queued behind it. */
  get pending(): number {
    return this.calls.length;
  }

  /** What kind of call runs and when it started, if one runs. */
  get running(): { kind: string; startedAt: number } | undefined {
    const head = this.calls[0];
    return head?.startedAt === undefined ? undefined : { kind: head.kind ?? head.label, startedAt: head.startedAt };
  }

  /**
   * Sends one job frame (op :call or :data) to run once the call before it is answered; `onStart` hears when it
   * starts. Rejects with WorkerFailure when it overruns its deadline once running (the worker is then killed), or
   * when the worker dies; `started` false says it never ran. Ruby skips it if it would start past its deadline.
   */
  run(op: "call" | "data", fields: Record<string, unknown>, opts: RunOptions): Promise<WorkerReply> {
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      if (!this.isAlive) {
        reject(new WorkerFailure("the Ruby worker for it had already stopped", false, false));
        return;
      }
      this.calls.push({ ...opts, id, resolve, reject });
      this.send({ op: rubySymbol(op), id, ...fields, expires: opts.deadline, facts: this.factsIfChanged() });
      if (this.calls.length === 1) this.start(this.calls[0]);
      else if (this.calls.length === 2) this.watchRunning();
    });
  }

  /** The call at the front has started in Ruby: from now its deadline kills the worker. */
  private start(call: Call): void {
    const now = Date.now();
    call.startedAt = now;
    // Past its deadline Ruby answers at once without running it; only a call Ruby did start can overrun.
    const left = call.deadline > now ? call.deadline - now : EXPIRED_ANSWER_MS;
    call.timer = setTimeout(() => this.overran(call), left);
    call.onStart?.();
  }

  /** While calls are held behind the running one, takes them back if it is still running TAKE_BACK_AFTER_MS after it started. */
  private watchRunning(): void {
    clearTimeout(this.takeBackTimer);
    const running = this.calls[0];
    if (this.calls.length < 2 || running?.startedAt === undefined) return;
    // SIGURG, whose default is to be ignored: the worker drops the calls it holds and says which (Frames#drop_held_calls_on).
    this.takeBackTimer = setTimeout(() => {
      if (this.calls[0] === running && this.calls.length > 1) this.signal("SIGURG");
    }, Math.max(running.startedAt + TAKE_BACK_AFTER_MS - Date.now(), 0));
  }

  /**
   * Ruby dropped these held calls before starting them: they never ran, and the pool runs them elsewhere. One may be
   * at the front here already (the reply before it came first), so Ruby's word decides, not the order.
   */
  private takenBack(ids: number[]): void {
    // A dropped call frame may have carried new facts this worker then never read.
    this.factsSent = undefined;
    for (const id of ids) {
      const at = this.calls.findIndex((call) => call.id === id);
      if (at < 0) continue;
      const [call] = this.calls.splice(at, 1);
      clearTimeout(call.timer);
      if (at === 0 && this.calls.length > 0) this.start(this.calls[0]);
      call.reject(new WorkerFailure(`${call.label} was taken back from a worker busy with a slow call`, false, false));
    }
    this.watchRunning();
  }

  private overran(call: Call): void {
    if (this.calls[0] !== call) return;
    clearTimeout(this.takeBackTimer);
    this.lostInCall = true;
    const queued = this.calls.slice(1);
    this.calls = [];
    call.reject(new WorkerFailure(`${call.label} timed out`, true));
    for (const next of queued) next.reject(new WorkerFailure(`the Ruby worker it waited for was killed: ${call.label} overran`, false, false));
    this.kill();
  }

  /** Asks the worker to finish and exit; kills it if it has not gone after graceMs. */
  async stop(graceMs = 2000): Promise<void> {
    this.send({ op: rubySymbol("stop") });
    this.retired = true;
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** SIGKILL to the worker's whole process group (it leads its own), so the commands it started go too. */
  kill(): void {
    this.retired = true;
    if (!this.alive) return;
    try {
      process.kill(-this.pid, "SIGKILL");
    } catch {
      this.proc.socket.destroy();
    }
  }

  private signal(name: NodeJS.Signals): void {
    try {
      if (this.alive) process.kill(this.pid, name);
    } catch {
      // Gone: its socket's close says so.
    }
  }

  /** The facts when they are not the ones this worker has (fact sources keep one object until they re-read). */
  private factsIfChanged(): Record<string, unknown> | undefined {
    const facts = this.facts?.();
    if (facts === this.factsSent) return undefined;
    this.factsSent = facts;
    return facts;
  }

  private send(frame: Record<string, unknown>): void {
    if (this.isAlive && this.proc.socket.writable) this.proc.socket.write(encodeFrame(symbolHash(frame)));
  }

  private onFrame(frame: Record<string, unknown>): void {
    if (frame.type === "log") this.log(RUBY_LEVELS[String(frame.level)] ?? "info", `ruby[${this.pid}] ${String(frame.message)}`);
    else if (frame.type === "reply") this.settle(frame);
    else if (frame.type === "recalled" && Array.isArray(frame.ids)) this.takenBack(frame.ids as number[]);
    else if (typeof frame.op === "string" && this.calls.length > 0) void serveRequest(this.requests, frame as AppRequest, (answer) => this.answer(answer));
  }

  /** A frame answering the agent's own request, its keys Strings as the Ruby end reads them. */
  private answer(frame: AppFrame): void {
    if (this.alive && this.proc.socket.writable) this.proc.socket.write(encodeFrame(frame));
  }

  private settle(frame: Record<string, unknown>): void {
    const call = this.calls[0];
    if (!call || call.id !== frame.id) return;
    this.calls.shift();
    clearTimeout(call.timer);
    // The next call starts in Ruby as this reply leaves it.
    if (this.calls.length > 0) this.start(this.calls[0]);
    this.watchRunning();
    if (frame.expired === true) {
      call.reject(new WorkerFailure(`${call.label} expired before it could start`, true, false));
      return;
    }
    this.served++;
    call.resolve(frame);
  }

  private died(reason: string): void {
    if (!this.alive) return;
    this.alive = false;
    clearTimeout(this.takeBackTimer);
    const [running, ...queued] = this.calls;
    this.calls = [];
    if (running) {
      this.lostInCall = true;
      clearTimeout(running.timer);
      running.reject(new WorkerFailure(`the Ruby worker running it ${reason}`, false));
    }
    for (const call of queued) call.reject(new WorkerFailure(`the Ruby worker it waited for ${reason}`, false, false));
  }
}
