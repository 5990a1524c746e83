/** A reply subscription read with deadlines: `next(deadline)` gives the next payload or undefined when time is up. */
import type { NatsConnection, Subscription } from "../transport/index.js";

export class Inbox {
  private readonly queue: Uint8Array[] = [];
  private wake: (() => void) | undefined;
  private readonly sub: Subscription;

  constructor(nc: NatsConnection, subject: string) {
    this.sub = nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) return;
        this.queue.push(msg.data);
        this.wake?.();
      },
    });
  }

  /** The next payload, waiting until `deadline` (epoch ms) at most. */
  async next(deadline: number): Promise<Uint8Array | undefined> {
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

  close(): void {
    this.sub.unsubscribe();
  }
}
