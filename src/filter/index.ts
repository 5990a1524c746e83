/** Filters: matching a request's filter against a node (server side). */
export { matchFilter, matchCompound, filterDataCalls } from "./match.js";
export type { NodeView } from "./match.js";
export { lookupFact, compareFact } from "./facts.js";
export { parseExpr, evaluateExpr, ExprError } from "./expr.js";
