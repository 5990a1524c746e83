/** `--limit-nodes` / `-1`: how many of the discovered nodes to call, and which ones (`rpclimitmethod`). */

/** The count a limit asks for: `N`, or `N%` of the discovered nodes rounded down but at least 1. */
export function limitCount(limit: string, discovered: number): number {
  const match = /^(\d+)(%*)$/.exec(limit);
  if (!match) throw new Error(`Invalid limit specified: ${limit} valid limits are /^d+%*$/`);
  const n = Number(match[1]);
  if (match[2] === "") return n;
  return Math.max(1, Math.floor((discovered * n) / 100));
}

/** Picks `count` nodes: the first ones discovered, or a random set; a seed sorts first so the pick repeats. */
export function pickNodes(nodes: string[], count: number, method: "first" | "random", seed?: number): string[] {
  if (count >= nodes.length) return [...nodes];
  if (method === "first") return nodes.slice(0, count);
  const pool = seed === undefined ? [...nodes] : [...nodes].sort();
  const random = seed === undefined ? Math.random : seededRandom(seed);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
}

/** A small deterministic generator (mulberry32) so that `--limit-seed` gives the same pick every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Splits nodes into batches of `size` (`N` or `N%` of the nodes). */
export function batches(nodes: string[], size: string): string[][] {
  const n = Math.max(1, limitCount(size, nodes.length));
  const out: string[][] = [];
  for (let i = 0; i < nodes.length; i += n) out.push(nodes.slice(i, i + n));
  return out;
}
