/** Evaluates parsed DDL statements: literals, locals, constants, a few core methods; DSL calls go to a host. */
import { DdlError, UnsupportedRubyError } from "../errors.js";
import type { Block, Node } from "./parser.js";
import { RHash, RRegex, RSym, rubyInspect, rubyToS, type RValue } from "./values.js";

/** Receives the receiver-less method calls (the DSL keywords); returns undefined for a name it does not know. */
export interface DslHost {
  call(name: string, args: RValue[], block: (() => void) | undefined, line: number): RValue | undefined;
  /** `respond_to?(name)` on the DDL object; undefined when the host cannot tell (Ruby must answer). */
  respondsTo(name: string): boolean | undefined;
}

type Scope = Map<string, RValue>;

/** Runs `program` against `host`; errors name `file` and the line of the offending construct. */
export function evaluate(program: Node[], host: DslHost, file: string): void {
  new Interpreter(host, file).run(program, [new Map()]);
}

class Interpreter {
  private readonly constants = new Map<string, RValue>();

  constructor(private readonly host: DslHost, private readonly file: string) {}

  run(body: Node[], scopes: Scope[]): RValue {
    let last: RValue = null;
    for (const node of body) last = this.eval(node, scopes);
    return last;
  }

  private eval(node: Node, scopes: Scope[]): RValue {
    switch (node.t) {
      case "lit":
        return node.value;
      case "str":
        return node.parts.map((p) => (typeof p === "string" ? p : rubyToS(this.eval(p, scopes)))).join("");
      case "array":
        return node.items.map((n) => this.eval(n, scopes));
      case "hash":
        return new RHash(node.pairs.map(([k, v]) => [this.eval(k, scopes), this.eval(v, scopes)]));
      case "var":
        return this.lookup(node.name, scopes, node.line);
      case "const": {
        const name = node.path.join("::");
        if (!this.constants.has(name)) throw this.unsupported(node.line, `unknown constant ${name}`);
        return this.constants.get(name)!;
      }
      case "assign": {
        const value = this.eval(node.value, scopes);
        if (/^[A-Z]/.test(node.name)) this.constants.set(node.name, value);
        else (scopes.find((s) => s.has(node.name)) ?? scopes[scopes.length - 1]).set(node.name, value);
        return value;
      }
      case "not":
        return !truthy(this.eval(node.expr, scopes));
      case "binop":
        return this.binop(node.op, node.left, node.right, scopes, node.line);
      case "index":
        return this.index(this.eval(node.recv, scopes), node.args.map((a) => this.eval(a, scopes)), node.line);
      case "call":
        return this.call(node, scopes);
      case "if":
        return this.run(truthy(this.eval(node.cond, scopes)) ? node.then : node.else, scopes);
    }
  }

  private lookup(name: string, scopes: Scope[], line: number): RValue {
    for (let i = scopes.length - 1; i >= 0; i--) if (scopes[i].has(name)) return scopes[i].get(name)!;
    throw this.error(line, `undefined local variable ${name}`);
  }

  private call(node: Node & { t: "call" }, scopes: Scope[]): RValue {
    if (!node.recv && node.name === "defined?" && node.args.length === 1) return this.defined(node.args[0], scopes);
    const args = node.args.map((a) => this.eval(a, scopes));
    if (!node.recv && node.name === "respond_to?" && args.length >= 1) return this.respondsTo(rubyToS(args[0]), node.line);
    if (node.recv) return this.method(this.eval(node.recv, scopes), node.name, args, node.block, scopes, node.line);
    if (!node.block && args.length === 0) {
      for (let i = scopes.length - 1; i >= 0; i--) if (scopes[i].has(node.name)) return scopes[i].get(node.name)!;
    }
    const block = node.block;
    const run = block ? () => void this.run(block.body, [...scopes, new Map()]) : undefined;
    const result = this.host.call(node.name, args, run, node.line);
    if (result === undefined) throw this.unsupported(node.line, `the DDL reader cannot evaluate Ruby method '${node.name}'`);
    return result;
  }

  private respondsTo(name: string, line: number): boolean {
    const answer = this.host.respondsTo(name);
    if (answer === undefined) throw this.unsupported(line, `the DDL reader cannot tell whether the DDL responds to '${name}'`);
    return answer;
  }

  /** Ruby's `defined?` for what the reader can know: literals, locals, its own constants and the host's methods. */
  private defined(node: Node, scopes: Scope[]): RValue {
    switch (node.t) {
      case "lit":
      case "str":
      case "array":
      case "hash":
        return "expression";
      case "var":
        return "local-variable";
      case "const":
        if (this.constants.has(node.path.join("::"))) return "constant";
        break;
      case "call":
        if (node.recv || node.block) break;
        if (node.args.length === 0 && scopes.some((s) => s.has(node.name))) return "local-variable";
        return this.respondsTo(node.name, node.line) ? "method" : null;
    }
    throw this.unsupported(node.line, "the DDL reader cannot evaluate this defined? (Ruby must answer)");
  }

  private yieldTo(block: Block | undefined, scopes: Scope[], values: RValue[], line: number): RValue {
    if (!block) throw this.error(line, "a block is required here");
    const scope: Scope = new Map();
    // Ruby spreads a single array argument over several block parameters (`each do |k, v|`).
    const spread = block.params.length > 1 && values.length === 1 && Array.isArray(values[0]) ? (values[0] as RValue[]) : values;
    block.params.forEach((p, i) => scope.set(p, spread[i] ?? null));
    return this.run(block.body, [...scopes, scope]);
  }

  private method(recv: RValue, name: string, args: RValue[], block: Block | undefined, scopes: Scope[], line: number): RValue {
    const each = (items: RValue[]) => items.map((item) => this.yieldTo(block, scopes, [item], line));
    if (Array.isArray(recv)) {
      switch (name) {
        case "each":
          each(recv);
          return recv;
        case "each_with_index":
          recv.forEach((item, i) => this.yieldTo(block, scopes, [item, i], line));
          return recv;
        case "map":
        case "collect":
          return each(recv);
        case "join":
          return recv.map(rubyToS).join(args[0] === undefined ? "" : rubyToS(args[0]));
        case "size":
        case "length":
          return recv.length;
        case "first":
          return recv[0] ?? null;
        case "last":
          return recv[recv.length - 1] ?? null;
        case "sort":
          return [...recv].sort((a, b) => (rubyToS(a) < rubyToS(b) ? -1 : rubyToS(a) > rubyToS(b) ? 1 : 0));
        case "uniq":
          return recv.filter((v, i) => recv.findIndex((w) => rubyInspect(w) === rubyInspect(v)) === i);
        case "include?":
          return recv.some((v) => rubyInspect(v) === rubyInspect(args[0] ?? null));
        case "freeze":
        case "to_a":
          return recv;
      }
    }
    if (recv instanceof RHash) {
      switch (name) {
        case "each":
          recv.entries.forEach(([k, v]) => this.yieldTo(block, scopes, [k, v], line));
          return recv;
        case "keys":
          return recv.entries.map(([k]) => k);
        case "values":
          return recv.entries.map(([, v]) => v);
        case "merge":
          if (args[0] instanceof RHash) return new RHash([...recv.entries.filter(([k]) => !(args[0] as RHash).entries.some(([j]) => rubyInspect(j) === rubyInspect(k))), ...args[0].entries]);
          break;
        case "freeze":
        case "to_h":
          return recv;
      }
    }
    if (typeof recv === "string" || recv instanceof RSym) {
      const s = rubyToS(recv);
      switch (name) {
        case "to_s":
        case "to_str":
          return s;
        case "to_sym":
        case "intern":
          return new RSym(s);
        case "capitalize":
          return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
        case "upcase":
          return s.toUpperCase();
        case "downcase":
          return s.toLowerCase();
        case "strip":
          return s.trim();
        case "freeze":
          return recv;
        case "to_i":
          return parseInt(s, 10) || 0;
        case "size":
        case "length":
          return s.length;
        case "split":
          return s.split(args[0] === undefined ? /\s+/ : rubyToS(args[0])).filter((p, i, all) => p !== "" || i < all.length - 1);
        case "gsub":
        case "sub":
          if (typeof args[1] === "string") {
            const re = args[0] instanceof RRegex ? new RegExp(args[0].source, name === "gsub" ? "g" : "") : rubyToS(args[0] ?? "");
            return name === "gsub" && typeof re === "string" ? s.split(re).join(args[1]) : s.replace(re, args[1]);
          }
      }
    }
    if (typeof recv === "number") {
      switch (name) {
        case "to_s":
          return String(recv);
        case "to_i":
          return Math.trunc(recv);
        case "to_f":
          return recv;
      }
    }
    if (name === "to_s") return rubyToS(recv);
    if (name === "inspect") return rubyInspect(recv);
    if (name === "nil?") return recv === null;
    throw this.unsupported(line, `the DDL reader cannot evaluate Ruby method '${name}' on ${rubyInspect(recv).slice(0, 40)}`);
  }

  private index(recv: RValue, args: RValue[], line: number): RValue {
    const key = args[0];
    if (Array.isArray(recv) && typeof key === "number") return recv[key < 0 ? recv.length + key : key] ?? null;
    if (recv instanceof RHash && key !== undefined) return recv.entries.find(([k]) => rubyInspect(k) === rubyInspect(key))?.[1] ?? null;
    throw this.error(line, "cannot index this value");
  }

  private binop(op: string, leftNode: Node, rightNode: Node, scopes: Scope[], line: number): RValue {
    const left = this.eval(leftNode, scopes);
    if (op === "||" || op === "or") return truthy(left) ? left : this.eval(rightNode, scopes);
    if (op === "&&" || op === "and") return truthy(left) ? this.eval(rightNode, scopes) : left;
    const right = this.eval(rightNode, scopes);
    if (op === "==") return rubyInspect(left) === rubyInspect(right);
    if (op === "!=") return rubyInspect(left) !== rubyInspect(right);
    if (typeof left === "number" && typeof right === "number") {
      switch (op) {
        case "+":
          return left + right;
        case "-":
          return left - right;
        case "*":
          return left * right;
        case "/":
          if (right === 0) throw this.error(line, "division by zero");
          return Number.isInteger(left) && Number.isInteger(right) ? Math.floor(left / right) : left / right;
        case "%":
          if (right === 0) throw this.error(line, "division by zero");
          return ((left % right) + right) % right;
        case "<":
          return left < right;
        case ">":
          return left > right;
        case "<=":
          return left <= right;
        case ">=":
          return left >= right;
      }
    }
    if (op === "+" && typeof left === "string" && typeof right === "string") return left + right;
    if (op === "+" && Array.isArray(left) && Array.isArray(right)) return [...left, ...right];
    if (op === "*" && typeof left === "string" && typeof right === "number" && right >= 0 && right < 10000) return left.repeat(right);
    throw this.error(line, `cannot apply '${op}' to ${rubyInspect(left).slice(0, 30)} and ${rubyInspect(right).slice(0, 30)}`);
  }

  private error(line: number, what: string): DdlError {
    return new DdlError(`${this.file}:${line}: ${what}`);
  }

  private unsupported(line: number, what: string): UnsupportedRubyError {
    return new UnsupportedRubyError(`${this.file}:${line}: ${what}`);
  }
}

function truthy(v: RValue): boolean {
  return v !== null && v !== false;
}

