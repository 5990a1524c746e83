/** Whether one policy rule applies to a request: callers, actions, then facts and classes, as actionpolicy judges them. */
import { FilterError, matchCompound, parseCompound } from "../../filter/index.js";
import type { Log, PolicyRule } from "./policy.js";

/** What a rule is judged against. */
export interface RuleContext {
  callerid: string;
  identity: string;
  action: string;
  facts: Record<string, unknown>;
  classes: string[];
  groups: Map<string, string[]>;
  /** Runs a data function named in a compound field; undefined when the plugin is unknown. */
  data?: (plugin: string, query: string | null) => Record<string, unknown> | undefined;
  log: Log;
}

// Greedy like the legacy expression, so `a>=1` reads as fact `a>` = `1`.
const FACT_TERM = /(.+)(<|>|=|<=|>=)(.+)/;

/** True when every field of the rule matches the request. */
export function ruleMatches(rule: PolicyRule, ctx: RuleContext): boolean {
  if (!callerMatches(rule.callers, ctx)) return false;
  if (rule.actions !== "*" && !rule.actions.split(/\s+/).includes(ctx.action)) return false;
  if (rule.classes === undefined) return rule.facts === "*" || compoundMatches(rule.facts, ctx);
  return factsMatch(rule.facts, ctx) && classesMatch(rule.classes, ctx);
}

// The legacy plugin tests the caller field as text containing the callerid, then group membership.
function callerMatches(field: string, ctx: RuleContext): boolean {
  if (field === "*" || field.includes(ctx.callerid)) return true;
  return field.split(/\s+/).some((name) => /^[\w.-]+$/.test(name) && (ctx.groups.get(name) ?? []).includes(ctx.callerid));
}

function factsMatch(field: string, ctx: RuleContext): boolean {
  if (field === "*") return true;
  if (isCompound(field)) return compoundMatches(field, ctx);
  return field.split(/\s+/).every((term) => lookupFact(term, ctx));
}

function classesMatch(field: string, ctx: RuleContext): boolean {
  if (field === "*") return true;
  if (isCompound(field)) return compoundMatches(field, ctx);
  return field.split(/\s+/).every((term) => lookupClass(term, ctx));
}

// A field is compound when any word is negated, a keyword, or holds a parenthesised part.
function isCompound(field: string): boolean {
  return field.split(/\s+/).some((word) => /^!|^not$|^or$|^and$|\(.+\)/.test(word));
}

// Compound fields are the `-S` language, judged as filters judge it.
function compoundMatches(field: string, ctx: RuleContext): boolean {
  let tokens;
  try {
    tokens = parseCompound(field);
  } catch (err) {
    if (!(err instanceof FilterError)) throw err;
    ctx.log("warn", `Cannot evaluate policy compound field '${field}': ${err.message}`);
    return false;
  }
  for (const token of tokens) {
    if ("fstatement" in token && ctx.data?.(token.fstatement.name, token.fstatement.params ?? null) === undefined) {
      ctx.log("warn", `Could not call Data function in policy file: no data plugin '${token.fstatement.name}' available`);
    }
  }
  return matchCompound(tokens, { identity: ctx.identity, facts: ctx.facts, classes: ctx.classes, agents: [], data: ctx.data });
}

// Compared as strings, as the legacy `eval("'fact'op'value'")` does.
function lookupFact(term: string, ctx: RuleContext): boolean {
  const m = FACT_TERM.exec(term);
  if (!m) {
    ctx.log("warn", "Class found where fact was expected");
    return false;
  }
  const [, name, op, expected] = m;
  const actual = factText(ctx.facts, name);
  switch (op) {
    case "=": return actual === expected;
    case "<": return actual < expected;
    case ">": return actual > expected;
    case "<=": return actual <= expected;
    default: return actual >= expected;
  }
}

function lookupClass(term: string, ctx: RuleContext): boolean {
  if (FACT_TERM.test(term)) {
    ctx.log("warn", "Fact found where class was expected");
    return false;
  }
  const regex = /^\/(.+)\/$/.exec(term);
  if (regex) {
    const re = new RegExp(regex[1]);
    return ctx.classes.some((c) => re.test(c));
  }
  return ctx.classes.includes(term);
}

// A fact by its name, else by a dotted path into structured facts; missing reads as "" like Ruby's nil.to_s.
function factText(facts: Record<string, unknown>, name: string): string {
  let value: unknown = facts[name];
  if (value === undefined && name.includes(".")) {
    value = name.split(".").reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), facts);
  }
  if (value === undefined || value === null) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
