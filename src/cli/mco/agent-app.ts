/** What the package and service applications share: `<action> <target>` in either order, and the unfiltered-run guard. */
import type { Session } from "./session.js";

/** Splits two positionals into action and target, whichever order they came in. */
export function actionAndTarget(positionals: string[], actions: string[]): { action?: string; target?: string } {
  const [first, second] = positionals;
  if (first !== undefined && actions.includes(first)) return { action: first, target: second };
  if (second !== undefined && actions.includes(second)) return { action: second, target: first };
  return { action: first, target: second };
}

/** True when no host filter was given: the request would reach every node. */
export function unfiltered(session: Session): boolean {
  const v = session.values;
  return [v.facts, v.classes, v.identities, v.agents, v.select, v.with].every((list) => (list ?? []).length === 0);
}

/** mco's guard before acting on every node: true with `--yes`, a filter, or `y`/`yes` typed at the prompt. */
export async function confirmUnfiltered(session: Session, what: string): Promise<boolean> {
  if (session.values.yes === true || !unfiltered(session)) return true;
  session.io.stdout.write(`Do you really want to operate on ${what} unfiltered? (y/n): `);
  const { createInterface } = await import("node:readline");
  const rl = createInterface({ input: process.stdin });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.once("line", resolve);
      rl.once("close", () => resolve(""));
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** `--yes`, shared by the applications that ask before acting on every node. */
export const YES_OPTION = { key: "yes", flags: ["-y", "--yes"], description: "Assume yes on any prompts" };
