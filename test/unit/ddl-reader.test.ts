import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DdlError, parseDdl, rubyPrettyJson, toJsonDdl, UnsupportedRubyError } from "../../src/ddl/index.js";

const META = `metadata :name => "demo", :description => "Demo agent", :author => "Ops", :license => "ASL",
         :version => "1.0", :url => "https://example.com", :timeout => 5\n`;

function agent(body: string) {
  return parseDdl(META + body, "demo.ddl");
}

function throwsDdl(fn: () => unknown, message: RegExp) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof DdlError, `expected a DdlError, got ${String(err)}`);
    assert.match(err.message, message);
    return true;
  });
}

const BUNDLED = join(process.cwd(), "ddl");

describe("ddl reader: Ruby DSL", () => {
  it("reads metadata in the order written, keeping extra keys", () => {
    const ddl = parseDdl(`metadata :name => "x", :description => "d", :author => "a", :license => "l", :version => "1", :url => "u", :timeout => 3, :provider => "ruby"`, "x.ddl");
    assert.deepEqual(Object.keys(ddl.metadata), ["name", "description", "author", "license", "version", "url", "timeout", "provider"]);
    assert.equal(ddl.metadata.timeout, 3);
    assert.equal(ddl.metadata.provider, "ruby");
  });

  it("refuses metadata missing one of the seven keys, naming the key and line", () => {
    throwsDdl(() => parseDdl(`\nmetadata :name => "x", :description => "d", :author => "a", :license => "l", :version => "1", :url => "u"`, "x.ddl"), /^x\.ddl:2: Metadata needs a :timeout property/);
  });

  it("reads actions with inputs, outputs, display and aggregates", () => {
    const ddl = agent(`
requires :mcollective => "2.2.1"
action "restart", :description => "Restart a service" do
  display :always
  input :service, :prompt => "Service", :description => "The service", :type => :string,
        :validation => '^[a-z]+$', :optional => false, :maxlength => 90
  input :force, :prompt => "Force", :description => "Force it", :type => :boolean, :optional => true, :default => false
  input :mode, :prompt => "Mode", :description => "How", :type => :list, :list => ["graceful", "hard"], :optional => true
  output :status, :description => "Status", :display_as => "Service Status", :default => "unknown"
  summarize do
    aggregate summary(:status)
    aggregate average(:status, :format => "%.1f")
  end
end`);
    assert.deepEqual(ddl.requires, { mcollective: "2.2.1" });
    const a = ddl.actions.restart;
    assert.equal(a.display, "always");
    assert.deepEqual(a.inputs.service, { prompt: "Service", description: "The service", type: "string", optional: false, validation: "^[a-z]+$", maxlength: 90 });
    assert.deepEqual(a.inputs.force, { prompt: "Force", description: "Force it", type: "boolean", optional: true, default: false });
    assert.deepEqual(a.inputs.mode.list, ["graceful", "hard"]);
    assert.deepEqual(a.outputs.status, { description: "Status", display_as: "Service Status", default: "unknown" });
    assert.deepEqual(a.aggregates, [
      { function: "summary", args: ["status"] },
      { function: "average", args: ["status", { format: "%.1f" }] },
    ]);
  });

  it("defaults display to failed and keeps a symbol validation as a bare validator name", () => {
    const ddl = agent(`action "a", :description => "d" do
  input :p, :prompt => "P", :description => "D", :type => :string, :validation => :shellsafe, :optional => false, :maxlength => 0
end`);
    assert.equal(ddl.actions.a.display, "failed");
    assert.equal(ddl.actions.a.inputs.p.validation, "shellsafe");
  });

  it("renders a regex literal as Ruby's to_s, as JSON DDLs carry it", () => {
    const ddl = agent(`action "a", :description => "d" do
  input :p, :prompt => "P", :description => "D", :type => :string, :validation => /^\\w+$/i, :optional => false, :maxlength => 0
end`);
    assert.equal(ddl.actions.a.inputs.p.validation, "(?i-mx:^\\w+$)");
  });

  it("understands both quote kinds and escapes, symbols, numbers, nil, arrays, both hash forms and %w", () => {
    const ddl = agent(`action "a", :description => 'it\\'s "d"' do
  input :p, prompt: "tab\\there", description: 'single \\n stays', type: :list, optional: true,
        list: %w[a b c], default: nil
  output :o, { :description => "x" "y", :display_as => :Label, :default => { "k" => [1, 2.5, -3, true, nil], sym: :v } }
end`);
    const a = ddl.actions.a;
    assert.equal(a.description, `it's "d"`);
    assert.equal(a.inputs.p.prompt, "tab\there");
    assert.equal(a.inputs.p.description, "single \\n stays");
    assert.deepEqual(a.inputs.p.list, ["a", "b", "c"]);
    assert.equal(a.inputs.p.default, undefined);
    assert.equal(a.outputs.o.description, "xy");
    assert.equal(a.outputs.o.display_as, "Label");
    assert.deepEqual(a.outputs.o.default, { k: [1, 2.5, -3, true, null], sym: "v" });
  });

  it("reads the rarer literal forms: %i %q %Q, hex/binary/underscored numbers, unicode escapes, quoted symbols", () => {
    const ddl = agent(String.raw`action "a", :description => %q(it's (nested) "raw") do
  output :o, :description => %Q{\u00e9\u{1F600} \x41\101}, :display_as => :"Quoted Sym",
         :default => { "k": [0x1f, 0b101, 1_000, 1.5e2, %i[a b]] }
end`);
    const o = ddl.actions.a.outputs.o;
    assert.equal(ddl.actions.a.description, `it's (nested) "raw"`);
    assert.equal(o.description, "\u00e9\u{1F600} AA");
    assert.equal(o.display_as, "Quoted Sym");
    assert.deepEqual(o.default, { k: [31, 5, 1000, 150, ["a", "b"]] });
  });

  it("reads heredocs (<<-, <<~ and quoted tags) and keeps reading after them", () => {
    const ddl = parseDdl(`${META}usage <<-EOS
  two
    lines #{"x"}
  EOS
action "a", :description => <<~'RAW' do
    raw #{not interpolated}
      indented
  RAW
end`, "agg/aggregate/x.ddl");
    assert.equal(ddl.pluginType, "aggregate");
    assert.equal(ddl.usage, "  two\n    lines x\n");
    assert.equal(ddl.actions.a.description, "raw #{not interpolated}\n  indented\n");
  });

  it("evaluates loops, interpolation, constants, string methods and conditionals as real DDLs use them", () => {
    const ddl = agent(`
OUTS = [:one, :two]
%w[start stop].each do |act|
  action act, :description => "#{act.capitalize} it" do
    input :x, :prompt => "X", :description => "to #{act.sub(/p$/, 'pp')}ing", :type => :integer, :optional => act == "stop"
    if act == "start"
      output :started, :description => "s", :display_as => "S"
    elsif act == "nope"
      output :never, :description => "n", :display_as => "N"
    else
      output :stopped, :description => "s", :display_as => "S"
    end
    OUTS.each { |o| output o, :description => "Agent #{o}", :display_as => o.to_s.upcase }
    output :extra, :description => "e", :display_as => "E" unless act == "start"
  end
end`);
    assert.deepEqual(Object.keys(ddl.actions), ["start", "stop"]);
    assert.equal(ddl.actions.start.description, "Start it");
    assert.equal(ddl.actions.stop.inputs.x.description, "to stoppping".replace("ppp", "pp"));
    assert.equal(ddl.actions.stop.inputs.x.optional, true);
    assert.deepEqual(Object.keys(ddl.actions.start.outputs), ["started", "one", "two"]);
    assert.deepEqual(Object.keys(ddl.actions.stop.outputs), ["stopped", "one", "two", "extra"]);
    assert.equal(ddl.actions.stop.outputs.two.display_as, "TWO");
  });

  it("ignores comments, =begin blocks and __END__", () => {
    const ddl = agent(`# a comment
=begin
action "hidden", :description => "no"
=end
action "a", :description => "d # not a comment" do # trailing
end
__END__
garbage ( [`);
    assert.deepEqual(Object.keys(ddl.actions), ["a"]);
    assert.equal(ddl.actions.a.description, "d # not a comment");
  });

  it("reads a data DDL's dataquery and a discovery DDL's capabilities", () => {
    const data = parseDdl(`${META}dataquery :description => "Stat" do
  input :query, :prompt => "File", :description => "Path", :type => :string, :validation => /.+/, :maxlength => 120
  output :size, :description => "Size", :display_as => "Size"
end`, "/lib/mcollective/data/fstat_data.ddl");
    assert.equal(data.pluginType, "data");
    assert.equal(data.dataquery?.inputs.query.validation, "(?-mix:.+)");
    const disc = parseDdl(`${META}discovery do\n  capabilities [:classes, :identity]\nend`, "/lib/mcollective/discovery/x.ddl");
    assert.deepEqual(disc.capabilities, ["classes", "identity"]);
  });

  it("applies MCollective's input rules with its messages", () => {
    throwsDdl(() => agent(`action "a", :description => "d" do\n input :p, :prompt => "P", :description => "D", :type => :string, :optional => true, :maxlength => 1\nend`), /demo\.ddl:4: Input type :string needs a :validation argument/);
    throwsDdl(() => agent(`action "a", :description => "d" do\n input :p, :prompt => "P", :description => "D", :type => :integer\nend`), /Input needs a :optional property \(input 'p'\)/);
    throwsDdl(() => agent(`action "a", :description => "d" do\n input :p, :prompt => "P", :description => "D", :type => :list, :optional => true\nend`), /Input type :list needs a :list argument/);
    throwsDdl(() => agent(`action "a", :description => "d" do\n display :sometimes\nend`), /Display preference sometimes is not valid/);
    throwsDdl(() => agent(`action "a" do\nend`), /Action needs a :description property/);
    throwsDdl(() => agent(`input :p, :prompt => "P"`), /must be inside an action block/);
    throwsDdl(() => agent(`action "a", :description => "d" do\n output :o, :description => "x"\nend`), /Output o needs a display_as argument/);
  });

  it("evaluates respond_to? and defined? on the DDL's own methods, as third-party DDLs guard their aggregates", () => {
    const ddl = agent(`action "status", :description => "d" do
  output :status, :description => "S", :display_as => "Status"
  if respond_to?(:summarize)
    summarize do
      aggregate summary(:status)
    end
  end
  display :always unless respond_to?(:dataquery)
  label = "Seen"
  output :seen, :description => "x", :display_as => label if defined?(summarize) && defined?(label) && defined?(dataquery).nil?
end`);
    assert.deepEqual(ddl.actions.status.aggregates, [{ function: "summary", args: ["status"] }]);
    assert.equal(ddl.actions.status.display, "always");
    assert.deepEqual(Object.keys(ddl.actions.status.outputs), ["status", "seen"]);
    const data = parseDdl(META + `dataquery :description => "q" do
  output :x, :description => "x", :display_as => "X" if respond_to?(:dataquery) && !respond_to?(:summarize)
end`, "mcollective/data/demo_data.ddl");
    assert.deepEqual(Object.keys(data.dataquery!.outputs), ["x"]);
  });

  it("leaves respond_to? and defined? it cannot answer to Ruby", () => {
    assert.throws(() => agent(`x = 1 if respond_to?(:help)`), UnsupportedRubyError);
    assert.throws(() => agent(`x = 1 if defined?(MCollective::Aggregate)`), UnsupportedRubyError);
  });

  it("names file, line and construct for Ruby it cannot evaluate", () => {
    throwsDdl(() => agent(`\n\nsystem("rm -rf /")`), /^demo\.ddl:5: the DDL reader cannot evaluate Ruby 'system'/);
    throwsDdl(() => agent(`def helper\nend`), /demo\.ddl:3: the DDL reader cannot evaluate Ruby 'def'/);
    throwsDdl(() => agent(`x = File.read("/etc/passwd")`), /demo\.ddl:3: unknown constant File/);
    throwsDdl(() => agent(`frobnicate :x`), /demo\.ddl:3: the DDL reader cannot evaluate Ruby method 'frobnicate'/);
    throwsDdl(() => agent(`action "a", :description => "d" do\n`), /a block is missing its 'end'/);
    throwsDdl(() => agent(`action "a", :description => "unterminated`), /unterminated literal/);
  });
});

describe("ddl reader: JSON DDL", () => {
  it("reads a Choria JSON DDL into the same model as the Ruby one", () => {
    const ruby = parseDdl(readFileSync(join(BUNDLED, "puppet.ddl"), "utf8"), "puppet.ddl");
    const json = JSON.stringify(toJsonDdl(ruby));
    const fromJson = parseDdl(json, "puppet.json");
    assert.deepEqual(fromJson.actions, ruby.actions);
    assert.deepEqual(fromJson.metadata, ruby.metadata);
  });

  it("names the file and field that is wrong", () => {
    throwsDdl(() => parseDdl(`{"metadata": {"name": "x"}}`, "x.json"), /^x\.json: metadata\.description must be a string/);
    throwsDdl(() => parseDdl(`{"metadata": {`, "x.json"), /^x\.json: not valid JSON/);
    const meta = `"metadata":{"name":"x","description":"d","author":"a","license":"l","version":"1","url":"u","timeout":2}`;
    throwsDdl(() => parseDdl(`{${meta},"actions":[{"action":"a","description":"d","display":"loud","input":{},"output":{}}]}`, "x.json"), /actions\[0\]\.display must be one of ok, failed, always/);
  });

  it("converts every bundled agent DDL to JSON that reads back to the same JSON", () => {
    for (const name of ["rpcutil", "discovery", "package", "service", "puppet"]) {
      const json = toJsonDdl(parseDdl(readFileSync(join(BUNDLED, `${name}.ddl`), "utf8"), `${name}.ddl`));
      const text = rubyPrettyJson(json);
      assert.deepEqual(toJsonDdl(parseDdl(text, `${name}.json`)), json, name);
    }
  });

  it("lays JSON out as Ruby's pretty_generate does", () => {
    assert.equal(rubyPrettyJson({ a: {}, b: [], c: [1, { d: null }] }), '{\n  "a": {\n  },\n  "b": [\n\n  ],\n  "c": [\n    1,\n    {\n      "d": null\n    }\n  ]\n}');
  });
});
