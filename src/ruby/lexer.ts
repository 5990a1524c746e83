/**
 * Tokenizer for the Ruby subset that DDL files and inventory scripts are written in. Every branch consumes input,
 * so it cannot hang. Errors name file and line: `RubySyntaxError` for text that is not Ruby, `UnsupportedRubyError`
 * for Ruby it does not read (which Ruby itself might).
 */
import { RubySyntaxError, UnsupportedRubyError } from "./errors.js";

/** A piece of a double-quoted string: literal text or the source of a `#{...}` interpolation. */
export type StringPart = string | { code: string; line: number };

export type Token =
  | { kind: "ident" | "const" | "label" | "ivar" | "op"; value: string; line: number; spaced: boolean }
  | { kind: "sym"; value: string; line: number; spaced: boolean }
  | { kind: "str"; parts: StringPart[]; line: number; spaced: boolean }
  | { kind: "num"; value: number; float: boolean; line: number; spaced: boolean }
  | { kind: "regex"; source: string; flags: string; line: number; spaced: boolean }
  | { kind: "words"; words: string[]; symbols: boolean; line: number; spaced: boolean }
  | { kind: "nl" | "eof"; line: number; spaced: boolean };

const OPERATORS = ["**=", "<=>", "===", "...", "=>", "==", "!=", ">=", "<=", "&&", "||", "::", "..", "+=", "-=", "*=", "||=", "<<", "=~", "!~", "->"];
const SINGLE = "+-*/%=<>!&|^~?:,.;()[]{}";
/** Multi-character operators grouped by their first character, longest first. */
const OPERATORS_BY_FIRST = new Map<string, string[]>();
for (const o of [...OPERATORS].sort((a, b) => b.length - a.length)) OPERATORS_BY_FIRST.set(o[0], [...(OPERATORS_BY_FIRST.get(o[0]) ?? []), o]);
const CLOSERS: Record<string, string> = { "(": ")", "[": "]", "{": "}", "<": ">" };
// Sticky patterns, matched in place at the lexer's position.
const IVAR = /@@?[A-Za-z_]\w*/y;
const REGEX_FLAGS = /[mixounse]*/y;
const PERCENT_START = /[wWiIqQr]?[^\w\s]/y;
const HEREDOC_START = /[-~]?(["']?)[A-Za-z_]/y;
const HEREDOC = /<<([-~]?)(["']?)([A-Za-z_]\w*)\2/y;
const SYMBOL = /(?:[A-Za-z_]\w*[?!=]?|\[\]=?|<=>|===?|=~|!=|[+\-*\/%<>!]|<=|>=|\*\*)/y;
const WORD = /[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*[?!]?/y;
const RADIX_NUMBER = /0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO]?[0-7_]+(?![.\d])/y;
const DECIMAL_NUMBER = /\d[\d_]*(\.\d[\d_]*)?([eE][+-]?\d+)?/y;

/** Splits Ruby source into tokens; `file` only names the source in errors. */
export function tokenize(src: string, file: string, firstLine = 1): Token[] {
  return new Lexer(src, file, firstLine).run();
}

class Lexer {
  private pos = 0;
  private line: number;
  private readonly tokens: Token[] = [];
  /** Where the line after the current one really starts, when heredoc bodies sit in between. */
  private heredocResume = -1;

  constructor(private readonly src: string, private readonly file: string, firstLine: number) {
    this.line = firstLine;
  }

  run(): Token[] {
    const src = this.src;
    while (this.pos < src.length) {
      const start = this.pos;
      const c = src[this.pos];
      if (c === "\n") {
        this.newline();
      } else if (c === " " || c === "\t" || c === "\r" || c === "\f" || c === "\v") {
        this.pos++;
      } else if (c === "\\" && src[this.pos + 1] === "\n") {
        this.pos += 2;
        this.line++;
      } else if (c === "#") {
        while (this.pos < src.length && src[this.pos] !== "\n") this.pos++;
      } else if (c === "=" && this.atLineStart() && src.startsWith("=begin", this.pos)) {
        this.blockComment();
      } else if (src.startsWith("__END__", this.pos) && this.atLineStart()) {
        break;
      } else {
        this.token(c, start === 0 || isSpace(src.charCodeAt(start - 1)));
      }
      if (this.pos <= start) throw this.error("the reader could not make progress", start);
    }
    this.push({ kind: "eof", line: this.line, spaced: true });
    return this.tokens;
  }

  private token(c: string, spaced: boolean): void {
    const src = this.src;
    const line = this.line;
    const code = c.charCodeAt(0);
    if (code >= 48 && code <= 57) return this.number(spaced);
    if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code > 127) return this.word(spaced);
    if (c === "@") {
      const m = this.match(IVAR);
      if (!m) throw this.error("unexpected '@'");
      this.pos += m[0].length;
      return this.push({ kind: "ivar", value: m[0], line, spaced });
    }
    if (c === "$") throw new UnsupportedRubyError(`${this.file}:${this.line}: global variables are not supported by the DDL reader`);
    if (c === '"' || c === "'" || c === "`") {
      if (c === "`") throw new UnsupportedRubyError(`${this.file}:${this.line}: shell commands (backticks) are not supported by the DDL reader`);
      this.pos++;
      const parts = this.quoted(c, c, c === '"');
      if (this.labelFollows()) return this.push({ kind: "label", value: joinLiteral(parts), line, spaced });
      return this.push({ kind: "str", parts, line, spaced });
    }
    if (c === ":" && src[this.pos + 1] !== ":" && this.symbolAllowed()) return this.symbol(spaced);
    if (c === "/" && this.valueStarts(spaced)) {
      this.pos++;
      const parts = this.quoted("/", "/", true, true);
      const flags = this.match(REGEX_FLAGS)![0];
      this.pos += flags.length;
      return this.push({ kind: "regex", source: regexSource(parts, this.file, line), flags, line, spaced });
    }
    if (c === "%" && this.valueStarts(spaced) && this.match(PERCENT_START, this.pos + 1) !== null) return this.percent(spaced);
    if (c === "<" && src[this.pos + 1] === "<" && this.match(HEREDOC_START, this.pos + 2) !== null && this.valueStarts(spaced)) {
      return this.heredoc(spaced);
    }
    const op = this.operator(c);
    if (!op) throw this.error(`unexpected character '${c}'`);
    this.pos += op.length;
    this.push({ kind: "op", value: op, line, spaced });
  }

  /** The longest operator starting at the current position, if any. */
  private operator(c: string): string | undefined {
    for (const o of OPERATORS_BY_FIRST.get(c) ?? []) if (this.src.startsWith(o, this.pos)) return o;
    return SINGLE.includes(c) ? c : undefined;
  }

  /** Matches a sticky regex at `at` (default: the current position) without copying the source. */
  private match(re: RegExp, at = this.pos): RegExpExecArray | null {
    re.lastIndex = at;
    return re.exec(this.src);
  }

  private push(t: Token): void {
    this.tokens.push(t);
  }

  private newline(): void {
    this.push({ kind: "nl", line: this.line, spaced: true });
    this.line++;
    if (this.heredocResume >= 0) {
      this.line += countNewlines(this.src, this.pos + 1, this.heredocResume);
      this.pos = this.heredocResume;
      this.heredocResume = -1;
    } else {
      this.pos++;
    }
  }

  private atLineStart(): boolean {
    return this.pos === 0 || this.src[this.pos - 1] === "\n";
  }

  private blockComment(): void {
    const end = this.src.indexOf("\n=end", this.pos);
    if (end < 0) throw this.error("=begin without =end");
    this.line += countNewlines(this.src, this.pos, end + 1);
    this.pos = end + 5;
  }

  /** True when the previous token cannot end a value, or is a bare method name followed by a spaced argument. */
  private valueStarts(spaced: boolean): boolean {
    const prev = this.tokens[this.tokens.length - 1];
    if (!prev || prev.kind === "nl") return true;
    if (prev.kind === "op") return prev.value !== ")" && prev.value !== "]" && prev.value !== "}";
    if (prev.kind === "label") return true;
    if (prev.kind === "ident") return spaced && !/\s/.test(this.src[this.pos + 1] ?? " ");
    return false;
  }

  private symbolAllowed(): boolean {
    const next = this.src[this.pos + 1] ?? "";
    if (!/[A-Za-z_"]/.test(next) && !/^[+\-*/<=>!\[]/.test(next)) return false;
    const prev = this.tokens[this.tokens.length - 1];
    // `a ? b :c` is too rare in DDLs to matter; a symbol never directly follows a value without a space.
    return !prev || prev.kind === "nl" || prev.kind === "op" || this.src[this.pos - 1] === " " || this.src[this.pos - 1] === "\t" || prev.kind === "ident";
  }

  private symbol(spaced: boolean): void {
    const line = this.line;
    this.pos++;
    if (this.src[this.pos] === '"') {
      this.pos++;
      const parts = this.quoted('"', '"', true);
      return this.push({ kind: "sym", value: joinLiteral(parts), line, spaced });
    }
    const m = this.match(SYMBOL);
    if (!m) throw this.error("unexpected ':'");
    this.pos += m[0].length;
    this.push({ kind: "sym", value: m[0], line, spaced });
  }

  private word(spaced: boolean): void {
    const line = this.line;
    const m = this.match(WORD)!;
    let value = m[0];
    // `foo!=` and `foo?=` are `foo != ...`, not a method named `foo!`.
    if (/[?!]$/.test(value) && this.src[this.pos + value.length] === "=") value = value.slice(0, -1);
    this.pos += value.length;
    if (this.labelFollows()) return this.push({ kind: "label", value, line, spaced });
    this.push({ kind: /^[A-Z]/.test(value) ? "const" : "ident", value, line, spaced });
  }

  /** Consumes the `:` of a `key:` hash label when one follows directly. */
  private labelFollows(): boolean {
    if (this.src[this.pos] === ":" && this.src[this.pos + 1] !== ":") {
      const prev = this.tokens[this.tokens.length - 1];
      if (prev && prev.kind === "op" && prev.value === "?") return false;
      this.pos++;
      return true;
    }
    return false;
  }

  private number(spaced: boolean): void {
    const line = this.line;
    const hex = this.match(RADIX_NUMBER);
    if (hex && hex[0].length > 1) {
      this.pos += hex[0].length;
      const text = hex[0].replace(/_/g, "").toLowerCase();
      const value = text.startsWith("0x") ? parseInt(text.slice(2), 16) : text.startsWith("0b") ? parseInt(text.slice(2), 2) : parseInt(text.replace(/^0o?/, "") || "0", 8);
      return this.push({ kind: "num", value, float: false, line, spaced });
    }
    const m = this.match(DECIMAL_NUMBER)!;
    this.pos += m[0].length;
    const float = m[1] !== undefined || m[2] !== undefined;
    this.push({ kind: "num", value: Number(m[0].replace(/_/g, "")), float, line, spaced });
  }

  private percent(spaced: boolean): void {
    const line = this.line;
    this.pos++;
    let kind = "Q";
    if (/[A-Za-z]/.test(this.src[this.pos])) kind = this.src[this.pos++];
    const open = this.src[this.pos++];
    const close = CLOSERS[open] ?? open;
    const interpolate = kind === "Q" || kind === "W" || kind === "I" || kind === "r";
    const parts = this.quoted(open, close, interpolate, kind === "r");
    if (kind === "w" || kind === "W" || kind === "i" || kind === "I") {
      const text = joinLiteral(parts, this.file, line);
      const words = text.split(/\s+/).filter((w) => w !== "");
      return this.push({ kind: "words", words, symbols: kind === "i" || kind === "I", line, spaced });
    }
    if (kind === "r") {
      const flags = this.match(REGEX_FLAGS)![0];
      this.pos += flags.length;
      return this.push({ kind: "regex", source: regexSource(parts, this.file, line), flags, line, spaced });
    }
    if (kind === "s") return this.push({ kind: "sym", value: joinLiteral(parts, this.file, line), line, spaced });
    if (kind !== "q" && kind !== "Q") throw new UnsupportedRubyError(`${this.file}:${line}: %${kind} literals are not supported by the DDL reader`);
    this.push({ kind: "str", parts, line, spaced });
  }

  /**
   * Reads a delimited literal after its opening delimiter, up to and including `close`.
   * `interpolate` enables escapes and `#{}`; `raw` keeps backslash escapes verbatim (regex bodies).
   */
  private quoted(open: string, close: string, interpolate: boolean, raw = false): StringPart[] {
    const src = this.src;
    const startLine = this.line;
    const parts: StringPart[] = [];
    let text = "";
    let depth = 0;
    for (;;) {
      if (this.pos >= src.length) throw new RubySyntaxError(`${this.file}:${startLine}: unterminated literal (missing ${close})`);
      // Copy a run of ordinary characters in one piece.
      let end = this.pos;
      while (end < src.length && !isSpecialInLiteral(src[end], open, close)) end++;
      if (end > this.pos) {
        text += src.slice(this.pos, end);
        this.pos = end;
        continue;
      }
      const c = src[this.pos];
      if (c === "\n") this.line++;
      if (c === "\\") {
        const next = src[this.pos + 1] ?? "";
        if (next === "\n") this.line++;
        if (raw) {
          text += next === close && close === "/" ? next : c + next;
          this.pos += 2;
        } else if (!interpolate) {
          text += next === close || next === "\\" || next === open ? next : c + next;
          this.pos += 2;
        } else {
          const [value, length] = this.escape(this.pos + 1);
          text += value;
          this.pos += 1 + length;
        }
        continue;
      }
      if (c === open && open !== close) depth++;
      if (c === close) {
        if (depth === 0) {
          this.pos++;
          break;
        }
        depth--;
      }
      if (interpolate && c === "#" && src[this.pos + 1] === "{") {
        if (text) parts.push(text);
        text = "";
        const line = this.line;
        const end = matchingBrace(src, this.pos + 2);
        if (end < 0) throw new RubySyntaxError(`${this.file}:${line}: unterminated #{...} interpolation`);
        const code = src.slice(this.pos + 2, end);
        this.line += countNewlines(src, this.pos, end);
        parts.push(raw ? `#{${code}}` : { code, line });
        this.pos = end + 1;
        continue;
      }
      text += c;
      this.pos++;
    }
    if (text || parts.length === 0) parts.push(text);
    return parts;
  }

  /** Decodes one backslash escape starting at `at` (the char after the backslash); returns [text, length]. */
  private escape(at: number): [string, number] {
    const src = this.src;
    const c = src[at] ?? "";
    if (Object.hasOwn(SIMPLE_ESCAPES, c)) return [SIMPLE_ESCAPES[c], 1];
    if (c === "u") {
      const braced = /^\{([0-9a-fA-F\s]+)\}/.exec(src.slice(at + 1, at + 40));
      if (braced) return [braced[1].trim().split(/\s+/).map((h) => String.fromCodePoint(parseInt(h, 16))).join(""), 1 + braced[0].length];
      const four = /^[0-9a-fA-F]{4}/.exec(src.slice(at + 1, at + 5));
      if (!four) throw this.error("invalid \\u escape", at);
      return [String.fromCharCode(parseInt(four[0], 16)), 5];
    }
    if (c === "x") {
      const hex = /^[0-9a-fA-F]{1,2}/.exec(src.slice(at + 1, at + 3));
      if (!hex) throw this.error("invalid \\x escape", at);
      return [String.fromCharCode(parseInt(hex[0], 16)), 1 + hex[0].length];
    }
    const octal = /^[0-7]{1,3}/.exec(src.slice(at, at + 3));
    if (octal) return [String.fromCharCode(parseInt(octal[0], 8)), octal[0].length];
    return [c, 1];
  }

  private heredoc(spaced: boolean): void {
    const line = this.line;
    const m = this.match(HEREDOC);
    if (!m) throw this.error("malformed heredoc");
    this.pos += m[0].length;
    const [, mode, quote, tag] = m;
    const lineEnd = this.src.indexOf("\n", this.pos);
    let at = this.heredocResume >= 0 ? this.heredocResume : lineEnd < 0 ? this.src.length : lineEnd + 1;
    const lines: string[] = [];
    for (;;) {
      if (at >= this.src.length) throw new RubySyntaxError(`${this.file}:${line}: heredoc ${tag} has no closing ${tag} line`);
      const nl = this.src.indexOf("\n", at);
      const text = this.src.slice(at, nl < 0 ? this.src.length : nl);
      at = nl < 0 ? this.src.length : nl + 1;
      if ((mode ? text.trim() : text.replace(/\r$/, "")) === tag) break;
      lines.push(text);
    }
    this.heredocResume = at;
    let body = lines.map((l) => l + "\n").join("");
    if (mode === "~") body = dedent(lines);
    const parts = quote === "'" ? [body] : new Lexer(body + "\0", this.file, line + 1).quotedBody();
    this.push({ kind: "str", parts, line, spaced });
  }

  /** Reads this lexer's whole source as the inside of a double-quoted string (used for heredoc bodies). */
  quotedBody(): StringPart[] {
    return this.quoted("\0", "\0", true);
  }

  private error(what: string, at = this.pos): RubySyntaxError {
    const near = this.src.slice(at, at + 20).split("\n")[0];
    return new RubySyntaxError(`${this.file}:${this.line}: ${what} near '${near}'`);
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", s: " ", e: "\x1b", a: "\x07", b: "\b", f: "\f", v: "\v", "\n": "" };

function isSpecialInLiteral(ch: string, open: string, close: string): boolean {
  return ch === "\\" || ch === close || ch === open || ch === "#" || ch === "\n";
}

/** Space, tab, newline, carriage return, vertical tab or form feed. */
function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

function countNewlines(src: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to && i < src.length; i++) if (src[i] === "\n") n++;
  return n;
}

/** Index of the `}` closing an interpolation whose body starts at `from`, skipping nested braces and strings. */
function matchingBrace(src: string, from: number): number {
  let depth = 0;
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (c === "\\") i++;
    else if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) return -1;
      i = end;
    } else if (c === "{") depth++;
    else if (c === "}") {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

function dedent(lines: string[]): string {
  const indents = lines.filter((l) => l.trim() !== "").map((l) => /^[ \t]*/.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(Math.min(cut, /^[ \t]*/.exec(l)![0].length)) + "\n").join("");
}

function joinLiteral(parts: StringPart[], file = "", line = 0): string {
  return parts
    .map((p) => {
      if (typeof p === "string") return p;
      throw new RubySyntaxError(`${file}:${line}: interpolation is not supported here`);
    })
    .join("");
}

function regexSource(parts: StringPart[], file: string, line: number): string {
  return joinLiteral(parts, file, line);
}
