/** Filters: parsing what the user typed into wire filters (`parse.ts`) and matching them on a node (`match.ts`). */
export { FilterError, buildFilter, parseCompound, parseFactFilter, parseWithFilter } from "./parse.js";
export type { FilterSpec } from "./parse.js";
