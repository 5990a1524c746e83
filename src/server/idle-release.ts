/**
 * After a burst of requests, once the node has been quiet for WINDOW_CHECKS seconds, one full garbage collection
 * gives back the heap V8 grew for it: a node is quiet most of the time, and what a fleet pays is its memory at rest.
 * Quiet is at most QUIET_REQUESTS in that window, not none: monitoring pings, registration and a site's periodic
 * calls never stop, and a trickle needs no burst-sized heap. Only when the heap grew by GROWTH_BYTES since the last
 * collection, so a trickle never pays for one; and only after a long quiet, because the next burst pays to grow the
 * heap again (Node's CPU per request rose ~40 % over the first 3,000 requests of a burst that followed a collection
 * one second after the last). Needs `gc` (bin/mcompat runs node with --expose-gc); without it this does nothing.
 */
import { getHeapStatistics } from "node:v8";

const CHECK_MS = 1000;
/** Checks in the window looked back on: ten seconds. */
const WINDOW_CHECKS = 10;
/** Requests in the window that still count as quiet: ten a second. */
const QUIET_REQUESTS = 100;
const GROWTH_BYTES = 8 * 1024 * 1024;

export class IdleRelease {
  /** Requests between each of the last WINDOW_CHECKS checks, oldest first. */
  private readonly window: number[] = [];
  private sinceCheck = 0;
  private settledHeap: number;
  private readonly timer?: NodeJS.Timeout;

  /** `checkEveryMs` undefined: nothing checks by itself (tests call `check`). */
  constructor(
    private readonly collect: (() => void) | undefined = (globalThis as { gc?: () => void }).gc,
    private readonly heapSize: () => number = () => getHeapStatistics().total_heap_size,
    checkEveryMs: number | undefined = CHECK_MS,
  ) {
    this.settledHeap = heapSize();
    if (this.collect && checkEveryMs !== undefined) this.timer = setInterval(() => this.check(), checkEveryMs).unref();
  }

  /** A request arrived. */
  note(): void {
    this.sinceCheck++;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Collects if the last window was quiet and the heap grew since the last collection. */
  check(): void {
    this.window.push(this.sinceCheck);
    this.sinceCheck = 0;
    if (this.window.length > WINDOW_CHECKS) this.window.shift();
    if (this.window.length < WINDOW_CHECKS) return;
    let requests = 0;
    for (const n of this.window) requests += n;
    if (requests > QUIET_REQUESTS || this.heapSize() < this.settledHeap + GROWTH_BYTES) return;
    this.collect?.();
    this.settledHeap = this.heapSize();
  }
}
