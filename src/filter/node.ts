/** What a filter is matched against, and the per-category tests. */
import { strictRegex } from "./regex.js";

/** The node as filters see it; `data` answers data-plugin calls of compound filters, already fetched. */
export interface NodeView {
  identity: string;
  facts: Record<string, unknown>;
  classes: string[];
  agents: string[];
  data?: (plugin: string, query: string | null) => Record<string, unknown> | undefined;
}

/** `-I`: exact identity, or `/re/` anywhere in it. */
export function identityMatches(node: NodeView, needle: string): boolean {
  const re = strictRegex(needle);
  return re ? re.test(node.identity) : node.identity === needle;
}

/** `-C`: a class line equal to the needle (any case), or `/re/` (any case) matching a class line. */
export function hasClass(node: NodeView, needle: string): boolean {
  const re = strictRegex(needle, "i");
  if (re) return node.classes.some((c) => re.test(c));
  const lower = needle.toLowerCase();
  return node.classes.some((c) => c.toLowerCase() === lower);
}

/** `-A`: a loaded agent of that name, or `/re/` matching a loaded agent. */
export function hasAgent(node: NodeView, needle: string): boolean {
  const re = strictRegex(needle);
  return re ? node.agents.some((a) => re.test(a)) : node.agents.includes(needle);
}
