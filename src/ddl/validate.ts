/** Request validation against an action's DDL, the same code on client and server; and reply output defaults. */
import { DdlError } from "./errors.js";
import type { ActionDdl, Ddl, InputDdl } from "./model.js";
import { rubyRegex } from "./regex.js";
import { CORE_VALIDATORS, NAMED_VALIDATORS, lengthError, typeMatches } from "./validators.js";

/** Asks the server's Ruby about a plugin validator: "pass", "unknown" (no such plugin) or the failure text. */
export type PluginValidator = (name: string, value: unknown) => "pass" | "unknown" | string;

export interface ValidateOptions {
  /**
   * Present on a server: consulted for every non-core named validator, and a validator nobody knows fails the
   * input. Absent on a client: a validator not known here is left to the server and noted in `notes`.
   */
  pluginValidator?: PluginValidator;
  /** Collects what was not checked here (for verbose output). */
  notes?: string[];
}

/** A bare lowercase word names a validator; anything else is a regular expression (Choria's rule for JSON DDLs). */
const VALIDATOR_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Checks `data` for `action`: the action exists, required inputs are present, every supplied declared input passes
 * its type, length, list and validation rules. Undeclared inputs pass through, as in MCollective. Returns a copy with
 * the defaults of missing required inputs filled in (mco's client rule). Throws DdlError 4, as MCollective's
 * `request.validate!` does for a missing input as much as for an invalid one.
 */
export function validateInputs(ddl: Ddl, action: string, data: Record<string, unknown>, opts: ValidateOptions = {}): Record<string, unknown> {
  const act = actionOf(ddl, action);
  const out: Record<string, unknown> = { ...data };
  for (const [name, input] of Object.entries(act.inputs)) {
    if (!Object.hasOwn(out, name)) {
      if (input.optional) continue;
      if (input.default === undefined) throw new DdlError(`input '${name}' is required by action '${action}' (Action ${action} needs a ${name} argument)`, 4, name);
      out[name] = structuredClone(input.default);
    }
    checkInput(name, input, out[name], opts);
  }
  return out;
}

/** Every output of `action` set to its DDL default (a fresh copy) or null: how a reply's data starts out. */
export function outputDefaults(ddl: Ddl, action: string): Record<string, unknown> {
  const act = actionOf(ddl, action);
  return Object.fromEntries(Object.entries(act.outputs).map(([name, o]) => [name, o.default === undefined ? null : structuredClone(o.default)]));
}

function actionOf(ddl: Ddl, action: string): ActionDdl {
  const act = Object.hasOwn(ddl.actions, action) ? ddl.actions[action] : undefined;
  if (!act) throw new DdlError(`Attempted to call action ${action} for ${ddl.metadata.name} but it's not declared in the DDL`, 4);
  return act;
}

function checkInput(name: string, input: InputDdl, value: unknown, opts: ValidateOptions): void {
  const fail = (rule: string) => new DdlError(`input '${name}' ${rule}`, 4, name);
  if (input.type === "string") {
    if (typeof value !== "string") throw fail(`should be a string (value should be a string, got ${describe(value)})`);
    const tooLong = lengthError(value, input.maxlength ?? 0);
    if (tooLong) throw fail(`is longer than ${input.maxlength} characters (${tooLong})`);
    if (input.validation === undefined || input.validation === "") return;
    if (VALIDATOR_NAME.test(input.validation)) return checkNamed(name, input.validation, value, opts);
    if (!rubyRegex(input.validation).test(value)) throw fail(`does not match ${input.validation} (value should match ${input.validation})`);
    return;
  }
  if (input.type === "list") {
    const list = input.list ?? [];
    if (!list.some((item) => item === value)) throw fail(`should be one of ${list.join(", ")} (got ${describe(value)})`);
    return;
  }
  const matches = typeMatches(value, input.type);
  if (matches === undefined) return checkNamed(name, input.type, value, opts);
  if (!matches) throw fail(`should be ${article(input.type)} ${input.type} (value should be a ${input.type}, got ${describe(value)})`);
}

function checkNamed(name: string, validator: string, value: unknown, opts: ValidateOptions): void {
  const fail = (detail: string) => new DdlError(`input '${name}' does not pass the ${validator} validator: ${detail}`, 4, name);
  const native = Object.hasOwn(NAMED_VALIDATORS, validator) ? NAMED_VALIDATORS[validator] : undefined;
  if (opts.pluginValidator && !CORE_VALIDATORS.has(validator)) {
    const answer = opts.pluginValidator(validator, value);
    if (answer === "pass") return;
    if (answer !== "unknown") throw fail(answer);
    if (!native) throw fail(`Unknown validator: '${validator}'.`);
  }
  if (native) {
    const error = native(value);
    if (error !== undefined) throw fail(error);
    return;
  }
  opts.notes?.push(`input '${name}': the ${validator} validator is not available here, so the server checks it`);
}

function article(type: string): string {
  return /^[aeiou]/i.test(type) ? "an" : "a";
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = typeof value === "bigint" ? String(value) : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
