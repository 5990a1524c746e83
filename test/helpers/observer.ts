/**
 * Another caller while a fault runs: pings a node over and over and keeps the worst round trip. A ping that gets no
 * answer fails the test (the Requester's 30 s deadline); the latency is reported for docs/RELIABILITY.md, never asserted.
 */
import type { Requester } from "./requester.js";

export interface Observation {
  pings: number;
  worstMs: number;
}

/** Starts pinging `node` every `everyMs`; `stop()` resolves with what was seen, or rejects if a ping went unanswered. */
export function observe(client: Requester, node: string, everyMs = 100): { stop(): Promise<Observation> } {
  let running = true;
  const seen: Observation = { pings: 0, worstMs: 0 };
  const loop = (async () => {
    while (running) {
      const start = performance.now();
      const [reply] = await client.request({ agent: "rpcutil", action: "ping", targets: [node], expect: [node] });
      if (reply.rpc?.statuscode !== 0) throw new Error(`the observer's ping was answered ${reply.rpc?.statuscode}: ${reply.rpc?.statusmsg}`);
      seen.pings++;
      seen.worstMs = Math.max(seen.worstMs, Math.round(performance.now() - start));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  // Held until stop(), so an early failure is not reported as unhandled.
  loop.catch(() => undefined);
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}

/** One line per fault for docs/RELIABILITY.md, printed with the test output. */
export function report(fault: string, facts: Record<string, unknown>): void {
  console.log(`      [reliability] ${fault}: ${Object.entries(facts).map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : v}`).join(" ")}`);
}
