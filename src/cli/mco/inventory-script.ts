/**
 * `mco inventory --script FILE`: the simple form of mco's inventory DSL, read by a small parser instead of being
 * evaluated as Ruby:
 *
 *   inventory do
 *     format "%s:\t%s\t%s"
 *     fields { [identity, facts["country"], classes] }
 *   end
 *
 * Fields may be `identity`, `facts["name"]`, `classes`, `agents` or a string literal. Anything else (and the
 * formatr-based `formatted_inventory`) is refused with the line it was found on.
 */
import { RubySyntaxError, rubySprintf, rubyToS, tokenizeRuby } from "../../ruby/index.js";

/** A script this parser does not understand, with where and why. */
export class InventoryScriptError extends Error {
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = "InventoryScriptError";
  }
}

/** One node's inventory as the script sees it. */
export interface InventoryNode {
  identity: string;
  facts: Record<string, unknown>;
  classes: string[];
  agents: string[];
}

type Field = { kind: "identity" | "classes" | "agents" } | { kind: "fact"; name: string } | { kind: "literal"; text: string };

export interface InventoryScript {
  format: string;
  fields: Field[];
}

type Token = { text: string; line: number; string?: string };

/** The script's tokens as the Ruby lexer (the DDL reader's) reads them: words, punctuation and plain strings. */
function tokenize(source: string, file: string): Token[] {
  let tokens;
  try {
    tokens = tokenizeRuby(source, file);
  } catch (err) {
    if (!(err instanceof RubySyntaxError)) throw err;
    const where = /^.*?:(\d+): ([\s\S]*)$/.exec(err.message);
    throw new InventoryScriptError(file, Number(where?.[1] ?? 1), where?.[2] ?? err.message);
  }
  const out: Token[] = [];
  for (const t of tokens) {
    switch (t.kind) {
      case "nl":
      case "eof":
        break;
      case "str":
        if (t.parts.some((p) => typeof p !== "string")) throw new InventoryScriptError(file, t.line, "string interpolation is not supported");
        out.push({ text: '"', line: t.line, string: t.parts.join("") });
        break;
      case "num":
        out.push({ text: String(t.value), line: t.line });
        break;
      case "regex":
        out.push({ text: `/${t.source}/`, line: t.line });
        break;
      case "words":
        out.push({ text: `%w(${t.words.join(" ")})`, line: t.line });
        break;
      default:
        if (t.value !== ";") out.push({ text: t.kind === "sym" ? `:${t.value}` : t.kind === "label" ? `${t.value}:` : t.value, line: t.line });
    }
  }
  return out;
}

/** Parses an inventory script; throws InventoryScriptError naming the line for anything outside the simple form. */
export function parseInventoryScript(source: string, file: string): InventoryScript {
  const tokens = tokenize(source, file);
  let pos = 0;
  const lastLine = tokens.length > 0 ? tokens[tokens.length - 1].line : 1;
  const peek = () => tokens[pos];
  const fail = (message: string): never => {
    throw new InventoryScriptError(file, peek()?.line ?? lastLine, message);
  };
  const expect = (text: string, what = `'${text}'`): Token => {
    const t = peek();
    if (!t || t.text !== text || t.string !== undefined) fail(`expected ${what} but found ${t ? describe(t) : "the end of the file"}`);
    pos++;
    return t;
  };
  const closer = (opener: string) => (opener === "do" ? "end" : "}");
  const open = (): string => {
    const t = peek();
    if (t?.text === "do" || t?.text === "{") {
      pos++;
      return t.text;
    }
    return fail(`expected 'do' or '{' but found ${t ? describe(t) : "the end of the file"}`);
  };

  if (peek()?.text === "formatted_inventory") fail("formatted_inventory (formatr pages) is not supported; use inventory with format and fields");
  expect("inventory");
  const body = open();
  let format: string | undefined;
  let fields: Field[] | undefined;
  while (peek() && peek().text !== closer(body)) {
    const t = peek();
    if (t.text === "format" && t.string === undefined) {
      pos++;
      const paren = peek()?.text === "(";
      if (paren) pos++;
      const s = peek();
      if (s?.string === undefined) fail("format needs a quoted string");
      format = s!.string;
      pos++;
      if (paren) expect(")");
    } else if (t.text === "fields" && t.string === undefined) {
      pos++;
      const block = open();
      expect("[", "'[' starting the list of fields");
      fields = [];
      while (peek() && peek().text !== "]") {
        fields.push(parseField());
        if (peek()?.text === ",") pos++;
        else break;
      }
      expect("]");
      expect(closer(block));
    } else {
      fail(`unsupported statement ${describe(t)}; only format and fields are understood`);
    }
  }
  expect(closer(body));
  if (peek()) fail(`unexpected ${describe(peek())} after the inventory block`);
  if (format === undefined) throw new InventoryScriptError(file, lastLine, "the inventory block has no format");
  if (fields === undefined) throw new InventoryScriptError(file, lastLine, "the inventory block has no fields");
  return { format, fields };

  function parseField(): Field {
    const t = peek();
    if (!t) return fail("expected a field but found the end of the file");
    pos++;
    if (t.string !== undefined) return { kind: "literal", text: t.string };
    if (t.text === "identity" || t.text === "classes" || t.text === "agents") return { kind: t.text };
    if (t.text === "facts") {
      expect("[");
      const name = peek();
      if (name?.string === undefined) fail("facts[...] needs a quoted fact name");
      pos++;
      expect("]");
      return { kind: "fact", name: name!.string! };
    }
    pos--;
    return fail(`unsupported field ${describe(t)}; use identity, facts["name"], classes, agents or a string`);
  }
}

function describe(t: Token): string {
  return t.string !== undefined ? `the string ${JSON.stringify(t.string)}` : `'${t.text}'`;
}

/** One output line for a node: `format % fields` with Ruby's sprintf and `to_s` of each value. */
export function renderInventoryLine(script: InventoryScript, node: InventoryNode): string {
  const values = script.fields.map((f) => {
    switch (f.kind) {
      case "identity":
        return node.identity;
      case "classes":
        return rubyToS(node.classes);
      case "agents":
        return rubyToS(node.agents);
      case "fact":
        return rubyToS(node.facts[f.name]);
      case "literal":
        return f.text;
    }
  });
  return rubySprintf(script.format, values);
}
