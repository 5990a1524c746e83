/**
 * After a burst of requests, once the node has been idle IDLE_MS, one full garbage collection gives back the heap V8
 * grew for it: a node is idle most of the time, and what a fleet pays is its memory at rest. Only when the heap grew by
 * GROWTH_BYTES since the last collection, so a trickle of requests never pays for one; and only after a long quiet,
 * because the next burst pays to grow the heap again (Node's CPU per request rose ~40 % over the first 3,000 requests
 * of a burst that followed a collection one second after the last). Needs `gc` (bin/mcompat runs node with
 * --expose-gc); without it this does nothing.
 */
import { getHeapStatistics } from "node:v8";

const IDLE_MS = 10_000;
const CHECK_MS = 1000;
const GROWTH_BYTES = 8 * 1024 * 1024;

export class IdleRelease {
  private lastRequest = 0;
  private busy = false;
  private settledHeap: number;
  private readonly timer?: NodeJS.Timeout;

  constructor(
    private readonly collect: (() => void) | undefined = (globalThis as { gc?: () => void }).gc,
    private readonly heapSize: () => number = () => getHeapStatistics().total_heap_size,
    private readonly idleMs = IDLE_MS,
  ) {
    this.settledHeap = heapSize();
    if (this.collect) this.timer = setInterval(() => this.check(), CHECK_MS).unref();
  }

  /** A request arrived. */
  note(): void {
    this.lastRequest = Date.now();
    this.busy = true;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    if (!this.busy || Date.now() - this.lastRequest < this.idleMs) return;
    this.busy = false;
    if (this.heapSize() < this.settledHeap + GROWTH_BYTES) return;
    this.collect?.();
    this.settledHeap = this.heapSize();
  }
}
