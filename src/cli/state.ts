/** The quickstart's state folder (git-ignored): certificates, configs, logs and the pids of what `up` started. */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export interface StartedProcess {
  name: string;
  pid: number;
}

/** `$MCOMPAT_STATE`, else `.mcompat/` under the current folder. */
export function stateDir(): string {
  return resolve(process.env.MCOMPAT_STATE ?? join(process.cwd(), ".mcompat"));
}

const pidFile = (dir: string) => join(dir, "pids.json");

export function readStarted(dir = stateDir()): StartedProcess[] {
  return existsSync(pidFile(dir)) ? (JSON.parse(readFileSync(pidFile(dir), "utf8")) as StartedProcess[]) : [];
}

export function recordStarted(entry: StartedProcess, dir = stateDir()): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(pidFile(dir), JSON.stringify([...readStarted(dir), entry], null, 2));
}

export function forgetStarted(dir = stateDir()): void {
  rmSync(pidFile(dir), { force: true });
}

/** True while `pid` runs; signal 0 only checks. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
