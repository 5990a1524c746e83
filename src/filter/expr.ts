/**
 * The Choria compound form `[{expr: "..."}]`: a small expression language in the manner of expr-lang
 * (`with('apache') && fact('os.family') == 'Debian'`, `include(classes, 'x')`, `fstat('/etc/hosts').size > 0`).
 */
import { compareFact, compareOrdered, isObject, lookupFact } from "./facts.js";
import { hasAgent, hasClass, type NodeView } from "./node.js";
import { looseRegex } from "./regex.js";
import { parseStatement } from "./statement.js";
import semver from "semver";

/** A compound expression that cannot be read; the message says where. */
export class ExprError extends Error {
  constructor(message: string, readonly expr: string) {
    super(`${message} in compound filter '${expr}'`);
    this.name = "ExprError";
  }
}

type Node =
  | { t: "lit"; v: unknown }
  | { t: "var"; name: string }
  | { t: "list"; items: Node[] }
  | { t: "call"; name: string; args: Node[] }
  | { t: "member"; of: Node; key: Node }
  | { t: "unary"; op: string; arg: Node }
  | { t: "binary"; op: string; left: Node; right: Node };

type Token = { k: "num" | "str" | "id" | "op"; v: string };

const OPERATORS = ["&&", "||", "==", "!=", "<=", ">=", "=~", "<", ">", "!", "(", ")", "[", "]", ",", ".", "-", "+"];
const WORD_OPERATORS = new Set(["and", "or", "not", "in", "matches", "contains", "startsWith", "endsWith"]);
const BUILTINS = new Set(["with", "fact", "include", "semver"]);

/** Parses an expression once, for evaluation against many nodes. */
export function parseExpr(source: string): Node {
  return new Parser(lex(source, source), source).parseAll();
}

/** True when the expression is true for the node; anything that is not the boolean true is false. */
export function evaluateExpr(source: string, node: NodeView): boolean {
  return evaluate(parseExpr(source), node) === true;
}

/** The data-plugin calls with literal arguments that an expression makes, so they can be answered first. */
export function exprDataCalls(source: string): Array<{ plugin: string; query: string | null }> {
  const calls: Array<{ plugin: string; query: string | null }> = [];
  const visit = (n: Node): void => {
    if (n.t === "call" && !BUILTINS.has(n.name)) {
      const arg = n.args[0];
      calls.push({ plugin: n.name, query: arg?.t === "lit" ? String(arg.v) : null });
    }
    for (const child of children(n)) visit(child);
  };
  visit(parseExpr(source));
  return calls;
}

function children(n: Node): Node[] {
  switch (n.t) {
    case "list":
      return n.items;
    case "call":
      return n.args;
    case "member":
      return [n.of, n.key];
    case "unary":
      return [n.arg];
    case "binary":
      return [n.left, n.right];
    default:
      return [];
  }
}

function lex(text: string, source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const space = /^\s+/.exec(rest);
    const num = /^\d+(\.\d+)?/.exec(rest);
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (space) i += space[0].length;
    else if (num) (tokens.push({ k: "num", v: num[0] }), (i += num[0].length));
    else if (id) (tokens.push({ k: WORD_OPERATORS.has(id[0]) ? "op" : "id", v: id[0] }), (i += id[0].length));
    else if (rest[0] === "'" || rest[0] === '"') {
      const [value, length] = readString(rest, source);
      tokens.push({ k: "str", v: value });
      i += length;
    } else {
      const op = OPERATORS.find((o) => rest.startsWith(o));
      if (!op) throw new ExprError(`unexpected character '${rest[0]}' at position ${i + 1}`, source);
      tokens.push({ k: "op", v: op });
      i += op.length;
    }
  }
  return tokens;
}

function readString(rest: string, source: string): [string, number] {
  const quote = rest[0];
  let value = "";
  for (let i = 1; i < rest.length; i++) {
    if (rest[i] === "\\" && i + 1 < rest.length) value += rest[++i];
    else if (rest[i] === quote) return [value, i + 1];
    else value += rest[i];
  }
  throw new ExprError("unterminated string", source);
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[], private readonly source: string) {}

  parseAll(): Node {
    const node = this.or();
    if (this.at < this.tokens.length) this.fail(`unexpected '${this.tokens[this.at].v}'`);
    return node;
  }

  private or(): Node {
    let left = this.and();
    while (this.accept("||") || this.accept("or")) left = { t: "binary", op: "||", left, right: this.and() };
    return left;
  }

  private and(): Node {
    let left = this.comparison();
    while (this.accept("&&") || this.accept("and")) left = { t: "binary", op: "&&", left, right: this.comparison() };
    return left;
  }

  private comparison(): Node {
    const left = this.unary();
    const token = this.tokens[this.at];
    if (token?.k === "op" && token.v === "not" && this.tokens[this.at + 1]?.v === "in") {
      this.at += 2;
      return { t: "unary", op: "!", arg: { t: "binary", op: "in", left, right: this.unary() } };
    }
    const ops = ["==", "!=", "<=", ">=", "<", ">", "=~", "in", "matches", "contains", "startsWith", "endsWith"];
    if (token?.k === "op" && ops.includes(token.v)) {
      this.at++;
      return { t: "binary", op: token.v === "=~" ? "matches" : token.v, left, right: this.unary() };
    }
    return left;
  }

  private unary(): Node {
    if (this.accept("!") || this.accept("not")) return { t: "unary", op: "!", arg: this.unary() };
    if (this.accept("-")) return { t: "unary", op: "-", arg: this.unary() };
    return this.postfix();
  }

  private postfix(): Node {
    let node = this.primary();
    for (;;) {
      if (this.accept(".")) {
        const key = this.tokens[this.at++];
        if (!key || (key.k !== "id" && key.k !== "num")) this.fail("expected a name after '.'");
        node = { t: "member", of: node, key: { t: "lit", v: key.v } };
      } else if (this.accept("[")) {
        node = { t: "member", of: node, key: this.or() };
        this.expect("]");
      } else return node;
    }
  }

  private primary(): Node {
    const token = this.tokens[this.at++];
    if (!token) return this.fail("unexpected end");
    if (token.k === "num") return { t: "lit", v: Number(token.v) };
    if (token.k === "str") return { t: "lit", v: token.v };
    if (token.k === "id") {
      if (token.v === "true" || token.v === "false") return { t: "lit", v: token.v === "true" };
      if (token.v === "nil" || token.v === "null") return { t: "lit", v: null };
      if (this.accept("(")) return { t: "call", name: token.v, args: this.list(")") };
      return { t: "var", name: token.v };
    }
    if (token.v === "(") {
      const inner = this.or();
      this.expect(")");
      return inner;
    }
    if (token.v === "[") return { t: "list", items: this.list("]") };
    return this.fail(`unexpected '${token.v}'`);
  }

  private list(close: string): Node[] {
    const items: Node[] = [];
    if (this.accept(close)) return items;
    do items.push(this.or());
    while (this.accept(","));
    this.expect(close);
    return items;
  }

  private accept(op: string): boolean {
    const token = this.tokens[this.at];
    if (token?.k === "op" && token.v === op) {
      this.at++;
      return true;
    }
    return false;
  }

  private expect(op: string): void {
    if (!this.accept(op)) this.fail(`expected '${op}'`);
  }

  private fail(message: string): never {
    throw new ExprError(message, this.source);
  }
}

function evaluate(n: Node, node: NodeView): unknown {
  switch (n.t) {
    case "lit":
      return n.v;
    case "var":
      return variable(n.name, node);
    case "list":
      return n.items.map((item) => evaluate(item, node));
    case "member":
      return member(evaluate(n.of, node), evaluate(n.key, node));
    case "call":
      return call(n.name, n.args.map((a) => evaluate(a, node)), node);
    case "unary": {
      const value = evaluate(n.arg, node);
      return n.op === "!" ? value !== true : typeof value === "number" ? -value : undefined;
    }
    case "binary":
      return binary(n, node);
  }
}

function variable(name: string, node: NodeView): unknown {
  if (name === "agents") return node.agents;
  if (name === "classes") return node.classes;
  if (name === "facts") return node.facts;
  if (name === "identity") return node.identity;
  return undefined;
}

function member(of: unknown, key: unknown): unknown {
  if (Array.isArray(of) && (typeof key === "number" || /^\d+$/.test(String(key)))) return of[Number(key)];
  if (isObject(of)) return of[String(key)];
  return undefined;
}

function call(name: string, args: unknown[], node: NodeView): unknown {
  switch (name) {
    case "with":
      return withCheck(String(args[0] ?? ""), node);
    case "fact":
      return lookupFact(node.facts, String(args[0] ?? ""));
    case "include":
      return Array.isArray(args[0]) && args[0].some((item) => equal(item, args[1]));
    case "semver":
      return semverSatisfies(String(args[0] ?? ""), String(args[1] ?? ""));
    default:
      return node.data?.(name, args.length === 0 ? null : String(args[0]));
  }
}

/** `with('x')`: a fact comparison when it has an operator, else a class or an agent of that name. */
function withCheck(text: string, node: NodeView): boolean {
  const parsed = parseStatement(text);
  if (parsed.kind === "fact") return compareFact(lookupFact(node.facts, parsed.rule.fact), parsed.rule.operator, parsed.rule.value);
  return hasClass(node, parsed.name) || hasAgent(node, parsed.name);
}

function binary(n: Extract<Node, { t: "binary" }>, node: NodeView): unknown {
  if (n.op === "&&") return evaluate(n.left, node) === true && evaluate(n.right, node) === true;
  if (n.op === "||") return evaluate(n.left, node) === true || evaluate(n.right, node) === true;
  const left = evaluate(n.left, node);
  const right = evaluate(n.right, node);
  switch (n.op) {
    case "==":
      return equal(left, right);
    case "!=":
      return !equal(left, right);
    case "<":
    case ">":
    case "<=":
    case ">=":
      return ordered(left, n.op, right);
    case "in":
      return Array.isArray(right) ? right.some((item) => equal(item, left)) : isObject(right) && String(left) in right;
    case "matches": {
      return typeof left === "string" && looseRegex(String(right)).test(left);
    }
    case "contains":
      return typeof left === "string" && left.includes(String(right));
    case "startsWith":
      return typeof left === "string" && left.startsWith(String(right));
    case "endsWith":
      return typeof left === "string" && left.endsWith(String(right));
    default:
      return undefined;
  }
}

function ordered(left: unknown, op: string, right: unknown): boolean {
  const bothNumbers = typeof left === "number" && typeof right === "number";
  const bothStrings = typeof left === "string" && typeof right === "string";
  if (!bothNumbers && !bothStrings) return false;
  return compareOrdered(left as number | string, op, right as number | string);
}

/** Deep equality, with numbers equal whatever their JSON spelling. */
function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => equal(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => equal(a[k], b[k]));
  }
  return false;
}

/**
 * `semver('1.2.3', '>= 1.2')`, `^1.2`, `~1.5`, `1.x`, `>= 1.2, < 2`: the constraint language Choria's servers read,
 * where a version may leave out its minor and patch parts and a pre-release only satisfies a range that names one.
 */
function semverSatisfies(version: string, constraint: string): boolean {
  const have = /^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?([-+][0-9A-Za-z.+-]*)?\s*$/.exec(version);
  if (!have) return false;
  const full = `${have[1]}.${have[2] ?? 0}.${have[3] ?? 0}${have[4] ?? ""}`;
  const range = semver.validRange(constraint.replace(/,/g, " "));
  return semver.valid(full) !== null && range !== null && semver.satisfies(full, range);
}
