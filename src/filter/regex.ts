/** The `/re/` notation of filters, read with Ruby's regex syntax; a pattern that cannot compile throws RubyRegexError. */
import { rubyRegex, rubyRegexFromText, type RubyPattern } from "../ruby/index.js";

/** The pattern inside `/re/`, or undefined when the text is not written as a regex. */
export function slashed(text: string): string | undefined {
  return text.length >= 2 && text.startsWith("/") && text.endsWith("/") ? text.slice(1, -1) : undefined;
}

/** A pattern from `/re/`, Ruby's `to_s` form `(?-mix:re)` (as a Ruby client serializes one) or bare `re`. */
export function looseRegex(text: string, flags = ""): RubyPattern {
  const pattern = slashed(text);
  return pattern === undefined ? rubyRegexFromText(text, flags) : rubyRegex(pattern, flags);
}

/** A pattern for `/re/` only; undefined for plain text. */
export function strictRegex(text: string, flags = ""): RubyPattern | undefined {
  const pattern = slashed(text);
  return pattern === undefined ? undefined : rubyRegex(pattern, flags);
}
