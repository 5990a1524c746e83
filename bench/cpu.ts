/** CPU time spent by processes, from /proc: where a request's cost goes when client, broker and daemon share the cores. */
import { execFileSync } from "node:child_process";
import { statFields } from "./memory.js";

const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));

/**
 * User and system time of `pids` in milliseconds, by default with what their waited-for children spent (a worker's
 * commands); `own` leaves those out.
 */
export function cpuMsOf(pids: number[], own = false): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // utime, stime, cutime and cstime: fields 14-17 of the file.
      ticks += statFields(pid).slice(11, own ? 13 : 15).reduce((sum, field) => sum + Number(field), 0);
    } catch {
      // Gone since it was listed.
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}
