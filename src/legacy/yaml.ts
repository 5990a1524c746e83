/**
 * `plugin.ssl_serializer = yaml`: the envelope and payload as Psych YAML, read with the same allow-list as Marshal
 * (what Ruby's `YAML.safe_load(msg, [Symbol, Regexp])` admits): maps, sequences, plain scalars, `:symbol` scalars
 * and `!ruby/regexp`. Any other tag is refused.
 */
import { Composer, Document, isAlias, isMap, isScalar, isSeq, Pair, Parser, Scalar, YAMLMap, YAMLSeq, type CST, type Node } from "yaml";
import { ProtocolError } from "../protocol/errors.js";
import { DEFAULT_LIMITS, type MarshalLimits } from "./marshal.js";
import { RFloat, RHash, RRegexp, RString, RSymbol, rsym, type RValue } from "./ruby.js";
import type { Serializer } from "./serializer.js";

const CORE_TAGS = new Set(["tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"]);
const REGEXP_TAG = "!ruby/regexp";
const SYMBOL_TAGS = new Set(["!ruby/symbol", "!ruby/sym"]);
/** Known to the parser so that they are not reported as unresolved; the walk turns them into RRegexp and Symbol. */
const RUBY_SCALARS = [REGEXP_TAG, ...SYMBOL_TAGS].map((tag) => ({ tag, resolve: (text: string) => text }));
const OPTION_BITS: Record<string, number> = { i: 1, x: 2, m: 4 };

export function yamlSerializer(limits: MarshalLimits = DEFAULT_LIMITS): Serializer {
  return { name: "yaml", read: (bytes, layer) => readYaml(bytes, layer, limits), write: writeYaml };
}

export const YAML_SERIALIZER = yamlSerializer();

export function readYaml(bytes: Uint8Array, layer: string, limits: MarshalLimits = DEFAULT_LIMITS): RValue {
  if (bytes.length > limits.maxBytes) throw new ProtocolError(`${layer} is ${bytes.length} bytes, over the limit of ${limits.maxBytes}`, "size");
  const doc = parse(bytes, layer, limits.maxDepth);
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem !== undefined) throw new ProtocolError(`${layer} is not YAML the ssl plugin accepts: ${problem.message.split("\n")[0]}`, "encoding");
  const seen = new Map<Node, RValue>();
  const open = new Set<Node>();
  const walk = (node: unknown, depth: number): RValue => {
    if (depth > limits.maxDepth) throw new ProtocolError(`${layer} nests deeper than ${limits.maxDepth} levels`, "size");
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (target === undefined || open.has(target)) throw new ProtocolError(`${layer} has an alias that is undefined or refers to itself`, "encoding");
      return seen.get(target) ?? walk(target, depth);
    }
    const tag = (node as Node).tag;
    if (isScalar(node)) {
      if (tag === REGEXP_TAG) return regexp(String(node.value), layer);
      if (tag !== undefined && SYMBOL_TAGS.has(tag)) return rsym(String(node.value));
      // Psych marks a quoted `:name` it means as a Symbol with the non-specific tag `!`
      if (tag === "!" && typeof node.value === "string" && node.value.startsWith(":")) return rsym(node.value.slice(1));
      if (tag !== undefined && !CORE_TAGS.has(tag)) throw new ProtocolError(`${layer} holds a ${tag}, which the legacy wire never carries`, "encoding");
      return scalar(node);
    }
    if (tag !== undefined && !CORE_TAGS.has(tag)) throw new ProtocolError(`${layer} holds a ${tag}, which the legacy wire never carries`, "encoding");
    open.add(node as Node);
    let out: RValue;
    if (isMap(node)) {
      const hash = new RHash([]);
      seen.set(node, hash);
      for (const pair of node.items) hash.entries.push([walk(pair.key, depth + 1), walk(pair.value, depth + 1)]);
      out = hash;
    } else if (isSeq(node)) {
      const list: RValue[] = [];
      seen.set(node, list);
      for (const item of node.items) list.push(walk(item, depth + 1));
      out = list;
    } else {
      throw new ProtocolError(`${layer} holds a YAML node of an unknown kind`, "encoding");
    }
    open.delete(node as Node);
    return out;
  };
  return walk(doc.contents, 0);
}

/** The YAML document in `bytes`; invalid UTF-8 or input the parser chokes on is a `ProtocolError`, nesting beyond `maxDepth` too. */
function parse(bytes: Uint8Array, layer: string, maxDepth: number): Document.Parsed {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (err) {
    throw new ProtocolError(`${layer} cannot be read as YAML: ${(err as Error).message}`, "encoding");
  }
  try {
    // The syntax tree is built without recursion; composing recurses per level, so the depth is checked in between:
    // thousands of levels would overflow the stack, and a second overflow can abort Node itself.
    const tokens = [...new Parser().parse(text)];
    if (syntaxDepth(tokens, maxDepth) > maxDepth) throw new ProtocolError(`${layer} nests deeper than ${maxDepth} levels`, "size");
    const docs = [...new Composer({ version: "1.1", intAsBigInt: true, uniqueKeys: false, customTags: RUBY_SCALARS }).compose(tokens, true, text.length)];
    if (docs.length !== 1) throw new ProtocolError(`${layer} holds ${docs.length} YAML documents, not one`, "encoding");
    return docs[0];
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    throw new ProtocolError(`${layer} cannot be read as YAML: ${(err as Error).message}`, "encoding");
  }
}

/** How deep collections nest in the parser's syntax tree, counted without recursion up to just past `max`. */
function syntaxDepth(tokens: CST.Token[], max: number): number {
  type Item = { key?: unknown; value?: unknown };
  let deepest = 0;
  for (const token of tokens) {
    const stack: Array<[unknown, number]> = [[token, 0]];
    while (stack.length > 0 && deepest <= max) {
      const [node, depth] = stack.pop()!;
      if (typeof node !== "object" || node === null) continue;
      const { value, items } = node as { value?: unknown; items?: Item[] };
      const inner = items === undefined ? depth : depth + 1;
      deepest = Math.max(deepest, inner);
      if (value !== undefined) stack.push([value, inner]);
      for (const item of items ?? []) stack.push([item.key, inner], [item.value, inner]);
    }
  }
  return deepest;
}

/** Psych's scalar rules: an unquoted `:name` is a Symbol (`:"name"` too), whole numbers Integers, other numbers Floats. */
function scalar(node: Scalar): RValue {
  const value = node.value;
  if (value === null || typeof value === "boolean") return value;
  if (typeof value === "bigint") return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  if (typeof value === "number") return new RFloat(value);
  const text = String(value);
  if (node.type === "PLAIN" && text.length > 1 && text.startsWith(":")) {
    const quoted = /^:"(.*)"$/s.exec(text);
    return rsym(quoted === null ? text.slice(1) : quoted[1]);
  }
  return RString.utf8(text);
}

function regexp(text: string, layer: string): RRegexp {
  const match = /^\/(.*)\/([mix]*)$/s.exec(text);
  if (match === null) throw new ProtocolError(`${layer} has a !ruby/regexp that is not /source/options`, "encoding");
  const options = [...match[2]].reduce((bits, flag) => bits | OPTION_BITS[flag], 0);
  return new RRegexp(match[1], options, "UTF-8");
}

/** YAML text Psych reads back to the same values: Symbols as plain `:name`, Strings quoted when Psych would misread them. */
export function writeYaml(value: RValue): Uint8Array {
  const doc = new Document(null, { version: "1.1" });
  doc.contents = node(value) as never;
  return new TextEncoder().encode(`---\n${doc.toString({ indentSeq: false, lineWidth: 0 })}`);
}

function node(value: RValue): unknown {
  if (value instanceof RSymbol) return symbol(value.name);
  if (value instanceof RString) {
    const text = value.text;
    const s = new Scalar(text);
    if (text.includes("\n")) s.type = "BLOCK_LITERAL";
    else if (text.startsWith(":")) s.type = "QUOTE_DOUBLE";
    return s;
  }
  if (value instanceof RFloat) {
    const s = new Scalar(value.value);
    s.minFractionDigits = 1;
    return s;
  }
  if (value instanceof RRegexp) {
    const flags = Object.entries(OPTION_BITS).filter(([, bit]) => value.options & bit).map(([f]) => f).join("");
    const s = plain(`/${value.source}/${flags}`);
    s.tag = REGEXP_TAG;
    return s;
  }
  if (Array.isArray(value)) {
    const seq = new YAMLSeq();
    seq.items = value.map(node);
    return seq;
  }
  if (value instanceof RHash) {
    const map = new YAMLMap();
    map.items = value.entries.map(([k, v]) => new Pair(node(k), node(v)));
    return map;
  }
  // unsafe whole numbers printed from a double would not read back as the same Integer
  return new Scalar(typeof value === "number" && !Number.isSafeInteger(value) ? BigInt(value) : value);
}

/** `:name` when it stays a plain scalar; other names tagged `!ruby/symbol`, which Psych also reads as a Symbol. */
function symbol(name: string): Scalar {
  if (/^\w+$/.test(name)) return plain(`:${name}`);
  const s = new Scalar(name);
  s.tag = "!ruby/symbol";
  return s;
}

function plain(text: string): Scalar {
  const s = new Scalar(text);
  s.type = "PLAIN";
  return s;
}
