/**
 * Reading DDL files from disk, with a Ruby fallback: a DDL whose Ruby the pure reader does not evaluate is run by
 * Ruby under a small stub DSL of our own (no MCollective library needed) and read back as JSON.
 * Lives outside `src/ddl/` because it touches the disk and starts processes.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { DdlError, parseDdl, pluginTypeOf, UnsupportedRubyError, type Ddl } from "../ddl/index.js";

export interface ReadDdlOptions {
  /** Ruby to fall back to; false never falls back. Default "ruby" from PATH. */
  ruby?: string | false;
  /** Told when a DDL was read by Ruby instead of the pure reader, and why. */
  onFallback?: (file: string, reason: string) => void;
}

/** Reads a DDL file; on Ruby the pure reader does not evaluate, asks Ruby (when allowed and installed). */
export function readDdlFile(file: string, opts: ReadDdlOptions = {}): Ddl {
  const text = readFileSync(file, "utf8");
  try {
    return parseDdl(text, file);
  } catch (err) {
    const ruby = opts.ruby ?? "ruby";
    if (!(err instanceof UnsupportedRubyError) || ruby === false) throw err;
    let ddl: Ddl;
    try {
      ddl = evaluateDdlWithRuby(file, ruby);
    } catch (rubyErr) {
      // Without a Ruby to ask, the reader's own explanation is the useful one.
      throw rubyErr instanceof RubyMissing ? err : rubyErr;
    }
    opts.onFallback?.(file, err.message);
    return ddl;
  }
}

// The stub DSL: records what the DDL declares and prints it as a JSON agent DDL plus the non-agent parts.
const STUB_DSL = String.raw`
require "json"
class McompatStubDdl
  AGGREGATES = %w[summary average sum boolean_summary]
  def initialize
    @meta = {}; @requires = {}; @usage = nil; @caps = nil; @entities = {}; @query = nil; @current = nil; @summarizing = false
  end
  def metadata(meta) = @meta = meta
  def requires(req) = @requires.merge!(req)
  def usage(text) = @usage = text
  def discovery(&blk) = blk&.call
  def capabilities(*caps) = @caps = caps.flatten.map(&:to_s)
  def action(name, props = {}, &blk)
    raise "Action needs a :description property" unless props.include?(:description)
    @entities[name.to_s] ||= {"action" => name.to_s, "input" => {}, "output" => {}, "display" => "failed", "description" => props[:description]}
    within(@entities[name.to_s], &blk)
  end
  def dataquery(props = {}, &blk)
    @query = {"action" => "query", "input" => {}, "output" => {}, "display" => "always", "description" => props[:description]}
    within(@query, &blk)
  end
  def within(entity)
    @current = entity
    yield if block_given?
  ensure
    @current = nil
  end
  def input(name, props)
    i = {"prompt" => props[:prompt], "description" => props[:description], "type" => props[:type].to_s, "default" => props[:default], "optional" => !!props[:optional]}
    if props[:type] == :string
      i["validation"] = props[:validation].to_s
      i["maxlength"] = props[:maxlength]
    end
    i["list"] = props[:list] if props[:type] == :list
    @current["input"][name.to_s] = i
  end
  def output(name, props)
    o = {"description" => props[:description], "display_as" => props[:display_as], "default" => props[:default]}
    o["type"] = props[:type].to_s if props.include?(:type)
    @current["output"][name.to_s] = o
  end
  def display(pref) = @current["display"] = (pref.to_s == "flatten" ? "always" : pref.to_s)
  def summarize
    @summarizing = true
    yield
  ensure
    @summarizing = false
  end
  def aggregate(fn, format = {})
    spec = {"function" => fn[:function].to_s, "args" => fn[:args]}
    spec["format"] = format[:format] if format[:format]
    (@current["aggregate"] ||= []) << spec
  end
  def method_missing(name, *args)
    return {function: name, args: args} if @summarizing || AGGREGATES.include?(name.to_s)
    super
  end
  def respond_to_missing?(*) = true
  def result
    {"$schema" => "https://choria.io/schemas/mcorpc/ddl/v1/agent.json", "metadata" => @meta,
     "actions" => @entities.keys.sort.map { |a| @entities[a] },
     "mcompat" => {"requires" => @requires, "usage" => @usage, "capabilities" => @caps, "dataquery" => @query}}
  end
end
stub = McompatStubDdl.new
stub.instance_eval(File.read(ARGV[0]), ARGV[0], 1)
print JSON.generate(stub.result)
`;

interface StubExtras {
  requires: { mcollective?: string };
  usage: string | null;
  capabilities: string[] | null;
  dataquery: object | null;
}

/** Ruby is not installed (or not where we were told). */
class RubyMissing extends DdlError {}

/** Evaluates a DDL file in Ruby under the stub DSL and reads the result into the model. */
export function evaluateDdlWithRuby(file: string, ruby = "ruby"): Ddl {
  let stdout: string;
  try {
    stdout = execFileSync(ruby, ["-W0", "-e", STUB_DSL, file], { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    const e = err as { code?: string; stderr?: string };
    if (e.code === "ENOENT") throw new RubyMissing(`${file}: cannot run ${ruby} to read this DDL`);
    const reason = (e.stderr ?? String(err)).split("\n").find((l) => l.trim() !== "") ?? "Ruby failed";
    throw new DdlError(`${file}: Ruby could not evaluate this DDL either: ${reason}`);
  }
  const doc = JSON.parse(stdout) as Record<string, unknown> & { mcompat: StubExtras };
  const extras = doc.mcompat;
  const pluginType = pluginTypeOf(file) ?? (extras.dataquery ? "data" : extras.capabilities ? "discovery" : "agent");
  const actions = extras.dataquery ? [extras.dataquery] : (doc.actions as object[]);
  const ddl = parseDdl(JSON.stringify({ metadata: doc.metadata, actions }), file);
  ddl.pluginType = pluginType;
  if (extras.dataquery) {
    ddl.dataquery = ddl.actions.query;
    ddl.actions = {};
  }
  if (extras.requires.mcollective !== undefined) ddl.requires = { mcollective: String(extras.requires.mcollective) };
  if (extras.usage !== null) ddl.usage = extras.usage;
  if (extras.capabilities) ddl.capabilities = extras.capabilities;
  return ddl;
}
