/** `mcompat ddl check`: problems in a DDL that parses, judged by MCollective's runtime and Choria's JSON schema. */
import { AGGREGATE_FUNCTIONS } from "./aggregates.js";
import { DdlError } from "./errors.js";
import type { ActionDdl, Ddl, InputDdl } from "./model.js";
import { rubyRegex } from "./regex.js";
import { NAMED_VALIDATORS, typeMatches } from "./validators.js";

export interface DdlProblem {
  /** An error breaks requests or the JSON DDL; a warning is legal but probably not what the author meant. */
  severity: "error" | "warning";
  /** Where in the DDL: `action 'x' input 'y'` or `metadata`. */
  where: string;
  message: string;
}

const SHORTNAME = /^[a-z0-9_]*$/;
const VERSION = /^(\d+\.)?(\d+\.)?(\*|\d+)$/;
const INPUT_TYPES = ["string", "list", "boolean", "integer", "float", "number", "hash", "array", "Hash", "Array", "any", ""];

/** Every problem found in `ddl`; an empty list means it is fine. */
export function checkDdl(ddl: Ddl): DdlProblem[] {
  const problems: DdlProblem[] = [];
  const report = (severity: DdlProblem["severity"], where: string, message: string) => problems.push({ severity, where, message });
  const m = ddl.metadata;
  if (typeof m.timeout !== "number" || !Number.isInteger(m.timeout) || m.timeout < 0) report("error", "metadata", `timeout must be a whole number of seconds, not ${JSON.stringify(m.timeout)}`);
  if (ddl.pluginType !== "agent") return problems;
  if (!SHORTNAME.test(String(m.name)) || m.name === "") report("error", "metadata", `name '${m.name}' must be lowercase letters, digits and underscores (Choria's JSON schema)`);
  if (!VERSION.test(String(m.version))) report("warning", "metadata", `version '${m.version}' is not of the form 1.2.3 that Choria's JSON schema asks for`);
  if (typeof m.timeout === "number" && m.timeout < 2) report("warning", "metadata", `timeout ${m.timeout} is below the 2 seconds Choria's JSON schema allows`);
  if (Object.keys(ddl.actions).length === 0) report("error", "metadata", "an agent DDL needs at least one action");
  for (const action of Object.values(ddl.actions)) checkAction(action, report);
  return problems;
}

function checkAction(a: ActionDdl, report: (s: DdlProblem["severity"], where: string, message: string) => void): void {
  const here = `action '${a.name}'`;
  if (!SHORTNAME.test(a.name)) report("error", here, "action names must be lowercase letters, digits and underscores");
  for (const [name, input] of Object.entries(a.inputs)) checkInput(`${here} input '${name}'`, name, input, report);
  for (const name of Object.keys(a.outputs)) {
    if (!SHORTNAME.test(name)) report("error", `${here} output '${name}'`, "output names must be lowercase letters, digits and underscores");
  }
  for (const agg of a.aggregates) {
    const output = String(agg.args[0]);
    if (!Object.hasOwn(a.outputs, output)) report("error", `${here} aggregate ${agg.function}`, `summarizes '${output}', which is not an output of the action`);
    if (!Object.hasOwn(AGGREGATE_FUNCTIONS, agg.function)) report("warning", `${here} aggregate ${agg.function}`, `${agg.function} is not a built-in aggregate function; clients need its plugin`);
    if (agg.format !== undefined) report("warning", `${here} aggregate ${agg.function}`, `a :format given after the call is ignored by mco; write ${agg.function}(:${output}, :format => "...")`);
  }
}

function checkInput(where: string, name: string, i: InputDdl, report: (s: DdlProblem["severity"], where: string, message: string) => void): void {
  if (!SHORTNAME.test(name)) report("error", where, "input names must be lowercase letters, digits and underscores");
  if (!INPUT_TYPES.includes(i.type)) report("warning", where, `type '${i.type}' is not a DDL type; MCollective treats it as a validator plugin name`);
  if (i.type === "string" && i.validation) {
    if (/^[a-z][a-z0-9_]*$/.test(i.validation)) {
      if (!Object.hasOwn(NAMED_VALIDATORS, i.validation)) report("warning", where, `validator '${i.validation}' is a plugin: servers must have it, clients without it leave the check to the server`);
    } else {
      try {
        rubyRegex(i.validation);
      } catch (err) {
        report("error", where, err instanceof DdlError ? err.message : String(err));
      }
    }
  }
  if (i.type === "list" && (i.list ?? []).length === 0) report("error", where, "a list input needs at least one value");
  if (i.default !== undefined) {
    const fits = i.type === "list" ? (i.list ?? []).includes(i.default) : typeMatches(i.default, i.type) !== false;
    if (!fits) report("error", where, `default ${JSON.stringify(i.default)} does not pass the input's own type`);
    if (i.optional) report("warning", where, "mco never sends the default of an optional input; the agent must apply it");
  }
}
