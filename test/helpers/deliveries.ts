/** Collects what a transport subscription delivers, read with timeouts. */
import type { Delivery } from "../../src/wire/types.js";

export class Deliveries {
  readonly got: Delivery[] = [];
  private waiter: (() => void) | undefined;

  /** The handler to give `Transport.subscribe`. */
  readonly handler = (delivery: Delivery): void => {
    this.got.push(delivery);
    this.waiter?.();
  };

  /** The `n`th delivery (from 0), waiting up to `ms`; throws naming what is missing. */
  async nth(n: number, ms = 5000, what = "delivery"): Promise<Delivery> {
    const until = Date.now() + ms;
    while (this.got.length <= n) {
      const left = until - Date.now();
      if (left <= 0) throw new Error(`no ${what} #${n + 1} within ${ms} ms (got ${this.got.length})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.got[n];
  }
}

/** Resolves when `listen` reports `event`, rejects after `ms`. */
export function once<E extends string>(listen: (cb: (event: E, detail: string) => void) => void, event: E, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    listen((e, detail) => {
      if (e !== event) return;
      clearTimeout(timer);
      resolve(detail);
    });
  });
}
