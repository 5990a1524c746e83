/** A process's memory from Linux's /proc/<pid>/smaps_rollup: resident, proportional (PSS) and its own (private) pages. */
import { readFileSync } from "node:fs";

export interface ProcessMemory { rssKb: number; pssKb: number; privateKb: number }

/** Undefined when the process is gone or the kernel has no smaps_rollup (not Linux, or before 4.14). */
export function processMemory(pid: number): ProcessMemory | undefined {
  let rollup: string;
  try {
    rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "latin1");
  } catch {
    return undefined;
  }
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(rollup)?.[1] ?? 0);
  return { rssKb: field("Rss"), pssKb: field("Pss"), privateKb: field("Private_Clean") + field("Private_Dirty") };
}
