/** The `/re/` notation of filters. */

/** The pattern inside `/re/`, or undefined when the text is not written as a regex. */
export function slashed(text: string): string | undefined {
  return text.length >= 2 && text.startsWith("/") && text.endsWith("/") ? text.slice(1, -1) : undefined;
}

/** A RegExp from `/re/` or bare `re`, or undefined when the pattern does not compile (the rule then fails). */
export function looseRegex(text: string, flags = ""): RegExp | undefined {
  return compile(slashed(text) ?? rubyRegex(text) ?? text, flags);
}

/** A RegExp for `/re/` only; undefined for plain text or a broken pattern. */
export function strictRegex(text: string, flags = ""): RegExp | undefined {
  const pattern = slashed(text);
  return pattern === undefined ? undefined : compile(pattern, flags);
}

/** Ruby's Regexp#to_s form `(?-mix:re)`, as a Ruby client serializes a regex in JSON. */
function rubyRegex(text: string): string | undefined {
  return /^\(\?[mix]*-?[mix]*:(.*)\)$/s.exec(text)?.[1];
}

function compile(pattern: string, flags: string): RegExp | undefined {
  try {
    return new RegExp(pattern, flags);
  } catch {
    return undefined;
  }
}
