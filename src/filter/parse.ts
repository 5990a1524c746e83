/** Command line → wire filters: `-F` fact strings, `-W` mixes, `-S` compound statements (the legacy token form). */
import type { CompoundToken, FactFilter, Filter } from "../protocol/index.js";

/** A filter string the user typed could not be understood; the message quotes it. */
export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FilterError";
  }
}

type FactOperator = FactFilter["operator"];

/** Parses one `-F` string with mco's rules, tried in order: `=>`, `=<`, an explicit operator, `=/re/`, `=`. */
export function parseFactFilter(text: string): FactFilter {
  let m: RegExpExecArray | null;
  if ((m = /^([^ ]+?)[ ]*=>[ ]*(.+)/.exec(text))) return fact(m[1], ">=", m[2]);
  if ((m = /^([^ ]+?)[ ]*=<[ ]*(.+)/.exec(text))) return fact(m[1], "<=", m[2]);
  if ((m = /^([^ ]+?)[ ]*(<=|>=|<|>|!=|==|=~)[ ]*(.+)/.exec(text))) return fact(m[1], m[2] as FactOperator, m[3]);
  if ((m = /^(.+?)[ ]*=[ ]*\/(.+)\/$/.exec(text))) return fact(m[1], "=~", `/${m[2]}/`);
  if ((m = /^([^= ]+?)[ ]*=[ ]*(.+)/.exec(text))) return fact(m[1], "==", m[2]);
  throw new FilterError(`Could not parse fact ${text} it does not appear to be in a valid format`);
}

/** Key order fact, value, operator: as the legacy client emits it. */
function fact(name: string, operator: FactOperator, value: string): FactFilter {
  return { fact: name, value, operator };
}

/** Splits a `-W` string: every word that reads as a fact filter is one, any other word is a class. */
export function parseWithFilter(text: string): { facts: FactFilter[]; classes: string[] } {
  const facts: FactFilter[] = [];
  const classes: string[] = [];
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    try {
      facts.push(parseFactFilter(word));
    } catch {
      classes.push(word);
    }
  }
  return { facts, classes };
}

/** What the user asked for on the command line, before it becomes a wire filter. */
export interface FilterSpec {
  facts?: Array<string | FactFilter>;
  classes?: string[];
  identities?: string[];
  agents?: string[];
  /** `-S` expressions (each becomes one token list) or already parsed token lists. */
  compound?: Array<string | CompoundToken[]>;
}

/** The wire filter for a spec; every category present, in mco's key order. */
export function buildFilter(spec: FilterSpec = {}): Filter {
  return {
    fact: (spec.facts ?? []).map((f) => (typeof f === "string" ? parseFactFilter(f) : f)),
    cf_class: [...(spec.classes ?? [])],
    agent: [...(spec.agents ?? [])],
    identity: [...(spec.identities ?? [])],
    compound: (spec.compound ?? []).map((c) => (typeof c === "string" ? parseCompound(c) : c)),
  };
}

// ---- -S compound language ----

type Lexeme =
  | { kind: "(" | ")" | "and" | "or" | "not"; start: number; end: number }
  | { kind: "statement" | "fstatement" | "bad"; text: string; start: number; end: number };

const STATEMENT_OPERATOR = /(>=|<=|!=|=|<|>)/;

/** Parses one `-S` expression into the token list the legacy client sends. */
export function parseCompound(input: string): CompoundToken[] {
  const lexemes = scan(input);
  const bad = lexemes.filter((l) => l.kind === "bad");
  if (bad.length > 0) throw new FilterError(`Malformed token(s) found while parsing -S input ${input}`);
  checkGrammar(input, lexemes);
  return lexemes.map(toToken);
}

function toToken(l: Lexeme): CompoundToken {
  switch (l.kind) {
    case "(":
      return { "(": "(" };
    case ")":
      return { ")": ")" };
    case "and":
      return { and: "and" };
    case "or":
      return { or: "or" };
    case "not":
      return { not: "not" };
    case "statement":
      return { statement: l.text };
    case "fstatement":
      return { fstatement: functionCall(l.text) };
    default:
      throw new FilterError(`Malformed token(s) found`);
  }
}

/** `and`/`or`/`not` are keywords only in lower case and when followed by a space or `(`. */
function keywordAt(input: string, i: number): "and" | "or" | "not" | undefined {
  for (const word of ["and", "or", "not"] as const) {
    if (input.startsWith(word, i) && (input[i + word.length] === " " || input[i + word.length] === "(")) return word;
  }
  return undefined;
}

function scan(input: string): Lexeme[] {
  const out: Lexeme[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")") {
      out.push({ kind: c, start: i, end: i + 1 });
      i++;
    } else if (c === "!") {
      out.push({ kind: "not", start: i, end: i + 1 });
      i++;
    } else {
      const keyword = keywordAt(input, i);
      if (keyword) {
        out.push({ kind: keyword, start: i, end: i + keyword.length });
        i += keyword.length;
      } else {
        const lexeme = scanStatement(input, i);
        out.push(lexeme);
        i = lexeme.end;
      }
    }
  }
  return out;
}

/** Reads a class, fact comparison or data function call starting at `start`. */
function scanStatement(input: string, start: number): Lexeme {
  let i = start;
  let text = "";
  const bad = (): Lexeme => ({ kind: "bad", text: input.slice(start, i), start, end: i });
  // Left side: up to an operator, whitespace, `)` or a function's `(`.
  while (i < input.length && !/[\s)(=<>!]/.test(input[i])) {
    if (input[i] === "/") {
      const close = input.indexOf("/", i + 1);
      if (close < 0) {
        i = input.length;
        return bad();
      }
      text += input.slice(i, close + 1);
      i = close + 1;
    } else {
      text += input[i++];
    }
  }
  if (input[i] === "(" && text !== "") return scanFunction(input, start, i, text);
  const afterName = skipSpaces(input, i);
  const op = /^(>=|<=|!=|=|<|>)/.exec(input.slice(afterName));
  if (!op) {
    if (text.includes("/") && !/^\/[^/]*\/$/.test(text)) return bad();
    return { kind: "statement", text, start, end: i };
  }
  if (text.includes("/") || text === "") {
    i = afterName + op[1].length;
    return bad();
  }
  i = skipSpaces(input, afterName + op[1].length);
  const value = scanValue(input, i);
  if (!value) return bad();
  return { kind: "statement", text: text + op[1] + value.text, start, end: value.end };
}

function skipSpaces(input: string, i: number): number {
  while (input[i] === " ") i++;
  return i;
}

/** A comparison's right side: `/re/`, a quoted string (quotes removed, `\` escapes), or a bare word. */
function scanValue(input: string, i: number): { text: string; end: number } | undefined {
  const c = input[i];
  if (c === "/") {
    const close = input.indexOf("/", i + 1);
    if (close < 0) return undefined;
    return { text: input.slice(i, close + 1), end: close + 1 };
  }
  if (c === '"' || c === "'") {
    let text = "";
    let j = i + 1;
    while (j < input.length && input[j] !== c) {
      if (input[j] === "\\" && j + 1 < input.length) j++;
      text += input[j++];
    }
    if (j >= input.length) return undefined;
    return { text, end: j + 1 };
  }
  let j = i;
  while (j < input.length && !/[\s)]/.test(input[j])) j++;
  if (j === i) return undefined;
  const text = input.slice(i, j);
  if ((text.match(/\//g) ?? []).length % 2 === 1) return undefined;
  return { text, end: j };
}

/** `name(args)[.output]<op>value`: the call must be closed and compared. */
function scanFunction(input: string, start: number, open: number, name: string): Lexeme {
  let i = open + 1;
  let quote: string | undefined;
  while (i < input.length && (quote || input[i] !== ")")) {
    if (quote && input[i] === "\\") i++;
    else if (quote && input[i] === quote) quote = undefined;
    else if (!quote && (input[i] === '"' || input[i] === "'")) quote = input[i];
    i++;
  }
  if (i >= input.length) return { kind: "bad", text: input.slice(start), start, end: input.length };
  i++;
  const output = /^\.[\w]+/.exec(input.slice(i));
  if (output) i += output[0].length;
  const afterCall = skipSpaces(input, i);
  const op = STATEMENT_OPERATOR.exec(input.slice(afterCall, afterCall + 2));
  if (!op || op.index !== 0) return { kind: "bad", text: input.slice(start, i), start, end: i };
  const valueStart = skipSpaces(input, afterCall + op[1].length);
  const value = scanValue(input, valueStart);
  if (!value) return { kind: "bad", text: input.slice(start, valueStart), start, end: Math.max(valueStart, i) };
  const call = input.slice(start, i) + op[1] + value.text;
  if (!/^[\w]+$/.test(name)) return { kind: "bad", text: call, start, end: value.end };
  return { kind: "fstatement", text: call, start, end: value.end };
}

type FunctionCall = Extract<CompoundToken, { fstatement: unknown }>["fstatement"];

/** The fstatement hash: `=` becomes `==`, a `/re/` right side becomes `=~` (`!=~`) with Ruby's Regexp text. */
function functionCall(call: string): FunctionCall {
  const close = call.lastIndexOf(")");
  const open = call.indexOf("(");
  const name = call.slice(0, open);
  const rawParams = call.slice(open + 1, close).trim();
  const rest = call.slice(close + 1);
  const m = /^(?:\.(\w+))?(>=|<=|!=|=|<|>)(.*)$/s.exec(rest)!;
  let operator = m[2] === "=" ? "==" : m[2];
  let rCompare: string = m[3];
  if (/^\/.*\/$/s.test(rCompare)) {
    operator = m[2] === "!=" ? "!=~" : "=~";
    // Ruby's JSON form of a Regexp (what the legacy client puts on the wire).
    rCompare = `(?-mix:${rCompare.slice(1, -1)})`;
  }
  const params = rawParams === "" ? null : rawParams.replace(/^["']/, "").replace(/["']$/, "");
  const result: FunctionCall = { name, params, r_compare: rCompare, operator };
  if (m[1] !== undefined) result.value = m[1];
  return result;
}

/** The legacy parser's rules: operands and operators alternate, `not` precedes an operand, parens balance. */
function checkGrammar(input: string, lexemes: Lexeme[]): void {
  let depth = 0;
  const operand = (l: Lexeme | undefined) => l !== undefined && (l.kind === "statement" || l.kind === "fstatement");
  for (let k = 0; k < lexemes.length; k++) {
    const l = lexemes[k];
    const next = lexemes[k + 1];
    const prev = lexemes[k - 1];
    const ok = (() => {
      switch (l.kind) {
        case "and":
        case "or":
          return (operand(prev) || prev?.kind === ")") && next !== undefined && (operand(next) || next.kind === "not" || next.kind === "(");
        case "not":
          return next !== undefined && (operand(next) || next.kind === "not" || next.kind === "(");
        case "(":
          depth++;
          return next !== undefined && (operand(next) || next.kind === "not" || next.kind === "(");
        case ")":
          depth--;
          return depth >= 0 && (next === undefined || next.kind === "and" || next.kind === "or" || next.kind === ")");
        default:
          return next === undefined || next.kind === "and" || next.kind === "or" || next.kind === ")";
      }
    })();
    if (depth < 0) throw new FilterError(`Missing parenthesis found while parsing -S input ${input}`);
    if (!ok) throw new FilterError(`Parse errors found while parsing -S input ${input}`);
  }
  if (depth !== 0) throw new FilterError(`Missing parenthesis found while parsing -S input ${input}`);
  if (lexemes.length === 0) throw new FilterError(`Parse errors found while parsing -S input ${input}`);
}
