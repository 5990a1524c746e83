/** The legacy compound (`-S`) token form: statements, data-plugin calls, and/or/not and parentheses. */
import type { CompoundToken } from "../protocol/types.js";
import { compareOrdered, matchFact, parseTruth, toNumber } from "./facts.js";
import { hasClass, type NodeView } from "./node.js";
import { looseRegex } from "./regex.js";
import { parseStatement } from "./statement.js";

type FStatement = Extract<CompoundToken, { fstatement: unknown }>["fstatement"];

/** Evaluates one `-S` token list with `!` over `and` over `or`; a malformed list never matches. */
export function evaluateTokens(tokens: CompoundToken[], node: NodeView): boolean {
  const reader = new TokenReader(tokens, node);
  const result = reader.or();
  return reader.done() && result === true;
}

/** The data-plugin calls a token list makes, so that the caller can answer them before matching. */
export function tokenDataCalls(tokens: CompoundToken[]): Array<{ plugin: string; query: string | null }> {
  return tokens.flatMap((t) => ("fstatement" in t ? [{ plugin: t.fstatement.name, query: t.fstatement.params ?? null }] : []));
}

class TokenReader {
  private at = 0;
  constructor(private readonly tokens: CompoundToken[], private readonly node: NodeView) {}

  done(): boolean {
    return this.at === this.tokens.length;
  }

  or(): boolean | undefined {
    let left = this.and();
    while (left !== undefined && this.peek("or")) {
      this.at++;
      const right = this.and();
      left = right === undefined ? undefined : left || right;
    }
    return left;
  }

  private and(): boolean | undefined {
    let left = this.not();
    while (left !== undefined && this.peek("and")) {
      this.at++;
      const right = this.not();
      left = right === undefined ? undefined : left && right;
    }
    return left;
  }

  private not(): boolean | undefined {
    if (this.peek("not")) {
      this.at++;
      const inner = this.not();
      return inner === undefined ? undefined : !inner;
    }
    return this.operand();
  }

  private operand(): boolean | undefined {
    const token = this.tokens[this.at++];
    if (token === undefined) return undefined;
    if ("(" in token) {
      const inner = this.or();
      if (!this.peek(")")) return undefined;
      this.at++;
      return inner;
    }
    if ("statement" in token) return this.statement(token.statement);
    if ("fstatement" in token) return evaluateDataCall(token.fstatement, this.node);
    return undefined;
  }

  private statement(text: string): boolean {
    const parsed = parseStatement(text);
    return parsed.kind === "class" ? hasClass(this.node, parsed.name) : matchFact(this.node.facts, parsed.rule);
  }

  private peek(key: "and" | "or" | "not" | ")"): boolean {
    const token = this.tokens[this.at];
    return token !== undefined && key in token;
  }
}

/** Runs `name(params).value <op> r_compare` against the node's data plugins; no answer means false. */
export function evaluateDataCall(call: FStatement, node: NodeView): boolean {
  const params = call.params ?? null;
  if (params !== null && params.includes("`")) return false;
  const result = node.data?.(call.name, params);
  if (result === undefined) return false;
  const left = call.value ? result[call.value] : Object.values(result)[0];
  return compareDataValue(left, call.operator, call.r_compare);
}

/** Compares a data plugin output with the right side of an fstatement, by the left side's type. */
export function compareDataValue(left: unknown, operator: string, right: unknown): boolean {
  if (left === undefined || left === null) return false;
  const op = operator === "=" ? "==" : operator;
  if (op === "=~" || op === "!=~") {
    if (typeof left !== "string") return false;
    return looseRegex(String(right)).test(left) === (op === "=~");
  }
  if (typeof left === "boolean") {
    const wanted = typeof right === "boolean" ? right : parseTruth(String(right));
    if (wanted === undefined) return false;
    return op === "==" ? left === wanted : op === "!=" ? left !== wanted : false;
  }
  if (typeof left === "number") {
    const wanted = typeof right === "number" ? right : toNumber(String(right));
    return wanted !== undefined && compareOrdered(left, op, wanted);
  }
  if (op !== "==" && op !== "!=") return false;
  return compareOrdered(String(left), op, String(right));
}
