/**
 * Ruby regular expressions compiled with Ruby's meaning. Every Ruby regex the project reads (DDL validations,
 * filters, policies) goes through `rubyRegex`, so the engine is chosen in one place: RE2 (`re2js`), whose
 * matching time is linear in the input, because filters and inputs come from anyone who can publish.
 */
import { createRequire } from "node:module";

/** A Ruby regex that the engine cannot run or that does not compile; the message quotes it. */
export class RubyRegexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RubyRegexError";
  }
}

const POSIX: Record<string, string> = {
  alpha: "A-Za-z",
  digit: "0-9",
  alnum: "A-Za-z0-9",
  upper: "A-Z",
  lower: "a-z",
  space: " \\t\\r\\n\\v\\f",
  xdigit: "0-9A-Fa-f",
  word: "\\w",
  punct: "!-\\/:-@\\[-`{-~",
  blank: " \\t",
  cntrl: "\\x00-\\x1f\\x7f",
  print: " -~",
  graph: "!-~",
};

/** A compiled Ruby regex: all the project asks of one is whether it matches somewhere in a text. */
export interface RubyPattern {
  test(text: string): boolean;
}

type Re2 = typeof import("re2js");
let re2: Re2 | undefined;
// Loaded on first use: it costs mco's start-up tens of milliseconds, and most runs compile no regex.
const engine = (): Re2 => (re2 ??= createRequire(import.meta.url)("re2js") as Re2);

/**
 * Compiles Ruby regex source with Ruby option letters (`i`, `m`, `x`). A leading `(?imx-imx)` sets options too.
 * Ruby's `^`/`$` match at line breaks, `m` makes `.` match newlines, `\A \z \Z \h` and POSIX classes translate.
 * What RE2 cannot run in linear time (backreferences, lookarounds) throws RubyRegexError.
 */
export function rubyRegex(source: string, flags = ""): RubyPattern {
  let body = source;
  let options = flags;
  const leading = /^\(\?([mix]*)(?:-[mix]*)?\)/.exec(body);
  if (leading) {
    options += leading[1];
    body = body.slice(leading[0].length);
  }
  const js = translate(options.includes("x") ? stripExtended(body) : body, source);
  const { RE2JS } = engine();
  let re;
  try {
    re = RE2JS.compile(js, RE2JS.MULTILINE | (options.includes("i") ? RE2JS.CASE_INSENSITIVE : 0) | (options.includes("m") ? RE2JS.DOTALL : 0));
  } catch (err) {
    throw new RubyRegexError(`the regular expression ${source} cannot be used (backreferences and lookarounds are refused, as they cannot run in linear time): ${(err as Error).message}`);
  }
  return { test: (text) => re.test(text) };
}

/** A regex as Ruby text carries it: its `to_s` form (`(?i-mx:abc)`, as JSON and DDLs write it) or bare source. */
export function rubyRegexFromText(text: string, flags = ""): RubyPattern {
  const wrapped = /^\(\?([mix]*)(?:-[mix]*)?:([\s\S]*)\)$/.exec(text);
  if (wrapped && balanced(wrapped[2])) return rubyRegex(wrapped[2], flags + wrapped[1]);
  return rubyRegex(text, flags);
}

function translate(src: string, original: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === "\\") {
      const n = src[i + 1] ?? "";
      i++;
      // RE2 has \A and \z but no \Z: an optional final newline, then the end (differs only if the pattern goes on).
      if (n === "Z" && !inClass) out += "(?:\\n?\\z)";
      else if (n === "h") out += inClass ? "0-9a-fA-F" : "[0-9a-fA-F]";
      else if (n === "H" && !inClass) out += "[^0-9a-fA-F]";
      // Without them JavaScript would read these as the plain letters, matching something else than Ruby does.
      else if ("pPGKRX".includes(n) && n !== "") throw new RubyRegexError(`\\${n} is not supported in ${original}`);
      else out += c + n;
      continue;
    }
    const negated = !inClass && c === "[" ? /^\[\[:\^(\w+):\]\]/.exec(src.slice(i)) : null;
    if (negated && POSIX[negated[1]]) {
      out += `[^${POSIX[negated[1]]}]`;
      i += negated[0].length - 1;
      continue;
    }
    if (inClass && c === "[" && src[i + 1] === ":") {
      const m = /^\[:(\^?)(\w+):\]/.exec(src.slice(i));
      if (m && (!POSIX[m[2]] || m[1])) throw new RubyRegexError(`the bracket class ${m[0]} is not supported here in ${original}`);
      if (m) {
        out += POSIX[m[2]];
        i += m[0].length - 1;
        continue;
      }
    }
    if (!inClass && src.startsWith("(?#", i)) {
      // A Ruby comment group: dropped up to its closing parenthesis.
      const close = src.indexOf(")", i);
      if (close < 0) throw new RubyRegexError(`an unclosed comment group in ${original}`);
      i = close;
      continue;
    }
    if (!inClass && c === "(" && src.startsWith("(?>", i)) throw new RubyRegexError(`atomic groups (?>...) are not supported in ${original}`);
    const inline = !inClass && c === "(" ? /^\(\?([mix]*)(?:-[mix]*)?([:)])/.exec(src.slice(i, i + 10)) : null;
    if (inline) {
      // A nested (?-mix:...) group, as Regexp#to_s writes when regexes are combined: a plain group unless it turns options on.
      if (inline[1] !== "" || inline[2] === ")") throw new RubyRegexError(`inline options ${inline[0]} inside a regex are not supported in ${original}`);
      out += "(?:";
      i += inline[0].length - 1;
      continue;
    }
    if (!inClass && (c === "+" || c === "*" || c === "?" || c === "}") && src[i + 1] === "+" && out !== "") {
      throw new RubyRegexError(`possessive quantifiers are not supported in ${original}`);
    }
    if (c === "[" && !inClass) inClass = true;
    else if (c === "]" && inClass) inClass = false;
    out += c;
  }
  return out;
}

/** Drops whitespace and `#` comments outside character classes, as Ruby's `x` option does. */
function stripExtended(src: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === "\\") {
      out += c + (src[i + 1] ?? "");
      i++;
    } else if (!inClass && /\s/.test(c)) {
      continue;
    } else if (!inClass && c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
    } else {
      if (c === "[") inClass = true;
      if (c === "]") inClass = false;
      out += c;
    }
  }
  return out;
}

/** True when the parentheses of `s` balance, so `(?-mix:a)|(b)` is not mistaken for a single wrapper. */
function balanced(s: string): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s[i] === "(") depth++;
    else if (s[i] === ")" && --depth < 0) return false;
  }
  return depth === 0;
}
