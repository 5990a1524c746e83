/** A broker child process with its output in a log file, stopped with SIGTERM (SIGKILL if it lingers). */
import { spawn } from "node:child_process";

export interface BrokerProcess {
  readonly pid: number;
  readonly exited: boolean;
  /** Ends the process (its whole group when detached) and resolves once it is gone. */
  stop(): Promise<void>;
}

export function spawnBroker(
  command: string,
  args: string[],
  opts: { cwd: string; detached?: boolean; out: number; env?: NodeJS.ProcessEnv },
): BrokerProcess {
  // Own process group: stop() reaches helpers the broker starts (RabbitMQ's erl children).
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, detached: true, stdio: ["ignore", opts.out, opts.out] });
  let exited = false;
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void gone.then(() => (exited = true));
  child.once("error", () => (exited = true));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // Already gone.
    }
  };
  // A test run that dies must not leave a broker behind; `mcompat up` detaches on purpose.
  const onExit = () => signal("SIGKILL");
  if (opts.detached) child.unref();
  else process.once("exit", onExit);
  return {
    pid: child.pid!,
    get exited() {
      return exited;
    },
    async stop() {
      process.off("exit", onExit);
      if (exited) return;
      signal("SIGTERM");
      const killer = setTimeout(() => signal("SIGKILL"), 15_000);
      await gone;
      clearTimeout(killer);
    },
  };
}
