/** Memory of a process and its descendants from /proc: resident (RSS), proportional (PSS) and private (USS) sizes. */
import { readdirSync, readFileSync } from "node:fs";
import { processMemory } from "../src/shim/memory.js";

export interface Memory { processes: number; rssMb: number; pssMb: number; ussMb: number }

/** The fields of /proc/<pid>/stat after the command name (state first), which may hold spaces and parentheses. */
export function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** `root` and every process below it. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(statFields(Number(entry))[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone since the directory was read.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
  return tree;
}

/** Summed over `pids`: PSS is what a machine pays for them, pages shared with other processes split among the sharers. */
export function memoryOf(pids: number[]): Memory {
  const kb = { rss: 0, pss: 0, uss: 0 };
  for (const pid of pids) {
    const m = processMemory(pid);
    if (m === undefined) throw new Error(`no memory figures for process ${pid}: gone, or no /proc/${pid}/smaps_rollup`);
    kb.rss += m.rssKb;
    kb.pss += m.pssKb;
    kb.uss += m.privateKb;
  }
  return { processes: pids.length, rssMb: kb.rss / 1024, pssMb: kb.pss / 1024, ussMb: kb.uss / 1024 };
}

export function describeMemory(m: Memory): string {
  return `PSS ${m.pssMb.toFixed(0)} MB (private ${m.ussMb.toFixed(0)} MB, resident ${m.rssMb.toFixed(0)} MB) in ${m.processes} processes`;
}

/** One process's sizes and the start of its command line, to tell a Ruby parent from its workers. */
export function describeProcess(pid: number): string {
  const m = memoryOf([pid]);
  const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").slice(0, 60);
  return `${pid} PSS ${m.pssMb.toFixed(1)} MB, private ${m.ussMb.toFixed(1)} MB, resident ${m.rssMb.toFixed(1)} MB: ${command}`;
}
