/**
 * mco's argument grammar, as Ruby's OptionParser reads it: several long aliases per option (`--dt,
 * --discovery-timeout`), options and positionals in any order, `--opt=value`, `-Fvalue`, and help text in
 * OptionParser's layout. Commander cannot give several long names to one option, hence this small parser.
 */

/** A wrong command line; the message is OptionParser's (`invalid option: --foo`). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface OptionSpec {
  /** Property name in the parsed values. */
  key: string;
  /** Every spelling, short first: `["-F", "--wf", "--with-fact"]`. */
  flags: string[];
  /** Placeholder of the argument in help (`fact=val`); absent for a switch. */
  arg?: string;
  description: string;
  /** Collect every occurrence into an array. */
  repeat?: boolean;
  /** Converts the raw text; throws UsageError (or any Error, reported as `invalid argument`). */
  parse?: (raw: string, flag: string) => unknown;
  /** The value stored for a switch (default true). */
  value?: unknown;
}

export interface ParsedArgs {
  values: Record<string, unknown>;
  positionals: string[];
}

/** Parses argv against the specs; options may come before, between or after positionals. */
export function parseArgv(specs: OptionSpec[], argv: string[]): ParsedArgs {
  const byFlag = new Map<string, OptionSpec>();
  for (const spec of specs) for (const flag of spec.flags) byFlag.set(flag, spec);
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  const store = (spec: OptionSpec, flag: string, raw: string | undefined) => {
    let value: unknown = spec.value ?? true;
    if (spec.arg !== undefined) {
      try {
        value = spec.parse ? spec.parse(raw!, flag) : raw;
      } catch (err) {
        throw err instanceof UsageError ? err : new UsageError(`invalid argument: ${flag} ${raw}`);
      }
    }
    if (spec.repeat) values[spec.key] = [...((values[spec.key] as unknown[] | undefined) ?? []), value];
    else values[spec.key] = value;
  };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!word.startsWith("-") || word === "-") {
      positionals.push(word);
      continue;
    }
    let flag = word;
    let inline: string | undefined;
    if (word.startsWith("--")) {
      const eq = word.indexOf("=");
      if (eq > 0) [flag, inline] = [word.slice(0, eq), word.slice(eq + 1)];
    } else if (!byFlag.has(word) && byFlag.has(word.slice(0, 2))) {
      [flag, inline] = [word.slice(0, 2), word.slice(2)];
    }
    const spec = byFlag.get(flag);
    if (!spec) throw new UsageError(`invalid option: ${flag}`);
    if (spec.arg === undefined) {
      if (inline !== undefined) throw new UsageError(`needless argument: ${word}`);
      store(spec, flag, undefined);
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new UsageError(`missing argument: ${flag}`);
    store(spec, flag, raw);
  }
  return { values, positionals };
}

/** One option line as OptionParser prints it: flags in a 32-wide column indented by 4, or on their own line. */
export function helpLine(spec: OptionSpec): string {
  const shorts = spec.flags.filter((f) => !f.startsWith("--"));
  const longs = spec.flags.filter((f) => f.startsWith("--"));
  let left = [...shorts, ...longs].join(", ");
  if (shorts.length === 0) left = "    " + left;
  if (spec.arg !== undefined) left += ` ${spec.arg}`;
  const indent = " ".repeat(4);
  if (left.length > 32) return `${indent}${left}\n${indent}${" ".repeat(33)}${spec.description}`;
  return `${indent}${left.padEnd(32)} ${spec.description}`;
}

/** Shell-like splitting of `MCOLLECTIVE_EXTRA_OPTS`: spaces separate, quotes group, backslash escapes. */
export function shellSplit(text: string): string[] {
  const words: string[] = [];
  let current: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < text.length) current += text[++i];
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      current ??= "";
    } else if (c === "\\" && i + 1 < text.length) {
      current = (current ?? "") + text[++i];
    } else if (/\s/.test(c)) {
      if (current !== undefined) words.push(current);
      current = undefined;
    } else {
      current = (current ?? "") + c;
    }
  }
  if (quote) throw new UsageError(`Unmatched quote in MCOLLECTIVE_EXTRA_OPTS: ${text}`);
  if (current !== undefined) words.push(current);
  return words;
}
