import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { forgeModule, pluginFromFolder } from "../../src/shim/index.js";
import { roleOf } from "../../src/shim/forge.js";

const DDL = (name: string, extra = "") => `metadata :name => "${name}", :description => "d", :author => "a", :license => "MIT", :version => "1.0.0", :url => "u", :timeout => 5${extra}
action "go", :description => "Goes" do
end
`;

/** A plain agent folder from a map of relative path to content. */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "mcompat-agent-folder-"));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(join(dir, file, ".."), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
  return dir;
}

describe("Forge layout of an agent folder", () => {
  it("sorts files as mco plugin package did: the agent's code server-only, its DDLs common, applications and aggregates client-only", () => {
    assert.deepEqual(["agent/x.rb", "agent/x/helper.rb", "agent/x.ddl", "agent/x.json", "util/x/y.rb", "validator/v.rb", "data/d_data.rb", "application/x.rb", "aggregate/s.rb"].map(roleOf),
      ["server", "server", "common", "common", "common", "common", "common", "client", "client"]);
  });

  it("lists nested folders for module_plugin to make, keeps an author's JSON DDL and marks an external agent executable", () => {
    const plugin = pluginFromFolder(folder({
      "agent/ext.ddl": DDL("ext", ', :provider => "external"'),
      "agent/ext": "#!/bin/sh\n",
      "agent/ext.json": "{}\n",
      "util/ext/deep/lib.rb": "",
      "spec/ignored.rb": "",
    }));
    const module = forgeModule(plugin, { vendor: "acme", version: "2.0.0" });
    assert.equal(module.get("files/mcollective/agent/ext.json"), "{}\n");
    assert.ok(!module.has("files/mcollective/spec/ignored.rb"));
    const hiera = String(module.get("data/plugin.yaml"));
    assert.match(hiera, /mcollective_agent_ext::common_directories:\n {2}- "util\/ext"\n {2}- "util\/ext\/deep"\n/);
    assert.match(hiera, /mcollective_agent_ext::executable_files:\n {2}- "agent\/ext"\n/);
    assert.match(hiera, /mcollective_agent_ext::server_files:\n {2}- "agent\/ext"\n/);
    const meta = JSON.parse(String(module.get("metadata.json"))) as { name: string; version: string };
    assert.deepEqual([meta.name, meta.version], ["acme-mcollective_agent_ext", "2.0.0"]);
  });

  it("merges .plugin.yaml over the generated Hiera keys, each in its place, and lays puppet/ over the generated files", () => {
    const plugin = pluginFromFolder(folder({
      "agent/x.ddl": DDL("x"),
      "agent/x.rb": "",
      ".plugin.yaml": "mcollective_agent_x::server_files:\n  - agent/x.rb\n  - agent/x/extra.rb\nmcollective_agent_x::gem_dependencies:\n  json: 2.6.0\n",
      "puppet/README.md": "our own README\n",
      "puppet/tasks/run.json": "{}\n",
    }));
    const module = forgeModule(plugin);
    const keys = String(module.get("data/plugin.yaml")).split("\n").filter((l) => l.startsWith("mcollective_agent_x::")).map((l) => l.split(":")[2]);
    assert.deepEqual(keys, ["config_name", "common_files", "common_directories", "server_files", "server_directories", "client_files",
      "client_directories", "executable_files", "gem_dependencies"]);
    assert.match(String(module.get("data/plugin.yaml")), /mcollective_agent_x::server_files:\n {2}- agent\/x\.rb\n {2}- agent\/x\/extra\.rb\n[^]*mcollective_agent_x::gem_dependencies:\n {2}json: 2\.6\.0\n$/);
    assert.equal(String(module.get("README.md")), "our own README\n");
    assert.equal(String(module.get("tasks/run.json")), "{}\n");
    assert.throws(() => pluginFromFolder(folder({ "agent/x.ddl": DDL("x"), "agent/x.rb": "", ".plugin.yaml": "- a list\n" })), /\.plugin\.yaml must hold a mapping of Hiera keys/);
    assert.throws(() => pluginFromFolder(folder({ "agent/x.ddl": DDL("x"), "agent/x.rb": "", ".plugin.yaml": "a: [\n" })), /\.plugin\.yaml is not YAML/);
  });

  it("refuses folders it cannot package, saying why", () => {
    assert.throws(() => pluginFromFolder(join(tmpdir(), "mcompat-no-such-folder")), /is not a folder/);
    assert.throws(() => pluginFromFolder(folder({ "util/x.rb": "" })), /no agent DDL in .*\/agent/);
    assert.throws(() => pluginFromFolder(folder({ "agent/a.ddl": DDL("a"), "agent/b.ddl": DDL("b"), "agent/a.rb": "" })), /has 2 DDLs \(a\.ddl, b\.ddl\); package one agent at a time/);
    assert.throws(() => pluginFromFolder(folder({ "agent/a.ddl": DDL("b"), "agent/a.rb": "" })), /names its agent 'b'; it must be b\.ddl/);
    assert.throws(() => pluginFromFolder(folder({ "agent/a.ddl": DDL("a") })), /agent\/a\.rb is missing/);
    assert.throws(() => forgeModule(pluginFromFolder(folder({ "agent/a.ddl": DDL("a"), "agent/a.rb": "" })), { vendor: "not a name" }), /not a Forge author name/);
  });
});
