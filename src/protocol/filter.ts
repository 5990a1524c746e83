/** The request filter: its empty form, wire key order, and the shape rules a received filter must meet. */
import { ProtocolError } from "./errors.js";
import { isObject } from "./json.js";
import type { CompoundToken, FactFilter, Filter } from "./types.js";
import { stringifyJson } from "./exact-json.js";

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
    throw filterError(layer, `has a fact entry that is not {fact, value, operator} strings: ${stringifyJson(value)}`);
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
    if (!Array.isArray(group) || !group.every((token: unknown) => isObject(token))) {
      throw filterError(layer, `"compound" must be an array of token arrays`);
    }
  }
  return value as CompoundToken[][];
}

function filterError(layer: string, what: string): ProtocolError {
  return new ProtocolError(`${layer} filter ${what}`, "filter");
}
