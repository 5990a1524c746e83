import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DdlError, parseDdl, UnsupportedRubyError } from "../../src/ddl/index.js";
import { evaluateDdlWithRuby, readDdlFile } from "../../src/ddl-ruby/index.js";
import { suiteTempDir } from "./ddl-support.js";

const DEBIAN = "/usr/lib/ruby/vendor_ruby/mcollective";

const NEEDS_RUBY = `metadata :name => "weird", :description => "d", :author => "a", :license => "l", :version => "1.0", :url => "u", :timeout => 5
requires :mcollective => "2.2.1"
def common(act)
  input :target, :prompt => "Target", :description => "What to #{act}", :type => :string, :validation => /^\\w+$/, :optional => false, :maxlength => 20
end
%w[poke prod].each do |act|
  action act, :description => act.capitalize do
    common(act)
    output :result, :description => "r", :display_as => "Result", :default => 0
    summarize { aggregate sum(:result) }
  end
end
`;

describe("ddl Ruby fallback (real Ruby, stub DSL)", function () {
  this.timeout(60_000);
  const tempDir = suiteTempDir("mcompat-ddl-ruby-");

  it("reads a DDL using Ruby the built-in reader refuses, and says so", () => {
    const file = join(tempDir(), "weird.ddl");
    writeFileSync(file, NEEDS_RUBY);
    assert.throws(() => parseDdl(NEEDS_RUBY, file), UnsupportedRubyError);
    const told: string[] = [];
    const ddl = readDdlFile(file, { onFallback: (_f, reason) => told.push(reason) });
    assert.match(told[0], /cannot evaluate Ruby 'def'/);
    assert.deepEqual(Object.keys(ddl.actions), ["poke", "prod"]);
    assert.deepEqual(ddl.actions.prod.inputs.target, { prompt: "Target", description: "What to prod", type: "string", optional: false, validation: "(?-mix:^\\w+$)", maxlength: 20 });
    assert.deepEqual(ddl.actions.poke.aggregates, [{ function: "sum", args: ["result"] }]);
    assert.deepEqual(ddl.requires, { mcollective: "2.2.1" });
  });

  it("keeps the reader's error when told not to use Ruby or when Ruby is missing", () => {
    const file = join(tempDir(), "weird.ddl");
    writeFileSync(file, NEEDS_RUBY);
    assert.throws(() => readDdlFile(file, { ruby: false }), UnsupportedRubyError);
    assert.throws(() => readDdlFile(file, { ruby: "/nonexistent/ruby" }), UnsupportedRubyError);
  });

  it("reports Ruby's own error for a DDL Ruby cannot evaluate either", () => {
    const file = join(tempDir(), "broken.ddl");
    writeFileSync(file, `metadata :name => "x"\ndef f; raise "boom in the DDL"; end\nf\n`);
    assert.throws(() => readDdlFile(file), (err: unknown) => err instanceof DdlError && /Ruby could not evaluate this DDL either: .*boom in the DDL/.test(err.message));
  });

  it("never hands Ruby a DDL the built-in reader rejects for a DDL reason", () => {
    const file = join(tempDir(), "nometa.ddl");
    writeFileSync(file, `metadata :name => "x"\n`);
    assert.throws(() => readDdlFile(file, { ruby: "/nonexistent/ruby" }), /Metadata needs a :description property/);
  });

  it("gives the same model as the built-in reader for every bundled and Debian agent, data and discovery DDL", () => {
    const files = [
      ...readdirSync(join(process.cwd(), "ddl")).map((f) => join(process.cwd(), "ddl", f)),
      ...["agent/rpcutil.ddl", "data/fstat_data.ddl", "data/agent_data.ddl", "discovery/mc.ddl"].map((f) => join(DEBIAN, f)),
    ];
    for (const file of files) {
      const pure = parseDdl(readFileSync(file, "utf8"), file);
      assert.deepEqual(evaluateDdlWithRuby(file), pure, file);
    }
  });
});
