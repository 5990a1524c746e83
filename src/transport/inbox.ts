/** Deliveries queued as they arrive and read with deadlines: the reading half of every transport's reply inbox. */
import type { Delivery } from "../wire/types.js";

export class DeliveryQueue {
  private readonly queue: Delivery[] = [];
  private wake: (() => void) | undefined;
  private closed = false;

  push(delivery: Delivery): void {
    if (this.closed) return;
    this.queue.push(delivery);
    this.wake?.();
  }

  /** The next delivery, waiting until `deadline` (epoch ms) at most; undefined once closed. */
  async next(deadline: number): Promise<Delivery | undefined> {
    while (this.queue.length === 0) {
      const wait = deadline - Date.now();
      if (wait <= 0 || this.closed) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    return this.queue.shift();
  }

  /** Stops taking deliveries and wakes a waiting reader; false when it was closed already. */
  close(): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.wake?.();
    return true;
  }
}
