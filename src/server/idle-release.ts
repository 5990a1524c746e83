/**
 * After a burst of requests, once a second passes with none, one full garbage collection gives back the heap V8 grew
 * for it: a node is idle most of the time, and V8 alone kept 20-30 MB more for minutes after a burst. Only when the
 * heap grew by GROWTH_BYTES since the last collection, so a trickle of requests never pays for one. Needs `gc`
 * (bin/mcompat runs node with --expose-gc); without it this does nothing.
 */
import { getHeapStatistics } from "node:v8";

const IDLE_MS = 1000;
const GROWTH_BYTES = 8 * 1024 * 1024;

export class IdleRelease {
  private lastRequest = 0;
  private busy = false;
  private settledHeap: number;
  private readonly timer?: NodeJS.Timeout;

  constructor(
    private readonly collect: (() => void) | undefined = (globalThis as { gc?: () => void }).gc,
    private readonly heapSize: () => number = () => getHeapStatistics().total_heap_size,
  ) {
    this.settledHeap = heapSize();
    if (this.collect) this.timer = setInterval(() => this.check(), IDLE_MS).unref();
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
    if (!this.busy || Date.now() - this.lastRequest < IDLE_MS) return;
    this.busy = false;
    if (this.heapSize() < this.settledHeap + GROWTH_BYTES) return;
    this.collect?.();
    this.settledHeap = this.heapSize();
  }
}
