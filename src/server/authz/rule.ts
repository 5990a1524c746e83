/**
 * Policy rules compiled once into checks: callers, actions, then facts and classes, as actionpolicy judges them.
 * Compiling when policies load keeps per-request work to comparisons.
 */
import { stringifyJson, type CompoundToken } from "../../protocol/index.js";
import { FilterError, matchCompound, parseCompound } from "../../filter/index.js";
import { RubyRegexError, rubyRegex, type RubyPattern } from "../../ruby/index.js";
import type { Log, PolicyRule } from "./policy.js";

/**
 * What a rule is judged against: the request as given, so facts and classes it reads on demand are read only by a
 * rule that gets past its callers and actions to them.
 */
export interface RuleContext {
  request: RuleRequest;
  groups: Map<string, string[]>;
  log: Log;
}

/** What rules read of a request. */
export interface RuleRequest {
  callerid: string;
  identity: string;
  action: string;
  facts: Record<string, unknown>;
  classes: string[];
  /** Runs a data function named in a compound field; undefined when the plugin is unknown. */
  data?: (plugin: string, query: string | null) => Record<string, unknown> | undefined;
}

type Check = (ctx: RuleContext) => boolean;

const always: Check = () => true;
const never: Check = () => false;

// Greedy like the legacy expression, so `a>=1` reads as fact `a>` = `1`.
const FACT_TERM = /(.+)(<|>|=|<=|>=)(.+)/;

/** A check that is true when every field of the rule matches the request; problems in the rule are logged now. */
export function compileRule(rule: PolicyRule, log: Log): Check {
  const callers = compileCallers(rule.callers);
  const actions = rule.actions === "*" ? always : compileActions(rule.actions);
  const conditions =
    rule.classes === undefined
      ? rule.facts === "*" ? always : compileCompound(rule.facts, log)
      : both(compileList(rule.facts, (t) => compileFact(t, log), log), compileList(rule.classes, (t) => compileClass(t, log), log));
  return (ctx) => callers(ctx) && actions(ctx) && conditions(ctx);
}

/** The data functions a rule's compound fields call, so that a caller can fetch their answers before judging. */
export function ruleDataCalls(rule: PolicyRule): Array<{ plugin: string; query: string | null }> {
  const fields = (rule.classes === undefined ? [rule.facts] : [rule.facts, rule.classes].filter(isCompound)).filter((f) => f !== "*");
  return fields.flatMap((field) => {
    try {
      return parseCompound(field).flatMap((t) => ("fstatement" in t ? [{ plugin: t.fstatement.name, query: t.fstatement.params ?? null }] : []));
    } catch {
      return [];
    }
  });
}

// Ruby's String#split: whitespace runs separate words, and no empty words.
function words(field: string): string[] {
  return field.split(/\s+/).filter((w) => w !== "");
}

function both(a: Check, b: Check): Check {
  return (ctx) => a(ctx) && b(ctx);
}

// The legacy plugin tests the caller field as text containing the callerid, then group membership.
function compileCallers(field: string): Check {
  if (field === "*") return always;
  const groupNames = words(field).filter((name) => /^[\w.-]+$/.test(name));
  return ({ request, groups }) => field.includes(request.callerid) || groupNames.some((name) => (groups.get(name) ?? []).includes(request.callerid));
}

function compileActions(field: string): Check {
  const actions = new Set(words(field));
  return (ctx) => actions.has(ctx.request.action);
}

// A facts or classes field: `*`, a compound expression, or a space list whose every term must hold.
function compileList(field: string, term: (text: string) => Check, log: Log): Check {
  if (field === "*") return always;
  if (isCompound(field)) return compileCompound(field, log);
  const checks = words(field).map(term);
  return (ctx) => checks.every((check) => check(ctx));
}

// A field is compound when any word is negated, a keyword, or holds a parenthesised part.
function isCompound(field: string): boolean {
  return words(field).some((word) => /^!|^not$|^or$|^and$|\(.+\)/.test(word));
}

// Compound fields are the `-S` language, judged as filters judge it.
function compileCompound(field: string, log: Log): Check {
  let tokens: CompoundToken[];
  try {
    tokens = parseCompound(field);
  } catch (err) {
    if (!(err instanceof FilterError)) throw err;
    log("warn", `Cannot evaluate policy compound field '${field}': ${err.message}`);
    return never;
  }
  const calls = tokens.flatMap((t) => ("fstatement" in t ? [t.fstatement] : []));
  return ({ request, log: logLine }) => {
    for (const call of calls) {
      if (request.data?.(call.name, call.params ?? null) === undefined) {
        logLine("warn", `Could not call Data function in policy file: no data plugin '${call.name}' available`);
      }
    }
    return matchCompound(tokens, { identity: request.identity, facts: request.facts, classes: request.classes, agents: [], data: request.data });
  };
}

// Compared as strings, as the legacy `eval("'fact'op'value'")` does.
function compileFact(term: string, log: Log): Check {
  const m = FACT_TERM.exec(term);
  if (!m) {
    log("warn", `Class found where fact was expected: ${term}`);
    return never;
  }
  const [, name, op, expected] = m;
  const compare: Record<string, (actual: string) => boolean> = {
    "=": (a) => a === expected,
    "<": (a) => a < expected,
    ">": (a) => a > expected,
  };
  return (ctx) => compare[op](factText(ctx.request.facts, name));
}

function compileClass(term: string, log: Log): Check {
  if (FACT_TERM.test(term)) {
    log("warn", `Fact found where class was expected: ${term}`);
    return never;
  }
  const regex = /^\/(.+)\/$/.exec(term);
  if (regex) {
    let re: RubyPattern;
    try {
      re = rubyRegex(regex[1]);
    } catch (err) {
      if (!(err instanceof RubyRegexError)) throw err;
      log("warn", `Cannot use policy class ${term}: ${err.message}`);
      return never;
    }
    return (ctx) => ctx.request.classes.some((c) => re.test(c));
  }
  return (ctx) => ctx.request.classes.includes(term);
}

// A fact by its name, else by a dotted path into structured facts; missing reads as "" like Ruby's nil.to_s.
function factText(facts: Record<string, unknown>, name: string): string {
  let value: unknown = facts[name];
  if (value === undefined && name.includes(".")) {
    value = name.split(".").reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), facts);
  }
  if (value === undefined || value === null) return "";
  return typeof value === "object" ? stringifyJson(value) : String(value);
}
