/** Filters: parsing what the user typed into wire filters (`parse.ts`, client) and matching them on a node (`match.ts`, server). */
export { FilterError, buildFilter, parseCompound, parseFactFilter, parseWithFilter } from "./parse.js";
export type { FilterSpec } from "./parse.js";
export { matchFilter, matchCompound, filterDataCalls } from "./match.js";
export type { NodeView } from "./match.js";
export { lookupFact, compareFact } from "./facts.js";
export { parseExpr, evaluateExpr, ExprError } from "./expr.js";
