/** Ruby regular expressions (as DDL validations carry them) compiled to JavaScript ones with Ruby's meaning. */
import { DdlError } from "./errors.js";

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

/**
 * Compiles a validation regex: plain source (`^[a-z]+$`) or Ruby's `to_s` form (`(?-mix:.+)`).
 * Ruby's `^`/`$` match at line breaks, `m` makes `.` match newlines, `\A \z \Z \h` have JavaScript equivalents.
 */
export function rubyRegex(text: string): RegExp {
  let source = text;
  let flags = "";
  const wrapped = /^\(\?([mix]*)(?:-[mix]*)?:([\s\S]*)\)$/.exec(text);
  if (wrapped && balanced(wrapped[2])) {
    flags = wrapped[1];
    source = wrapped[2];
  }
  const js = translate(flags.includes("x") ? stripExtended(source) : source);
  try {
    return new RegExp(js, "m" + (flags.includes("i") ? "i" : "") + (flags.includes("m") ? "s" : ""));
  } catch (err) {
    throw new DdlError(`the regular expression ${text} cannot be used: ${(err as Error).message}`);
  }
}

function translate(src: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === "\\") {
      const n = src[i + 1] ?? "";
      i++;
      if (n === "A" && !inClass) out += "(?<![\\s\\S])";
      else if (n === "z" && !inClass) out += "(?![\\s\\S])";
      else if (n === "Z" && !inClass) out += "(?=\\n?(?![\\s\\S]))";
      else if (n === "h") out += inClass ? "0-9a-fA-F" : "[0-9a-fA-F]";
      else if (n === "H" && !inClass) out += "[^0-9a-fA-F]";
      else out += c + n;
      continue;
    }
    if (inClass && c === "[" && src[i + 1] === ":") {
      const m = /^\[:(\^?)(\w+):\]/.exec(src.slice(i));
      if (m && POSIX[m[2]] && !m[1]) {
        out += POSIX[m[2]];
        i += m[0].length - 1;
        continue;
      }
    }
    if (!inClass && c === "(" && src.startsWith("(?>", i)) throw new DdlError(`atomic groups (?>...) are not supported in ${src}`);
    const inline = !inClass && c === "(" ? /^\(\?([mix]*)(?:-[mix]*)?:/.exec(src.slice(i, i + 10)) : null;
    if (inline) {
      // A nested (?-mix:...) group, as Regexp#to_s writes when regexes are combined: a plain group unless it turns flags on.
      if (inline[1] !== "") throw new DdlError(`inline flags (?${inline[1]}:...) inside a regex are not supported in ${src}`);
      out += "(?:";
      i += inline[0].length - 1;
      continue;
    }
    if (!inClass && (c === "+" || c === "*" || c === "?" || c === "}") && src[i + 1] === "+" && out !== "") {
      throw new DdlError(`possessive quantifiers are not supported in ${src}`);
    }
    if (c === "[" && !inClass) inClass = true;
    else if (c === "]" && inClass) inClass = false;
    out += c;
  }
  return out;
}

/** Drops whitespace and `#` comments outside character classes, as Ruby's `x` flag does. */
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
