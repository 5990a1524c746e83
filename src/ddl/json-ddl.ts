/** Choria JSON DDLs (schema https://choria.io/schemas/mcorpc/ddl/v1/agent.json): reading and writing. */
import { DdlError } from "./errors.js";
import type { ActionDdl, AggregateSpec, Ddl, Display, InputDdl, Metadata, OutputDdl } from "./model.js";

export const AGENT_SCHEMA = "https://choria.io/schemas/mcorpc/ddl/v1/agent.json";
const DISPLAYS = ["ok", "failed", "always"];

type Json = Record<string, unknown>;

/** Reads a JSON agent DDL; errors name the file and the field that is wrong. */
export function readJsonDdl(text: string, file: string): Ddl {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new DdlError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  const where = (path: string) => `${file}: ${path}`;
  const top = object(doc, where("the document"));
  const metadata = object(top.metadata, where("metadata")) as Metadata;
  for (const key of ["name", "description", "author", "license", "version", "url"]) string(metadata[key], where(`metadata.${key}`));
  if (typeof metadata.timeout !== "number") throw new DdlError(`${where("metadata.timeout")} must be a number`);
  const list = top.actions ?? [];
  if (!Array.isArray(list)) throw new DdlError(`${where("actions")} must be an array`);
  const actions: Record<string, ActionDdl> = {};
  list.forEach((raw, i) => {
    const action = readAction(raw, (p) => where(`actions[${i}]${p}`));
    actions[action.name] = action;
  });
  return { pluginType: "agent", metadata, actions };
}

function readAction(raw: unknown, where: (path: string) => string): ActionDdl {
  const a = object(raw, where(""));
  const name = string(a.action, where(".action"));
  const display = a.display ?? "failed";
  if (!DISPLAYS.includes(display as string)) throw new DdlError(`${where(".display")} must be one of ok, failed, always`);
  const inputs: Record<string, InputDdl> = {};
  for (const [key, value] of Object.entries(object(a.input ?? {}, where(".input")))) inputs[key] = readInput(value, where(`.input.${key}`));
  const outputs: Record<string, OutputDdl> = {};
  for (const [key, value] of Object.entries(object(a.output ?? {}, where(".output")))) outputs[key] = readOutput(value, where(`.output.${key}`));
  const aggregates = (Array.isArray(a.aggregate) ? a.aggregate : []).map((g, i) => {
    const spec = object(g, where(`.aggregate[${i}]`));
    const out: AggregateSpec = { function: string(spec.function, where(`.aggregate[${i}].function`)), args: Array.isArray(spec.args) ? spec.args : [spec.args] };
    if (typeof spec.format === "string") out.format = spec.format;
    return out;
  });
  return { name, description: string(a.description, where(".description")), display: display as Display, inputs, outputs, aggregates };
}

function readInput(raw: unknown, where: string): InputDdl {
  const i = object(raw, where);
  const input: InputDdl = {
    prompt: string(i.prompt, `${where}.prompt`),
    description: string(i.description, `${where}.description`),
    type: typeof i.type === "string" ? i.type : "",
    optional: i.optional === true,
  };
  if (i.default !== undefined && i.default !== null) input.default = i.default;
  if (i.validation !== undefined) input.validation = string(i.validation, `${where}.validation`);
  if (i.maxlength !== undefined) {
    if (typeof i.maxlength !== "number") throw new DdlError(`${where}.maxlength must be a number`);
    input.maxlength = i.maxlength;
  }
  if (i.list !== undefined) {
    if (!Array.isArray(i.list)) throw new DdlError(`${where}.list must be an array`);
    input.list = i.list;
  }
  return input;
}

function readOutput(raw: unknown, where: string): OutputDdl {
  const o = object(raw, where);
  const output: OutputDdl = { description: string(o.description, `${where}.description`), display_as: string(o.display_as, `${where}.display_as`) };
  if (o.default !== undefined && o.default !== null) output.default = o.default;
  if (typeof o.type === "string") output.type = o.type;
  return output;
}

/** The JSON DDL Choria's packager writes for an agent DDL: actions sorted by name, every default present. */
export function toJsonDdl(ddl: Ddl): object {
  const actions = Object.keys(ddl.actions)
    .sort()
    .map((name) => {
      const a = ddl.actions[name];
      const out: Json = { action: a.name, input: mapValues(a.inputs, jsonInput), output: mapValues(a.outputs, jsonOutput), display: a.display, description: a.description };
      if (a.aggregates.length) out.aggregate = a.aggregates.map((g) => (g.format === undefined ? { function: g.function, args: g.args } : { function: g.function, args: g.args, format: g.format }));
      return out;
    });
  return { $schema: AGENT_SCHEMA, metadata: ddl.metadata, actions };
}

function jsonInput(i: InputDdl): Json {
  const out: Json = { prompt: i.prompt, description: i.description, type: i.type, default: i.default ?? null, optional: i.optional };
  if (i.validation !== undefined) out.validation = i.validation;
  if (i.maxlength !== undefined) out.maxlength = i.maxlength;
  if (i.list !== undefined) out.list = i.list;
  return out;
}

function jsonOutput(o: OutputDdl): Json {
  const out: Json = { description: o.description, display_as: o.display_as, default: o.default ?? null };
  if (o.type !== undefined) out.type = o.type;
  return out;
}

function mapValues<T>(rec: Record<string, T>, f: (v: T) => Json): Json {
  return Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, f(v)]));
}

function object(v: unknown, where: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new DdlError(`${where} must be an object`);
  return v as Json;
}

function string(v: unknown, where: string): string {
  if (typeof v !== "string") throw new DdlError(`${where} must be a string`);
  return v;
}
