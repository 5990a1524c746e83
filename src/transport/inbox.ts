/** Deliveries queued as they arrive and read with deadlines: the reading half of every transport's reply inbox. */
import type { Delivery } from "../wire/types.js";

export class DeliveryQueue {
  private readonly queue: Delivery[] = [];
  private wake: (() => void) | undefined;

  push(delivery: Delivery): void {
    this.queue.push(delivery);
    this.wake?.();
  }

  /** The next delivery, waiting until `deadline` (epoch ms) at most. */
  async next(deadline: number): Promise<Delivery | undefined> {
    while (this.queue.length === 0) {
      const wait = deadline - Date.now();
      if (wait <= 0) return undefined;
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
}
