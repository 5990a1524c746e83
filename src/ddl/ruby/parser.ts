/** Recursive-descent parser for the Ruby subset of DDL files: method calls with or without parens, blocks, literals. */
import { DdlError, UnsupportedRubyError } from "../errors.js";
import { tokenize, type StringPart, type Token } from "./lexer.js";
import { RRegex, RSym, type RValue } from "./values.js";

export type Node =
  | { t: "lit"; value: RValue; line: number }
  | { t: "str"; parts: Array<string | Node>; line: number }
  | { t: "array"; items: Node[]; line: number }
  | { t: "hash"; pairs: Array<[Node, Node]>; line: number }
  | { t: "var"; name: string; line: number }
  | { t: "const"; path: string[]; line: number }
  | { t: "call"; recv?: Node; name: string; args: Node[]; block?: Block; line: number }
  | { t: "assign"; name: string; value: Node; line: number }
  | { t: "binop"; op: string; left: Node; right: Node; line: number }
  | { t: "not"; expr: Node; line: number }
  | { t: "index"; recv: Node; args: Node[]; line: number }
  | { t: "if"; cond: Node; then: Node[]; else: Node[]; line: number };

export interface Block {
  params: string[];
  body: Node[];
}

/** Ruby keywords that start constructs the DDL reader deliberately does not evaluate. */
const UNSUPPORTED = new Set(["case", "while", "until", "for", "def", "class", "module", "begin", "yield", "return", "lambda", "proc", "loop", "raise", "eval", "send", "system", "exec", "require", "load", "instance_eval"]);
const KEYWORDS = new Set(["if", "unless", "do", "end", "then", "else", "elsif", "when", "and", "or", "not", "rescue", "ensure", "in"]);
const MAX_DEPTH = 200;
const PRECEDENCE = new Map<string, number>(
  [["||", "or"], ["&&", "and"], ["==", "!=", "=~", "!~"], ["<", ">", "<=", ">="], ["+", "-"], ["*", "/", "%"]].flatMap((ops, level) => ops.map((op) => [op, level] as [string, number])),
);

/** Parses Ruby DDL source into statements; throws DdlError naming file, line and construct on anything unsupported. */
export function parseRuby(src: string, file: string, firstLine = 1): Node[] {
  return new Parser(tokenize(src, file, firstLine), file).program();
}

class Parser {
  private i = 0;
  private depth = 0;
  private readonly locals: Array<Set<string>> = [new Set()];

  constructor(private readonly tokens: Token[], private readonly file: string) {}

  program(): Node[] {
    return this.statements(() => this.peek().kind === "eof");
  }

  private statements(done: () => boolean): Node[] {
    const out: Node[] = [];
    for (;;) {
      while (this.isOp(";") || this.peek().kind === "nl") this.i++;
      if (done()) return out;
      if (this.peek().kind === "eof") throw this.error("unexpected end of file (a block is missing its 'end')");
      const before = this.i;
      out.push(this.statement());
      const t = this.peek();
      if (!(t.kind === "nl" || t.kind === "eof" || this.isOp(";") || done())) throw this.error("expected a new line");
      if (this.i === before) throw this.error("the reader could not make progress");
    }
  }

  private statement(): Node {
    const t = this.peek();
    if (t.kind === "ident" && UNSUPPORTED.has(t.value)) throw this.unsupported(t.value, t.line);
    if (t.kind === "ident" && (t.value === "if" || t.value === "unless")) {
      this.i++;
      return this.conditional(t.value === "unless", t.line);
    }
    let node = this.expr();
    for (;;) {
      const after = this.peek();
      if (after.kind !== "ident") return node;
      if (after.value === "if" || after.value === "unless") {
        this.i++;
        const cond = this.expr();
        node = { t: "if", cond: after.value === "unless" ? { t: "not", expr: cond, line: after.line } : cond, then: [node], else: [], line: after.line };
      } else if (after.value === "while" || after.value === "until" || after.value === "rescue") {
        throw this.unsupported(`${after.value} modifier`, after.line);
      } else {
        return node;
      }
    }
  }

  /** `if cond [then] ... [elsif ...] [else ...] end`, after the `if`/`unless`/`elsif` keyword. */
  private conditional(negate: boolean, line: number): Node {
    const raw = this.expr();
    const cond: Node = negate ? { t: "not", expr: raw, line } : raw;
    if (this.isIdent("then")) this.i++;
    const stop = () => this.isIdent("elsif") || this.isIdent("else") || this.isIdent("end");
    const then = this.statements(stop);
    let otherwise: Node[] = [];
    const t = this.next();
    if (t.kind === "ident" && t.value === "elsif") {
      otherwise = [this.conditional(false, t.line)];
      return { t: "if", cond, then, else: otherwise, line };
    }
    if (t.kind === "ident" && t.value === "else") {
      otherwise = this.statements(() => this.isIdent("end"));
      this.i++;
    }
    return { t: "if", cond, then, else: otherwise, line };
  }

  /** Runs `parse` one nesting level deeper, refusing absurd depths instead of overflowing the stack. */
  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_DEPTH) throw this.error("expression nested too deeply");
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private expr(): Node {
    return this.nested(() => this.exprAt());
  }

  private exprAt(): Node {
    const t = this.peek();
    const next = this.tokens[this.i + 1];
    if ((t.kind === "ident" || t.kind === "const") && next.kind === "op" && next.value === "=") {
      this.i += 2;
      this.skipNewlines();
      if (t.kind === "ident") this.locals[this.locals.length - 1].add(t.value);
      return { t: "assign", name: t.value, value: this.expr(), line: t.line };
    }
    if (t.kind === "ivar") throw this.unsupported(`instance variable ${t.value}`, t.line);
    return this.binary(0);
  }

  /** Precedence climbing over the binary operators, loosest first. */
  private binary(minLevel: number): Node {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      const op = t.kind === "op" || t.kind === "ident" ? t.value : undefined;
      const level = op === undefined ? undefined : PRECEDENCE.get(op);
      if (op === undefined || level === undefined || level < minLevel) return left;
      this.i++;
      this.skipNewlines();
      left = { t: "binop", op, left, right: this.nested(() => this.binary(level + 1)), line: t.line };
    }
  }

  private unary(): Node {
    const t = this.peek();
    if ((this.isOp("!") || (t.kind === "ident" && t.value === "not"))) {
      this.i++;
      return { t: "not", expr: this.nested(() => this.unary()), line: t.line };
    }
    if (this.isOp("-") || this.isOp("+")) {
      this.i++;
      const operand = this.nested(() => this.unary());
      const sign = (t as { value: string }).value;
      if (operand.t === "lit" && typeof operand.value === "number") return { t: "lit", value: sign === "-" ? -operand.value : operand.value, line: t.line };
      return { t: "binop", op: sign, left: { t: "lit", value: 0, line: t.line }, right: operand, line: t.line };
    }
    return this.postfix(this.primary());
  }

  private postfix(node: Node): Node {
    for (;;) {
      const t = this.peek();
      if (this.isOp(".") || (t.kind === "nl" && this.nextLineStartsWithDot())) {
        if (t.kind === "nl") this.skipNewlines();
        this.i++;
        this.skipNewlines();
        const name = this.next();
        if (name.kind !== "ident" && name.kind !== "const") throw this.error("expected a method name after '.'");
        node = this.callRest(name.value, name.line, node);
      } else if (this.isOp("::")) {
        this.i++;
        const name = this.next();
        if (name.kind !== "const" || node.t !== "const") throw this.error("expected a constant after '::'");
        node = { t: "const", path: [...node.path, name.value], line: node.line };
      } else if (this.isOp("[") && !t.spaced) {
        this.i++;
        node = { t: "index", recv: node, args: this.list("]"), line: t.line };
      } else {
        return node;
      }
    }
  }

  private nextLineStartsWithDot(): boolean {
    let j = this.i;
    while (this.tokens[j].kind === "nl") j++;
    const t = this.tokens[j];
    return t.kind === "op" && t.value === ".";
  }

  private primary(): Node {
    const t = this.next();
    switch (t.kind) {
      case "num":
        return { t: "lit", value: t.value, line: t.line };
      case "sym":
        return { t: "lit", value: new RSym(t.value), line: t.line };
      case "regex":
        return { t: "lit", value: new RRegex(t.source, t.flags), line: t.line };
      case "words":
        return { t: "lit", value: t.words.map((w) => (t.symbols ? new RSym(w) : w)), line: t.line };
      case "str": {
        // Adjacent literals concatenate: "a" "b" is "ab".
        const parts = [...t.parts];
        for (let n = this.peek(); n.kind === "str"; n = this.peek()) parts.push(...(this.next() as typeof t).parts);
        return this.string(parts, t.line);
      }
      case "label":
        throw new DdlError(`${this.file}:${t.line}: unexpected '${t.value}:' outside a hash or argument list`);
      case "const":
        return { t: "const", path: [t.value], line: t.line };
      case "ident":
        return this.identifier(t.value, t.line);
      case "op":
        if (t.value === "(") {
          this.skipNewlines();
          const inner = this.expr();
          this.skipNewlines();
          this.expectOp(")");
          return inner;
        }
        if (t.value === "[") return { t: "array", items: this.list("]"), line: t.line };
        if (t.value === "{") return this.hash(t.line);
        if (t.value === "->") throw this.unsupported("lambda", t.line);
        throw new DdlError(`${this.file}:${t.line}: unexpected '${t.value}'`);
      case "ivar":
        throw this.unsupported(`instance variable ${t.value}`, t.line);
      default:
        throw new DdlError(`${this.file}:${t.line}: unexpected ${t.kind === "eof" ? "end of file" : "end of line"}`);
    }
  }

  private identifier(name: string, line: number): Node {
    if (name === "nil") return { t: "lit", value: null, line };
    if (name === "true" || name === "false") return { t: "lit", value: name === "true", line };
    if (UNSUPPORTED.has(name)) throw this.unsupported(name, line);
    if (KEYWORDS.has(name)) throw new DdlError(`${this.file}:${line}: unexpected '${name}'`);
    if (this.isLocal(name) && !this.isOp("(")) return { t: "var", name, line };
    return this.callRest(name, line, undefined);
  }

  /** After a method name: `(args)`, bare command args, then an optional `do ... end` or `{ ... }` block. */
  private callRest(name: string, line: number, recv: Node | undefined): Node {
    let args: Node[] = [];
    let parens = false;
    const t = this.peek();
    if (this.isOp("(") && !t.spaced) {
      this.i++;
      args = this.list(")");
      parens = true;
    } else if (this.startsCommandArg()) {
      args = this.commandArgs();
    }
    const call: Node = { t: "call", recv, name, args, line };
    const b = this.peek();
    if (b.kind === "ident" && b.value === "do") {
      this.i++;
      call.block = this.block("end");
    } else if (this.isOp("{") && (parens || args.length === 0)) {
      this.i++;
      call.block = this.block("}");
    }
    return call;
  }

  /** Whether the next token, on the same line, begins an argument of a parenless call. */
  private startsCommandArg(): boolean {
    const t = this.peek();
    if (!t.spaced) return false;
    switch (t.kind) {
      case "str":
      case "sym":
      case "num":
      case "regex":
      case "words":
      case "label":
      case "const":
      case "ivar":
        return true;
      case "ident":
        // `foo if x` and `foo while x` are modifiers, not arguments.
        return !KEYWORDS.has(t.value) && t.value !== "while" && t.value !== "until";
      case "op": {
        const next = this.tokens[this.i + 1];
        if (t.value === "[" || t.value === "!" || t.value === "->" || t.value === "(") return true;
        return (t.value === "-" || t.value === "*" || t.value === "&" || t.value === "::") && !next.spaced;
      }
      default:
        return false;
    }
  }

  private commandArgs(): Node[] {
    const args = new ArgList();
    for (;;) {
      const before = this.i;
      args.add(this.argument());
      if (this.i === before) throw this.error("the reader could not make progress");
      if (!this.isOp(",")) return args.items;
      this.i++;
      this.skipNewlines();
    }
  }

  /** One call argument: a value, or a `key => value` / `key: value` pair belonging to a trailing hash. */
  private argument(): Node | [Node, Node] {
    const t = this.peek();
    if (t.kind === "label") {
      this.i++;
      this.skipNewlines();
      return [{ t: "lit", value: new RSym(t.value), line: t.line }, this.expr()];
    }
    if (this.isOp("*") || this.isOp("&")) throw this.unsupported("splat or block argument", t.line);
    const value = this.expr();
    if (this.isOp("=>")) {
      this.i++;
      this.skipNewlines();
      return [value, this.expr()];
    }
    return value;
  }

  /** Comma-separated arguments up to `close`, allowing newlines and a trailing comma; hash pairs become one hash. */
  private list(close: string): Node[] {
    const items = new ArgList();
    for (;;) {
      this.skipNewlines();
      if (this.isOp(close)) {
        this.i++;
        return items.items;
      }
      const before = this.i;
      items.add(this.argument());
      this.skipNewlines();
      if (this.isOp(",")) this.i++;
      else if (!this.isOp(close)) throw this.error(`expected ',' or '${close}'`);
      if (this.i === before) throw this.error("the reader could not make progress");
    }
  }

  private hash(line: number): Node {
    const pairs: Array<[Node, Node]> = [];
    for (;;) {
      this.skipNewlines();
      if (this.isOp("}")) {
        this.i++;
        return { t: "hash", pairs, line };
      }
      const before = this.i;
      const pair = this.argument();
      if (!Array.isArray(pair)) throw this.error("expected 'key => value' in a hash");
      pairs.push(pair);
      this.skipNewlines();
      if (this.isOp(",")) this.i++;
      else if (!this.isOp("}")) throw this.error("expected ',' or '}'");
      if (this.i === before) throw this.error("the reader could not make progress");
    }
  }

  private block(close: "end" | "}"): Block {
    return this.nested(() => this.blockAt(close));
  }

  private blockAt(close: "end" | "}"): Block {
    const params: string[] = [];
    this.skipNewlines();
    if (this.isOp("|")) {
      this.i++;
      while (!this.isOp("|")) {
        const p = this.next();
        if (p.kind !== "ident") throw this.error("expected a block parameter name");
        params.push(p.value);
        if (this.isOp(",")) this.i++;
      }
      this.i++;
    }
    this.locals.push(new Set(params));
    const body = this.statements(() => (close === "end" ? this.isIdent("end") : this.isOp("}")));
    this.locals.pop();
    this.i++;
    return { params, body };
  }

  private string(parts: StringPart[], line: number): Node {
    if (parts.every((p) => typeof p === "string")) return { t: "lit", value: parts.join(""), line };
    const out: Array<string | Node> = parts.map((p) => {
      if (typeof p === "string") return p;
      const sub = new Parser(tokenize(p.code, this.file, p.line), this.file);
      sub.locals.push(...this.locals);
      sub.depth = this.depth + 1;
      const body = sub.program();
      if (body.length !== 1) throw new UnsupportedRubyError(`${this.file}:${p.line}: cannot evaluate the interpolation #{${p.code}}`);
      return body[0];
    });
    return { t: "str", parts: out, line };
  }

  private isLocal(name: string): boolean {
    return this.locals.some((scope) => scope.has(name));
  }

  private peek(): Token {
    return this.tokens[this.i];
  }

  private next(): Token {
    const t = this.tokens[this.i];
    if (t.kind !== "eof") this.i++;
    return t;
  }

  private isOp(value: string): boolean {
    const t = this.tokens[this.i];
    return t.kind === "op" && t.value === value;
  }

  private isIdent(value: string): boolean {
    const t = this.tokens[this.i];
    return t.kind === "ident" && t.value === value;
  }

  private expectOp(value: string): void {
    if (!this.isOp(value)) throw this.error(`expected '${value}'`);
    this.i++;
  }

  private skipNewlines(): void {
    while (this.peek().kind === "nl") this.i++;
  }

  private unsupported(construct: string, line: number): UnsupportedRubyError {
    return new UnsupportedRubyError(`${this.file}:${line}: the DDL reader cannot evaluate Ruby '${construct}' (only the DDL language and Ruby literals are supported)`);
  }

  private error(what: string): DdlError {
    const t = this.peek();
    const near = t.kind === "eof" ? "end of file" : t.kind === "nl" ? "end of line" : "value" in t ? `'${String(t.value)}'` : t.kind;
    return new DdlError(`${this.file}:${t.line}: ${what} (at ${near})`);
  }
}

/** Call arguments, where `key => value` pairs written without braces gather into one trailing hash, as in Ruby. */
class ArgList {
  readonly items: Node[] = [];
  private trailing?: Node & { t: "hash" };

  add(item: Node | [Node, Node]): void {
    if (!Array.isArray(item)) {
      this.items.push(item);
      return;
    }
    if (!this.trailing) {
      this.trailing = { t: "hash", pairs: [], line: item[0].line };
      this.items.push(this.trailing);
    }
    this.trailing.pairs.push(item);
  }
}
