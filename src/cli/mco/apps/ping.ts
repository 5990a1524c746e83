/** `mco ping`: a raw discovery ping; every node that answers, with its round-trip time. */
import type { Application } from "../app.js";
import type { Session } from "../session.js";

const TICKS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇"];

/** mco's sparkline: replies counted in 50 ms buckets from 0, scaled to seven ticks. */
export function sparkline(timesMs: number[]): string {
  const buckets = new Map<number, number>([[0, 0]]);
  for (const t of timesMs) {
    const bucket = Math.trunc(t + 50 - (t % 50));
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
  }
  const counts = [...buckets.keys()].sort((a, b) => a - b).map((k) => buckets.get(k)!);
  const max = Math.max(...counts);
  return counts.map((c) => TICKS[Math.round((c / max) * (TICKS.length - 1))]).join("");
}

/** The statistics lines after the replies. */
export function pingSummary(timesMs: number[], graph: boolean): string {
  let text = "\n\n---- ping statistics ----\n";
  if (timesMs.length === 0) return text + "No responses received\n";
  const max = Math.max(...timesMs);
  const min = Math.min(...timesMs);
  const avg = timesMs.reduce((a, b) => a + b, 0) / timesMs.length;
  text += `${timesMs.length} replies max: ${max.toFixed(2)} min: ${min.toFixed(2)} avg: ${avg.toFixed(2)} ${graph ? sparkline(timesMs) : ""}\n`;
  return text;
}

export const ping: Application = {
  name: "ping",
  description: "Ping all nodes",
  options: [{ key: "graph", flags: ["-g", "--graph"], description: "Shows a graph of ping distribution" }],
  sections: ["common", "filters"],
  async run(session: Session): Promise<number> {
    const client = await session.client();
    const times: number[] = [];
    for await (const reply of client.ping()) {
      times.push(reply.timeMs);
      session.io.stdout.write(`${reply.sender.padEnd(40)} time=${reply.timeMs.toFixed(2)} ms\n`);
    }
    const graph = session.values.graph === true || (await session.config()).bool("plugin.rpc.graph", false);
    session.io.stdout.write(pingSummary(times, graph));
    return times.length > 0 ? 0 : 4;
  },
};
