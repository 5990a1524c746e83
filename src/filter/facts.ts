/** Fact lookup by dot path and fact comparison with the `-F` operators. */
import type { FactFilter } from "../protocol/types.js";
import { looseRegex } from "./regex.js";

/** A fact by name or dot path (`os.family`, `processors.models.0`); a literal dotted key wins. */
export function lookupFact(facts: Record<string, unknown>, path: string): unknown {
  if (Object.prototype.hasOwnProperty.call(facts, path)) return facts[path];
  let current: unknown = facts;
  for (const part of path.split(".")) {
    if (Array.isArray(current) && /^\d+$/.test(part)) current = current[Number(part)];
    else if (isObject(current) && Object.prototype.hasOwnProperty.call(current, part)) current = current[part];
    else return undefined;
  }
  return current;
}

/** True when the node's facts satisfy one `-F` rule; a missing fact never matches. */
export function matchFact(facts: Record<string, unknown>, rule: FactFilter): boolean {
  return compareFact(lookupFact(facts, rule.fact), rule.operator, rule.value);
}

/**
 * Compares a fact value with a filter value as text from the wire. Strings compare case-insensitively
 * (as Choria does), numbers and numeric strings numerically, booleans by truthiness; a list matches when
 * any element does (as MCollective does), and `!=` on a list means no element equals.
 */
export function compareFact(fact: unknown, operator: FactFilter["operator"] | string, value: string): boolean {
  if (fact === undefined || fact === null) return false;
  if (Array.isArray(fact)) {
    if (operator === "!=") return !fact.some((item) => compareFact(item, "==", value));
    return fact.some((item) => compareFact(item, operator, value));
  }
  if (isObject(fact)) return false;
  if (operator === "=~") {
    return looseRegex(value, "i").test(String(fact));
  }
  if (typeof fact === "boolean") return compareBoolean(fact, operator, value);
  const left = typeof fact === "number" ? fact : toNumber(String(fact));
  const right = toNumber(value);
  if (left !== undefined && right !== undefined) return compareOrdered(left, operator, right);
  if (typeof fact === "number") return operator === "!=";
  return compareOrdered(String(fact).toLowerCase(), operator, value.toLowerCase());
}

function compareBoolean(fact: boolean, operator: string, value: string): boolean {
  const wanted = parseTruth(value);
  if (wanted === undefined) return operator === "!=";
  if (operator === "==") return fact === wanted;
  if (operator === "!=") return fact !== wanted;
  return false;
}

/** `a <op> b` for the six comparison operators; any other operator is false. */
export function compareOrdered<T extends number | string>(left: T, operator: string, right: T): boolean {
  switch (operator) {
    case "==":
      return left === right;
    case "!=":
      return left !== right;
    case "<":
      return left < right;
    case ">":
      return left > right;
    case "<=":
      return left <= right;
    case ">=":
      return left >= right;
    default:
      return false;
  }
}

/** The number a text spells, if it spells one exactly. */
export function toNumber(text: string): number | undefined {
  // No two quantifiers share the digits, so a long run of them costs linear time, not quadratic (a filter value is hostile).
  return /^\s*-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*$/.test(text) ? Number(text) : undefined;
}

/** Go's strconv.ParseBool spellings plus yes/no, as fact files write booleans. */
export function parseTruth(text: string): boolean | undefined {
  const lower = text.trim().toLowerCase();
  if (["1", "t", "true", "y", "yes"].includes(lower)) return true;
  if (["0", "f", "false", "n", "no"].includes(lower)) return false;
  return undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
