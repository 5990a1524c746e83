/** Ruby values as the DDL evaluator sees them, and their conversion to plain JSON-able data. */
import { inspectSymbol, rubyInspect as inspectPlain, rubyToS as plainToS } from "../../ruby/index.js";

export class RSym {
  constructor(readonly name: string) {}
}

export class RRegex {
  constructor(readonly source: string, readonly flags: string) {}

  /** Ruby's `Regexp#to_s`, e.g. `(?-mix:.+)`, which is how a regex literal appears in JSON DDLs and docs. */
  toString(): string {
    const on = ["m", "i", "x"].filter((f) => this.flags.includes(f)).join("");
    const off = ["m", "i", "x"].filter((f) => !this.flags.includes(f)).join("");
    return `(?${on}${off ? "-" + off : ""}:${this.source})`;
  }
}

/** A Ruby Hash; keys keep their Ruby type so `:a` and `"a"` stay distinct while evaluating. */
export class RHash {
  constructor(readonly entries: Array<[RValue, RValue]> = []) {}

  /** The value under the symbol (or, failing that, string) key `name`. */
  get(name: string): RValue | undefined {
    const hit = this.entries.find(([k]) => k instanceof RSym && k.name === name) ?? this.entries.find(([k]) => k === name);
    return hit?.[1];
  }

  has(name: string): boolean {
    return this.entries.some(([k]) => (k instanceof RSym && k.name === name) || k === name);
  }
}

/** A Ruby method captured inside `summarize`, such as `summary(:status)`. */
export class RFunction {
  constructor(readonly name: string, readonly args: RValue[]) {}
}

export type RValue = string | number | boolean | null | RSym | RRegex | RHash | RFunction | RValue[];

/** Ruby `to_s`. */
export function rubyToS(v: RValue): string {
  if (v instanceof RSym) return v.name;
  if (v instanceof RRegex) return v.toString();
  if (Array.isArray(v) || v instanceof RHash || v instanceof RFunction) return rubyInspect(v);
  return plainToS(v);
}

/** Ruby `inspect`, as Ruby 3.1 prints values; strings, numbers and symbols as src/ruby prints them. */
export function rubyInspect(v: RValue): string {
  if (v instanceof RSym) return inspectSymbol(v.name);
  if (v instanceof RRegex) return `/${v.source}/${v.flags}`;
  if (Array.isArray(v)) return `[${v.map(rubyInspect).join(", ")}]`;
  if (v instanceof RHash) return `{${v.entries.map(([k, x]) => `${rubyInspect(k)}=>${rubyInspect(x)}`).join(", ")}}`;
  if (v instanceof RFunction) return `{:function=>:${v.name}, :args=>${rubyInspect(v.args)}}`;
  return inspectPlain(v);
}

/** Plain data as Ruby's JSON generator would write it: symbols become strings, regexes their `to_s`. */
export function toPlain(v: RValue): unknown {
  if (v instanceof RSym) return v.name;
  if (v instanceof RRegex) return v.toString();
  if (Array.isArray(v)) return v.map(toPlain);
  if (v instanceof RHash) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of v.entries) out[rubyToS(k)] = toPlain(x);
    return out;
  }
  if (v instanceof RFunction) return { function: v.name, args: v.args.map(toPlain) };
  return v;
}
