/** Reads a legacy Ruby-DSL DDL into the model, enforcing the same rules (and messages) as MCollective 2.12. */
import { DdlError } from "./errors.js";
import type { ActionDdl, Ddl, Display, InputDdl, Metadata, OutputDdl, PluginType } from "./model.js";
import { evaluate, type DslHost } from "./ruby/interpreter.js";
import { parseRuby } from "./ruby/parser.js";
import { RFunction, RHash, RRegex, RSym, rubyToS, toPlain, type RValue } from "./ruby/values.js";

const METADATA_KEYS = ["name", "description", "author", "license", "version", "url", "timeout"];
const DISPLAYS = ["ok", "failed", "flatten", "always"];
const CAPABILITIES = ["classes", "facts", "identity", "agents", "compound"];
/** Aggregate functions callable outside `summarize` too, as MCollective allows for installed aggregate plugins. */
const AGGREGATE_FUNCTIONS = ["summary", "average", "sum", "boolean_summary"];
/** The DSL methods of MCollective's DDL classes (DDL::Base, then per plugin type), which `respond_to?` reports. */
const BASE_DSL = ["metadata", "requires", "usage", "input", "output"];
const TYPE_DSL: Record<string, string[]> = { agent: ["action", "display", "summarize", "aggregate"], data: ["dataquery"], discovery: ["discovery", "capabilities"] };

/** Evaluates Ruby DDL `text`; `pluginType` is a hint from the file's location, otherwise guessed from the content. */
export function readRubyDdl(text: string, file: string, pluginType?: PluginType): Ddl {
  const builder = new DdlBuilder(file, pluginType);
  evaluate(parseRuby(text, file), builder, file);
  return builder.finish(pluginType);
}

class DdlBuilder implements DslHost {
  private metadata?: Metadata;
  private readonly actions: Record<string, ActionDdl> = {};
  private dataquery?: ActionDdl;
  private requires?: { mcollective?: string };
  private usage?: string;
  private capabilities?: string[];
  private current?: ActionDdl;
  private inSummarize = false;
  /** Inputs declared without `:optional`, which only agent DDLs reject. */
  private readonly withoutOptional: Array<{ name: string; line: number }> = [];

  constructor(private readonly file: string, private readonly pluginType?: PluginType) {}

  respondsTo(name: string): boolean | undefined {
    // Without a hint the DDL is read as an agent's, as finish() does.
    const own = [...BASE_DSL, ...(TYPE_DSL[this.pluginType ?? "agent"] ?? [])];
    if (own.includes(name)) return true;
    return Object.values(TYPE_DSL).flat().includes(name) ? false : undefined;
  }

  call(name: string, args: RValue[], block: (() => void) | undefined, line: number): RValue | undefined {
    if (this.inSummarize && name !== "aggregate") return new RFunction(name, args);
    switch (name) {
      case "metadata":
        return this.setMetadata(this.hashArg(args[0], "metadata", line), line);
      case "requires":
        return this.setRequires(this.hashArg(args[0], "requires", line), line);
      case "usage":
        this.usage = rubyToS(args[0] ?? "");
        return null;
      case "action":
        return this.action(args, block, line);
      case "dataquery":
        return this.dataQuery(args, block, line);
      case "discovery":
        block?.();
        return null;
      case "capabilities":
        return this.setCapabilities(args, line);
      case "input":
        return this.input(args, line);
      case "output":
        return this.output(args, line);
      case "display":
        return this.display(args[0] ?? null, line);
      case "summarize":
        this.entity("summarize", line);
        this.inSummarize = true;
        try {
          block?.();
        } finally {
          this.inSummarize = false;
        }
        return null;
      case "aggregate":
        return this.aggregate(args, line);
    }
    if (AGGREGATE_FUNCTIONS.includes(name)) return new RFunction(name, args);
    return undefined;
  }

  finish(hint?: PluginType): Ddl {
    if (!this.metadata) throw new DdlError(`${this.file}: the DDL has no metadata (every DDL starts with a metadata block)`);
    const pluginType = hint ?? (this.dataquery ? "data" : this.capabilities ? "discovery" : "agent");
    if (pluginType === "agent" && this.withoutOptional.length) {
      const first = this.withoutOptional[0];
      throw new DdlError(`${this.file}:${first.line}: Input needs a :optional property (input '${first.name}')`);
    }
    const ddl: Ddl = { pluginType, metadata: this.metadata, actions: this.actions };
    if (this.dataquery) ddl.dataquery = this.dataquery;
    if (this.requires) ddl.requires = this.requires;
    if (this.usage !== undefined) ddl.usage = this.usage;
    if (this.capabilities) ddl.capabilities = this.capabilities;
    return ddl;
  }

  private setMetadata(meta: RHash, line: number): null {
    for (const key of METADATA_KEYS) if (!meta.has(key)) throw this.error(line, `Metadata needs a :${key} property`);
    this.metadata = toPlain(meta) as Metadata;
    return null;
  }

  private setRequires(req: RHash, line: number): null {
    for (const [key, value] of req.entries) {
      if (rubyToS(key) !== "mcollective") throw this.error(line, `Requirement ${rubyToS(key)} is not a valid requirement, only mcollective is supported`);
      this.requires = { mcollective: rubyToS(value) };
    }
    return null;
  }

  private action(args: RValue[], block: (() => void) | undefined, line: number): null {
    const name = rubyToS(args[0] ?? null);
    const props = args[1];
    if (!name) throw this.error(line, "action needs a name");
    if (!(props instanceof RHash) || !props.has("description")) throw this.error(line, "Action needs a :description property");
    this.actions[name] ??= { name, description: rubyToS(props.get("description")!), display: "failed", inputs: {}, outputs: {}, aggregates: [] };
    this.withEntity(this.actions[name], block);
    return null;
  }

  private dataQuery(args: RValue[], block: (() => void) | undefined, line: number): null {
    const props = args[0];
    if (!(props instanceof RHash) || !props.has("description")) throw this.error(line, "Data queries need a :description");
    if (this.dataquery) throw this.error(line, "Data queries can only have one definition");
    this.dataquery = { name: "query", description: rubyToS(props.get("description")!), display: "always", inputs: {}, outputs: {}, aggregates: [] };
    this.withEntity(this.dataquery, block);
    return null;
  }

  private withEntity(entity: ActionDdl, block: (() => void) | undefined): void {
    this.current = entity;
    try {
      block?.();
    } finally {
      this.current = undefined;
    }
  }

  private setCapabilities(args: RValue[], line: number): null {
    const caps = args.flat().map((c) => rubyToS(c as RValue));
    if (caps.length === 0) throw this.error(line, "Discovery plugin capabilities can't be empty");
    for (const cap of caps) if (!CAPABILITIES.includes(cap)) throw this.error(line, `${cap} is not a valid capability, valid capabilities are ${CAPABILITIES.join(", ")}`);
    this.capabilities = caps;
    return null;
  }

  private input(args: RValue[], line: number): null {
    const name = rubyToS(args[0] ?? null);
    const entity = this.entity(`input ${name}`, line);
    const props = this.hashArg(args[1], `input ${name}`, line);
    if (entity === this.dataquery && name !== "query") throw this.error(line, "The only valid input name for a data query is 'query'");
    for (const key of ["prompt", "description", "type"]) if (!props.has(key)) throw this.error(line, `Input needs a :${key} property (input '${name}')`);
    if (!props.has("optional") && entity !== this.dataquery) this.withoutOptional.push({ name, line });
    const input: InputDdl = {
      prompt: rubyToS(props.get("prompt")!),
      description: rubyToS(props.get("description")!),
      type: rubyToS(props.get("type")!),
      optional: truthy(props.get("optional")),
    };
    const dflt = props.get("default");
    if (dflt !== undefined && dflt !== null) input.default = toPlain(dflt);
    if (input.type === "string") {
      if (!props.has("validation")) throw this.error(line, `Input type :string needs a :validation argument (input '${name}')`);
      if (!props.has("maxlength")) throw this.error(line, `Input type :string needs a :maxlength argument (input '${name}')`);
      input.validation = validationText(props.get("validation")!, this.file, line);
      const max = props.get("maxlength");
      input.maxlength = typeof max === "number" ? max : Number(rubyToS(max ?? null)) || 0;
    } else if (input.type === "list") {
      const list = props.get("list");
      if (!Array.isArray(list)) throw this.error(line, `Input type :list needs a :list argument (input '${name}')`);
      input.list = list.map(toPlain);
    }
    entity.inputs[name] = input;
    return null;
  }

  private output(args: RValue[], line: number): null {
    const name = rubyToS(args[0] ?? null);
    const entity = this.entity(`output ${name}`, line);
    const props = this.hashArg(args[1], `output ${name}`, line);
    if (!props.has("description")) throw this.error(line, `Output ${name} needs a description argument`);
    if (!props.has("display_as")) throw this.error(line, `Output ${name} needs a display_as argument`);
    const output: OutputDdl = { description: rubyToS(props.get("description")!), display_as: rubyToS(props.get("display_as")!) };
    const dflt = props.get("default");
    if (dflt !== undefined && dflt !== null) output.default = toPlain(dflt);
    if (props.has("type")) output.type = rubyToS(props.get("type")!);
    entity.outputs[name] = output;
    return null;
  }

  private display(pref: RValue, line: number): null {
    const entity = this.entity("display", line);
    const value = rubyToS(pref);
    if (!DISPLAYS.includes(value)) throw this.error(line, `Display preference ${value} is not valid, should be :ok, :failed, :flatten or :always`);
    // :flatten is deprecated in MCollective and absent from the JSON schema; it shows every reply, like :always.
    entity.display = (value === "flatten" ? "always" : value) as Display;
    return null;
  }

  private aggregate(args: RValue[], line: number): null {
    const entity = this.entity("aggregate", line);
    const [fn, format] = args;
    if (format !== undefined && !(format instanceof RHash)) throw this.error(line, "Formats supplied to aggregation functions should be a hash");
    if (format instanceof RHash && !format.has("format")) throw this.error(line, "Formats supplied to aggregation functions must have a :format key");
    if (!(fn instanceof RFunction)) throw this.error(line, "Functions supplied to aggregate should be a hash");
    if (fn.args.length === 0) throw this.error(line, `aggregate method for action '${entity.name}' missing a function parameter`);
    const spec: ActionDdl["aggregates"][number] = { function: fn.name, args: fn.args.map(toPlain) };
    const fmt = format instanceof RHash ? format.get("format") : undefined;
    if (fmt !== undefined && fmt !== null) spec.format = rubyToS(fmt);
    entity.aggregates.push(spec);
    return null;
  }

  private entity(what: string, line: number): ActionDdl {
    if (!this.current) throw this.error(line, `Cannot figure out what action ${what} belongs to (it must be inside an action block)`);
    return this.current;
  }

  private hashArg(v: RValue | undefined, what: string, line: number): RHash {
    if (!(v instanceof RHash)) throw this.error(line, `${what} needs a hash of properties`);
    return v;
  }

  private error(line: number, what: string): DdlError {
    return new DdlError(`${this.file}:${line}: ${what}`);
  }
}

function truthy(v: RValue | undefined): boolean {
  return v !== undefined && v !== null && v !== false;
}

/** A validation as the model stores it: symbols bare, strings as written, regex literals in Ruby's to_s form. */
function validationText(v: RValue, file: string, line: number): string {
  if (v instanceof RSym || typeof v === "string" || v instanceof RRegex) return rubyToS(v);
  throw new DdlError(`${file}:${line}: a :validation must be a validator name, a regex or a regex string`);
}
