/** Server-side filter matching: does this node answer this request? */
import type { CompoundToken, Filter } from "../protocol/types.js";
import { matchFact } from "./facts.js";
import { evaluateExpr, exprDataCalls } from "./expr.js";
import { evaluateTokens, tokenDataCalls } from "./legacy.js";
import { hasAgent, hasClass, identityMatches, type NodeView } from "./node.js";
import { RubyRegexError } from "../ruby/index.js";

export type { NodeView } from "./node.js";

/**
 * True when the node passes every non-empty category: any identity, every agent, every class, every fact,
 * every compound list. An empty filter matches every node. An unreadable compound expression or regex does not match;
 * `refused` hears of each regex that could not be used, so the server can say why.
 */
export function matchFilter(filter: Filter, node: NodeView, refused?: (err: RubyRegexError) => void): boolean {
  return unlessBadRegex(() => matchCategories(filter, node, refused), refused);
}

function matchCategories(filter: Filter, node: NodeView, refused?: (err: RubyRegexError) => void): boolean {
  const identities = filter.identity ?? [];
  if (identities.length > 0 && !identities.some((id) => identityMatches(node, id))) return false;
  if (!(filter.agent ?? []).every((agent) => hasAgent(node, agent))) return false;
  if (!(filter.cf_class ?? []).every((cls) => hasClass(node, cls))) return false;
  if (!(filter.fact ?? []).every((rule) => matchFact(node.facts, rule))) return false;
  return (filter.compound ?? []).every((tokens) => matchCompound(tokens, node, refused));
}

/** One compound entry: the modern `[{expr}]` form or a legacy token list. */
export function matchCompound(tokens: CompoundToken[], node: NodeView, refused?: (err: RubyRegexError) => void): boolean {
  const exprs = tokens.flatMap((t) => ("expr" in t ? [t.expr] : []));
  if (exprs.length === 0) return unlessBadRegex(() => evaluateTokens(tokens, node), refused);
  try {
    return exprs.every((expr) => evaluateExpr(expr, node));
  } catch (err) {
    if (err instanceof RubyRegexError) refused?.(err);
    return false;
  }
}

// A regex that cannot compile fails the whole filter, so `not x=/bad/` cannot select every node.
function unlessBadRegex(match: () => boolean, refused?: (err: RubyRegexError) => void): boolean {
  try {
    return match();
  } catch (err) {
    if (!(err instanceof RubyRegexError)) throw err;
    refused?.(err);
    return false;
  }
}

/** Every data-plugin call the filter's compound entries make, deduplicated, for the server to answer first. */
export function filterDataCalls(filter: Filter): Array<{ plugin: string; query: string | null }> {
  const calls = (filter.compound ?? []).flatMap((tokens) =>
    tokens.flatMap((t) => {
      if (!("expr" in t)) return tokenDataCalls([t]);
      try {
        return exprDataCalls(t.expr);
      } catch {
        return [];
      }
    }),
  );
  const seen = new Set<string>();
  return calls.filter((c) => !seen.has(`${c.plugin}\0${c.query}`) && seen.add(`${c.plugin}\0${c.query}`) !== undefined);
}
