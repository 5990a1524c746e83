/** One Ruby worker forked by the RubyParent: one call at a time over its socket, killed on overrun. */
import { encodeFrame, rubySymbol, symbolHash } from "./frames.js";
import { RUBY_LEVELS, type ForkedWorker, type Logger } from "./parent.js";
import { serveRequest, type AppFrame, type AppRequest, type AppServices } from "./requests.js";

/** A reply frame from Ruby, as plain values (`statuscode/statusmsg/data` for calls, `ok/data/error` for data queries). */
export type WorkerReply = Record<string, unknown>;

/** Why a call did not produce a reply. */
export class WorkerFailure extends Error {
  constructor(message: string, readonly timedOut: boolean) {
    super(message);
  }
}

interface Inflight { id: number; resolve: (r: WorkerReply) => void; reject: (e: WorkerFailure) => void; timer: NodeJS.Timeout }

/** For a pool that serves no requests from agents. */
const NOT_SERVED: AppServices = {
  handle: async (request) => {
    throw new Error(`this server does not serve '${request.op}' requests from agents`);
  },
};

/** How long to wait, once a worker's socket closed, for its parent to say how it ended. */
const STATUS_WAIT_MS = 2000;

export class RubyWorker {
  readonly exited: Promise<void>;
  readonly pid: number;
  served = 0;
  /** True when the process died or was killed while running a call (a crash, or an overrun). */
  lostInCall = false;
  private inflight?: Inflight;
  private nextId = 1;
  private factsSent?: Record<string, unknown>;
  private alive = true;
  private retired = false;

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
    else if (typeof frame.op === "string" && this.inflight) void serveRequest(this.requests, frame as AppRequest, (answer) => this.answer(answer));
  }

  /** A frame answering the agent's own request, its keys Strings as the Ruby end reads them. */
  private answer(frame: AppFrame): void {
    if (this.alive && this.proc.socket.writable) this.proc.socket.write(encodeFrame(frame));
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
    const call = this.inflight;
    this.inflight = undefined;
    if (call) {
      this.lostInCall = true;
      clearTimeout(call.timer);
      call.reject(new WorkerFailure(`the Ruby worker running it ${reason}`, false));
    }
  }
}
