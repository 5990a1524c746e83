/** The daemon's request counters, as `rpcutil daemon_stats` reports them. */
import type { DaemonCounters } from "../agents/index.js";

/** Counters for one daemon instance; `count` bumps one, `snapshot` copies them all. */
export class Stats {
  private readonly counters: DaemonCounters = { total: 0, validated: 0, unvalidated: 0, filtered: 0, passed: 0, ttlexpired: 0, replies: 0 };
  readonly startTime: number;

  constructor(startTime: number) {
    this.startTime = startTime;
  }

  count(name: keyof DaemonCounters): void {
    this.counters[name]++;
  }

  snapshot(): DaemonCounters {
    return { ...this.counters };
  }
}
