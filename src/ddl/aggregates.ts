/** `summarize` blocks: aggregate functions computed over replies and printed as mco prints them. */
import { stringifyJson } from "../protocol/index.js";
import type { ActionDdl } from "./model.js";
import { RubyFloat, rubySprintf } from "../ruby/index.js";

export interface AggregateReply {
  statuscode: number;
  data: Record<string, unknown>;
}

/** What one function made of the replies: a number, counts per value, or why it could not be computed. */
export type AggregateResult =
  | { output: string; displayAs: string; function: string; kind: "numeric"; value: number; float: boolean; format: string }
  | { output: string; displayAs: string; function: string; kind: "collection"; counts: Array<[string, number]>; format: string }
  | { output: string; displayAs: string; function: string; kind: "failed"; reason: string };

type Computed = { kind: "numeric"; value: number; float: boolean; format: string } | { kind: "collection"; counts: Array<[string, number]>; format: string };

/** An aggregate function: fed every reply's value of its output, in order; throws AggregateFailure to give up. */
export type AggregateFunction = (values: unknown[], output: string, options: Record<string, unknown>) => Computed;

/** Where a function gave up, named as mco reports it. */
export class AggregateFailure extends Error {
  constructor(readonly stage: "process_result" | "summarize", message: string) {
    super(message);
  }
}

const FAILURE_TEXT = {
  startup: "exception raised while processing startup hook",
  create: (output: string) => `unspecified output '${output}' for the action`,
  process_result: "exception raised while processing result data",
  summarize: "exception raised while summarizing",
};

/** Ruby's `+` on a running total: numbers only, anything else raises. */
function add(total: { value: number; float: boolean }, v: unknown): void {
  if (typeof v !== "number") throw new AggregateFailure("process_result", `cannot add ${v === undefined ? "nil" : stringifyJson(v)} to a number`);
  total.value += v;
  if (!Number.isInteger(v)) total.float = true;
}

function average(values: unknown[], output: string, options: Record<string, unknown>): Computed {
  const total = { value: 0, float: false };
  for (const v of values) add(total, v);
  if (values.length === 0 && !total.float) throw new AggregateFailure("summarize", "divided by 0");
  // Ruby divides Integers by an Integer count with floor division: (1+2)/2 is 1.
  const value = total.float ? total.value / values.length : Math.floor(total.value / values.length);
  return { kind: "numeric", value, float: total.float, format: formatOption(options) ?? `Average of ${output}: %f` };
}

function sum(values: unknown[], output: string, options: Record<string, unknown>): Computed {
  const total = { value: 0, float: false };
  for (const v of values) add(total, v);
  return { kind: "numeric", value: total.value, float: total.float, format: formatOption(options) ?? `Sum of ${output}: %f` };
}

/**
 * Counts values (each element of an array value), skipping nil. Values are told apart as Ruby hash keys are, by type
 * and value (1 and "1" are two rows that print alike), and printed by `label`.
 */
function count(values: unknown[], label: (v: unknown) => string): Array<[string, number]> {
  const counts = new Map<string, { label: string; count: number }>();
  for (const v of values) {
    if (v === null || v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) {
      if (item === null || item === undefined) continue;
      const key = `${typeof item}:${stringifyJson(item)}`;
      const row = counts.get(key) ?? { label: label(item), count: 0 };
      row.count++;
      counts.set(key, row);
    }
  }
  return [...counts.values()].map((row) => [row.label, row.count]);
}

function rubyLabel(v: unknown): string {
  return typeof v === "string" ? v : typeof v === "object" ? stringifyJson(v) : String(v);
}

function summary(values: unknown[], _output: string, options: Record<string, unknown>): Computed {
  const counts = count(values, rubyLabel);
  const width = Math.max(0, ...counts.map(([k]) => [...k].length));
  return { kind: "collection", counts, format: formatOption(options) ?? `%${width}s = %s` };
}

/** From the puppet agent's plugin: true/false counted under labels given as `{true: "...", false: "..."}`. */
function booleanSummary(values: unknown[], _output: string, options: Record<string, unknown>): Computed {
  const labels = { true: String(options.true ?? "True"), false: String(options.false ?? "False") };
  const counts = count(values, (v) => (v === true ? labels.true : v === false ? labels.false : rubyLabel(v)));
  return { kind: "collection", counts, format: formatOption(options) ?? "%5s = %s" };
}

function formatOption(options: Record<string, unknown>): string | undefined {
  return typeof options.format === "string" ? options.format : undefined;
}

/** The functions mco ships plus the puppet agent's boolean_summary; pass a bigger registry to add more. */
export const AGGREGATE_FUNCTIONS: Readonly<Record<string, AggregateFunction>> = { summary, average, sum, boolean_summary: booleanSummary };

/**
 * Runs the action's aggregates over all replies (failed ones included, as mco does). Results come sorted by output
 * name, failures last in DDL order. A function whose output the action lacks, or that is not registered, fails.
 */
export function summarize(action: ActionDdl, replies: AggregateReply[], functions: Readonly<Record<string, AggregateFunction>> = AGGREGATE_FUNCTIONS): AggregateResult[] {
  const done: AggregateResult[] = [];
  const failed: AggregateResult[] = [];
  for (const spec of action.aggregates) {
    const output = String(spec.args[0]);
    const base = { output, function: spec.function };
    const fail = (reason: string) => failed.push({ ...base, displayAs: output, kind: "failed", reason });
    if (!Object.hasOwn(action.outputs, output)) {
      fail(FAILURE_TEXT.create(output));
      continue;
    }
    const fn = Object.hasOwn(functions, spec.function) ? functions[spec.function] : undefined;
    if (!fn) {
      fail(FAILURE_TEXT.startup);
      continue;
    }
    const options = typeof spec.args[1] === "object" && spec.args[1] !== null ? (spec.args[1] as Record<string, unknown>) : {};
    try {
      done.push({ ...base, displayAs: action.outputs[output].display_as, ...fn(replies.map((r) => r.data?.[output] ?? null), output, options) });
    } catch (err) {
      fail(err instanceof AggregateFailure ? FAILURE_TEXT[err.stage] : FAILURE_TEXT.summarize);
    }
  }
  done.sort((a, b) => (a.output < b.output ? -1 : a.output > b.output ? 1 : 0));
  return [...done, ...failed];
}

export interface FormatOptions {
  /** Bold headings and yellow notes, as mco prints on a terminal. */
  color?: boolean;
}

/** The aggregate block mco prints after the per-node results ("Summary of Service Status:" ...). */
export function formatAggregates(results: AggregateResult[], opts: FormatOptions = {}): string {
  const bold = (s: string) => (opts.color ? `\x1b[1m${s}\x1b[0m` : s);
  const yellow = (s: string) => (opts.color ? `\x1b[33m${s}\x1b[0m` : s);
  let text = "";
  for (const r of results) {
    text += `${bold(`Summary of ${r.displayAs}:`)}\n\n`;
    if (r.kind === "failed") {
      text += `${yellow(`     Could not compute summary - ${r.reason}`)}\n\n`;
      continue;
    }
    const body = render(r);
    text += body === "" ? `${yellow("     No aggregate summary could be computed")}\n\n` : `${body.split("\n").map((l) => "   " + l).join("\n")}\n\n`;
  }
  return text;
}

/** One result's lines; "" when nothing could be computed or the format does not fit the values. */
function render(r: Exclude<AggregateResult, { kind: "failed" }>): string {
  try {
    if (r.kind === "numeric") return rubySprintf(r.format, [r.float ? new RubyFloat(r.value) : r.value]);
    // Highest count first; Ruby's sort-then-reverse puts equal counts in reverse order of arrival.
    const rows = r.counts.map((row, i) => ({ row, i })).sort((a, b) => b.row[1] - a.row[1] || b.i - a.i);
    return rows.map(({ row }) => rubySprintf(r.format, row)).join("\n");
  } catch {
    return "";
  }
}
