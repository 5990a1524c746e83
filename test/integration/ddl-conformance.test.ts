import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseDdl, renderDoc, rubyPrettyJson, toJsonDdl } from "../../src/ddl/index.js";

const DEBIAN = "/usr/lib/ruby/vendor_ruby/mcollective";
const BUNDLED = join(process.cwd(), "ddl");

/** Every DDL Debian's mcollective-common ships, found by walking its plugin folders. */
function debianDdls(): string[] {
  const found: string[] = [];
  for (const dir of readdirSync(DEBIAN, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(join(DEBIAN, dir.name))) if (f.endsWith(".ddl")) found.push(join(DEBIAN, dir.name, f));
  }
  return found.sort();
}

// The real MCollective 2.12.5 library evaluates each DDL and answers with its `plugin doc` text and, for agents,
// the JSON DDL Choria's packager builds from it (meta + action interfaces sorted by name).
const ORACLE = `
require 'mcollective'
require 'json'
MCollective::Config.instance.instance_variable_set(:@configfile, "/nonexistent/client.cfg")
classes = {"agent" => MCollective::DDL::AgentDDL, "data" => MCollective::DDL::DataDDL, "discovery" => MCollective::DDL::DiscoveryDDL}
templates = {"agent" => "rpc-help.erb", "data" => "data-help.erb", "discovery" => "discovery-help.erb"}
out = {}
ARGV.each_slice(2) do |file, type|
  ddl = (classes[type] || MCollective::DDL::Base).new("x", type.to_sym, false)
  ddl.instance_eval(File.read(file), file, 1)
  entry = {"doc" => ddl.help(templates[type] || "metadata-help.erb")}
  if type == "agent"
    entry["json"] = {"$schema" => "https://choria.io/schemas/mcorpc/ddl/v1/agent.json", "metadata" => ddl.meta,
                     "actions" => ddl.entities.keys.sort.map { |a| ddl.entities[a] }}
  end
  out[file] = entry
end
puts JSON.generate(out)
`;

interface OracleAnswer {
  doc: string;
  json?: { actions: Array<{ output: Record<string, Record<string, unknown>> }> };
}

function askRuby(files: Array<[string, string]>): Record<string, OracleAnswer> {
  const stdout = execFileSync("ruby", ["-W0", "-e", ORACLE, ...files.flat()], { encoding: "utf8", maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as Record<string, OracleAnswer>;
}

/** MCollective 2.12.5 drops an output's :type; Choria's Ruby keeps it, so compare without it. */
function withoutOutputTypes(json: object): object {
  const copy = JSON.parse(JSON.stringify(json)) as { actions: Array<{ output: Record<string, Record<string, unknown>> }> };
  for (const action of copy.actions) for (const o of Object.values(action.output)) delete o.type;
  return copy;
}

describe("ddl conformance with MCollective 2.12.5 (real Ruby)", function () {
  this.timeout(60_000);
  const debian = debianDdls();
  const bundled = readdirSync(BUNDLED).filter((f) => f.endsWith(".ddl")).map((f) => join(BUNDLED, f));
  const typeOf = (file: string) => (file.startsWith(BUNDLED) ? "agent" : basename(dirname(file)));
  let oracle: Record<string, OracleAnswer>;

  before(() => {
    oracle = askRuby([...debian, ...bundled].map((f) => [f, typeOf(f)]));
  });

  it("finds the 20 DDLs Debian's mcollective-common ships", () => {
    assert.equal(debian.length, 20);
  });

  it("reads every Debian DDL and renders `plugin doc` exactly as MCollective does", () => {
    for (const file of debian) {
      const ddl = parseDdl(readFileSync(file, "utf8"), file);
      assert.equal(ddl.pluginType, typeOf(file), file);
      assert.equal(renderDoc(ddl), oracle[file].doc, file);
    }
  });

  it("reads the bundled DDLs as MCollective does: same doc, same JSON DDL", () => {
    assert.deepEqual(bundled.map((f) => basename(f)).sort(), ["choria_util.ddl", "discovery.ddl", "package.ddl", "puppet.ddl", "rpcutil.ddl", "service.ddl"]);
    for (const file of [...bundled, join(DEBIAN, "agent", "rpcutil.ddl")]) {
      const ddl = parseDdl(readFileSync(file, "utf8"), file);
      assert.equal(renderDoc(ddl), oracle[file].doc, file);
      assert.deepEqual(withoutOutputTypes(toJsonDdl(ddl)), oracle[file].json, file);
    }
  });

  it("converts Debian's rpcutil.ddl to byte-identical packager JSON", () => {
    const file = join(DEBIAN, "agent", "rpcutil.ddl");
    const ruby = execFileSync("ruby", ["-W0", "-rjson", "-e", `puts JSON.pretty_generate(JSON.parse(ARGF.read)[${JSON.stringify(file)}]["json"])`], {
      input: JSON.stringify(oracle),
      encoding: "utf8",
    });
    assert.equal(rubyPrettyJson(toJsonDdl(parseDdl(readFileSync(file, "utf8"), file))) + "\n", ruby);
  });
});
