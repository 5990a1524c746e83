/**
 * The legacy compound (`-S`) language as actionpolicy uses it inside policy fields: statements are judged by the
 * policy's own fact/class lookups, data functions by a caller-supplied lookup, joined with and/or/not/!/parens.
 */

export type Term =
  | { kind: "statement"; text: string }
  | { kind: "fstatement"; name: string; param: string | null; output?: string; operator: string; compare: string }
  | { kind: "and" | "or" | "not" | "(" | ")" };

export interface CompoundJudge {
  statement(text: string): boolean;
  fstatement(term: Extract<Term, { kind: "fstatement" }>): boolean;
}

/** Thrown for text the legacy parser would refuse. */
export class CompoundSyntaxError extends Error {}

const OPERATOR_START = /^[<>=!]/;
const FUNCTION_CALL = /^(\w+)\((.*)\)(?:\.(\w+))?(!=|<=|>=|=|<|>)(.+)$/;

/** Splits compound text into terms; `a = 1` is read as `a=1`, quoted values keep their spaces. */
export function scanCompound(text: string): Term[] {
  const terms: Term[] = [];
  let i = 0;
  const rest = () => text.slice(i);
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) { i++; continue; }
    if (ch === "(" || ch === ")") { terms.push({ kind: ch }); i++; continue; }
    if (ch === "!") { terms.push({ kind: "not" }); i++; continue; }
    const keyword = /^(and|or|not)(?=[\s(])/.exec(rest());
    if (keyword) { terms.push({ kind: keyword[1] as "and" | "or" | "not" }); i += keyword[1].length; continue; }
    let token = readWord();
    // Join `fact = value` and `fact= value` written with spaces around the operator.
    const spaced = /^\s*(<=|>=|=|<|>)\s*/.exec(rest());
    if (!/(<=|>=|=|<|>)/.test(token) && spaced) { i += spaced[0].length; token += spaced[1] + readWord(); }
    else if (/(<=|>=|=|<|>)$/.test(token)) { i += /^\s*/.exec(rest())![0].length; token += readWord(); }
    terms.push(classify(token));
  }
  return terms;

  // A run of characters up to whitespace or `)`, keeping quoted strings and a function's parentheses whole.
  function readWord(): string {
    let word = "";
    let depth = 0;
    while (i < text.length) {
      const ch = text[i];
      if (ch === '"' || ch === "'") {
        const end = text.indexOf(ch, i + 1);
        if (end < 0) throw new CompoundSyntaxError(`unterminated quote in '${text}'`);
        word += text.slice(i, end + 1);
        i = end + 1;
        continue;
      }
      if (depth === 0 && (/\s/.test(ch) || ch === ")")) break;
      if (ch === "(") depth++;
      if (ch === ")") depth--;
      word += ch;
      i++;
    }
    if (depth !== 0) throw new CompoundSyntaxError(`unbalanced parenthesis in '${text}'`);
    if (word === "" || OPERATOR_START.test(word) && !word.startsWith("!")) {
      throw new CompoundSyntaxError(`malformed token at '${text.slice(i)}' in '${text}'`);
    }
    return word;
  }
}

function classify(token: string): Term {
  const call = FUNCTION_CALL.exec(token);
  if (!call) return { kind: "statement", text: unquote(token) };
  const [, name, args, output, op, compare] = call;
  const param = args.trim() === "" ? null : unquote(args.trim());
  return { kind: "fstatement", name, param, ...(output ? { output } : {}), operator: op === "=" ? "==" : op, compare: unquote(compare) };
}

// `x="hello world"` → `x=hello world`; a bare quoted string loses its quotes.
function unquote(text: string): string {
  return text.replace(/(["'])(.*?)\1/g, "$2");
}

/** Evaluates compound text to a truth value: `!`/not binds tightest, then and, then or. Throws CompoundSyntaxError. */
export function evaluateCompound(text: string, judge: CompoundJudge): boolean {
  const terms = scanCompound(text);
  let pos = 0;
  const peek = () => terms[pos]?.kind;
  const fail = (): never => {
    throw new CompoundSyntaxError(`parse error in '${text}'`);
  };

  const orExpr = (): boolean => {
    let value = andExpr();
    while (peek() === "or") { pos++; const right = andExpr(); value = value || right; }
    return value;
  };
  const andExpr = (): boolean => {
    let value = unary();
    while (peek() === "and") { pos++; const right = unary(); value = value && right; }
    return value;
  };
  const unary = (): boolean => {
    const term = terms[pos++];
    if (!term) return fail();
    switch (term.kind) {
      case "not": return !unary();
      case "(": {
        const value = orExpr();
        if (terms[pos++]?.kind !== ")") fail();
        return value;
      }
      case "statement": return judge.statement(term.text);
      case "fstatement": return judge.fstatement(term);
      default: return fail();
    }
  };

  const result = orExpr();
  if (pos !== terms.length) fail();
  return result;
}

/** Compares a data function's output with the policy's value, as the legacy matcher does for fstatements. */
export function compareDataValue(left: unknown, operator: string, right: string): boolean {
  if (left === null || left === undefined) return false;
  const regex = /^\/(.*)\/$/.exec(right);
  if (regex) {
    if (typeof left !== "string" || !["==", "!="].includes(operator)) return false;
    return new RegExp(regex[1]).test(left) === (operator === "==");
  }
  if (typeof left === "boolean") {
    if (right !== "true" && right !== "false") return false;
    return compareWith(left ? 1 : 0, operator, right === "true" ? 1 : 0, ["==", "!="]);
  }
  if (typeof left === "number") {
    const num = Number(right);
    return right.trim() !== "" && !Number.isNaN(num) && compareWith(left, operator, num);
  }
  return compareWith(String(left), operator, right, ["==", "!="]);
}

function compareWith<T extends string | number>(a: T, op: string, b: T, allowed?: string[]): boolean {
  if (allowed && !allowed.includes(op)) return false;
  switch (op) {
    case "==": return a === b;
    case "!=": return a !== b;
    case "<": return a < b;
    case ">": return a > b;
    case "<=": return a <= b;
    case ">=": return a >= b;
    default: return false;
  }
}
