/** The request filter: its empty form, wire key order, and the shape rules a received filter must meet. */
import { ProtocolError } from "./errors.js";
import { stringifyJson } from "./exact-json.js";
import { isObject, MAX_NESTING } from "./json.js";
import type { CompoundToken, FactFilter, Filter } from "./types.js";

/** A filter that matches every node: all five categories present and empty. */
export function emptyFilter(): Filter {
  return { fact: [], cf_class: [], agent: [], identity: [], compound: [] };
}

/** The filter rebuilt in wire key order (fact, cf_class, agent, identity, compound[, collective]). */
export function orderedFilter(filter: Filter): Filter {
  const out: Filter = {
    fact: filter.fact.map((f) => ({ fact: f.fact, value: f.value, operator: f.operator })),
    cf_class: filter.cf_class,
    agent: filter.agent,
    identity: filter.identity,
    compound: filter.compound,
  };
  if (filter.collective !== undefined) out.collective = filter.collective;
  return out;
}

const OPERATORS = new Set(["==", "=~", "!=", "<", ">", "<=", ">="]);

/** Checks a received filter: arrays `fact`, `cf_class`, `identity`, `compound` present (`agent` optional), each well formed. */
export function readFilter(value: unknown, layer: string): Filter {
  if (!isObject(value)) throw filterError(layer, "must be an object");
  for (const key of ["fact", "cf_class", "identity", "compound"]) {
    if (!Array.isArray(value[key])) throw filterError(layer, `must have an array "${key}"`);
  }
  const agent = value.agent ?? [];
  const filter: Filter = {
    fact: (value.fact as unknown[]).map((f) => readFact(f, layer)),
    cf_class: readStrings(value.cf_class, "cf_class", layer),
    agent: readStrings(agent, "agent", layer),
    identity: readStrings(value.identity, "identity", layer),
    compound: readCompound(value.compound as unknown[], layer),
  };
  if (typeof value.collective === "string") filter.collective = value.collective;
  return filter;
}

function readFact(value: unknown, layer: string): FactFilter {
  if (
    !isObject(value) ||
    typeof value.fact !== "string" ||
    typeof value.value !== "string" ||
    typeof value.operator !== "string" ||
    !OPERATORS.has(value.operator)
  ) {
    throw filterError(layer, `has a fact entry that is not {fact, value, operator} strings: ${stringifyJson(value)?.slice(0, 200)}`);
  }
  return { fact: value.fact, value: value.value, operator: value.operator as FactFilter["operator"] };
}

function readStrings(value: unknown, key: string, layer: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw filterError(layer, `"${key}" must be an array of strings`);
  }
  return value;
}

function readCompound(value: unknown[], layer: string): CompoundToken[][] {
  for (const group of value) {
    if (!Array.isArray(group)) throw filterError(layer, `"compound" must be an array of token arrays`);
    let depth = 0;
    for (const token of group) {
      const problem = tokenProblem(token);
      if (problem) throw filterError(layer, `has a compound token ${stringifyJson(token)?.slice(0, 200)} that ${problem}`);
      // The matcher recurses once per open parenthesis.
      if (isObject(token) && "(" in token && ++depth > MAX_NESTING) throw filterError(layer, `has compound parentheses nested deeper than ${MAX_NESTING} levels`);
      if (isObject(token) && ")" in token) depth--;
    }
  }
  return value as CompoundToken[][];
}

const WORDS = new Set(["and", "or", "not", "(", ")"]);
const SCALAR = new Set(["string", "number", "boolean", "bigint"]);

/** Why a compound token is not one of the shapes the matcher reads (one key: statement, fstatement, expr or a word); undefined when it is. */
function tokenProblem(token: unknown): string | undefined {
  if (!isObject(token)) return "is not an object";
  const keys = Object.keys(token);
  if (keys.length !== 1) return "does not have exactly one key";
  const [key] = keys;
  const value = token[key];
  if (key === "statement" || key === "expr" || WORDS.has(key)) return typeof value === "string" ? undefined : `has a ${key} that is not a string`;
  if (key !== "fstatement") return `has the unknown key "${key}"`;
  if (!isObject(value) || typeof value.name !== "string" || typeof value.operator !== "string") return "is not an fstatement with string name and operator";
  if (value.params !== undefined && value.params !== null && typeof value.params !== "string") return "has fstatement params that are not a string or null";
  if (value.value !== undefined && value.value !== null && typeof value.value !== "string") return "has an fstatement value that is not a string";
  if (!SCALAR.has(typeof value.r_compare)) return "has an fstatement r_compare that is not a string, number or boolean";
  return undefined;
}

function filterError(layer: string, what: string): ProtocolError {
  return new ProtocolError(`${layer} filter ${what}`, "filter");
}
