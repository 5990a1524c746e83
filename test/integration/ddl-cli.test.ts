import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDdl, rubyPrettyJson, toJsonDdl } from "../../src/ddl/index.js";
import { suiteTempDir } from "./ddl-support.js";

const MCOMPAT = join(process.cwd(), "bin", "mcompat");

function mcompat(...args: string[]) {
  const r = spawnSync(process.execPath, [MCOMPAT, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("mcompat ddl (CLI)", () => {
  const tempDir = suiteTempDir("mcompat-ddl-cli-");

  it("convert prints JSON that reads back to the same DDL, for every bundled agent", () => {
    for (const name of ["rpcutil", "discovery", "package", "service", "puppet"]) {
      const file = join(process.cwd(), "ddl", `${name}.ddl`);
      const r = mcompat("ddl", "convert", file);
      assert.equal(r.code, 0, r.stderr);
      const fromRuby = parseDdl(readFileSync(file, "utf8"), file);
      assert.equal(r.stdout, rubyPrettyJson(toJsonDdl(fromRuby)) + "\n");
      const json = join(tempDir(), `${name}.json`);
      writeFileSync(json, r.stdout);
      const again = mcompat("ddl", "convert", json);
      assert.equal(again.stdout, r.stdout, `${name}: JSON -> JSON is stable`);
      assert.deepEqual(parseDdl(r.stdout, json).actions, fromRuby.actions);
    }
  });

  it("convert refuses a DDL that is not an agent's", () => {
    const r = mcompat("ddl", "convert", "/usr/lib/ruby/vendor_ruby/mcollective/discovery/mc.ddl");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is a discovery DDL; only agent DDLs have a JSON form/);
  });

  it("check passes good DDLs and reports each problem with file and place, exiting 1", () => {
    const good = mcompat("ddl", "check", join(process.cwd(), "ddl", "service.ddl"));
    assert.equal(good.code, 0);
    assert.match(good.stdout, /service\.ddl: ok \(service, 4 action\(s\)\)/);

    const bad = join(tempDir(), "bad.ddl");
    writeFileSync(bad, `metadata :name => "Bad Name", :description => "d", :author => "a", :license => "l", :version => "one", :url => "u", :timeout => 5
action "go", :description => "d" do
  input :n, :prompt => "N", :description => "n", :type => :integer, :optional => false, :default => "ten"
  input :s, :prompt => "S", :description => "s", :type => :string, :validation => '(?>atomic)', :optional => true, :maxlength => 5
  output :out, :description => "o", :display_as => "O"
  summarize do
    aggregate summary(:nothere)
  end
end
`);
    const r = mcompat("ddl", "check", bad);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /bad\.ddl: error: metadata: name 'Bad Name' must be lowercase/);
    assert.match(r.stdout, /bad\.ddl: warning: metadata: version 'one'/);
    assert.match(r.stdout, /error: action 'go' input 'n': default "ten" does not pass the input's own type/);
    assert.match(r.stdout, /error: action 'go' input 's': atomic groups/);
    assert.match(r.stdout, /error: action 'go' aggregate summary: summarizes 'nothere', which is not an output of the action/);
    assert.match(r.stdout, /bad\.ddl: 4 error\(s\)/);
  });

  it("check reports a DDL that does not parse, naming the line", () => {
    const broken = join(tempDir(), "broken.ddl");
    writeFileSync(broken, `metadata :name => "x"\n`);
    const r = mcompat("ddl", "check", broken);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /broken\.ddl: error: .*broken\.ddl:1: Metadata needs a :description property/);
  });

  it("doc shows a DDL as mco plugin doc does", () => {
    const r = mcompat("ddl", "doc", join(process.cwd(), "ddl", "package.ddl"));
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^package\n=======\n/);
    assert.match(r.stdout, /   yum_clean action:\n   -----------------\n/);
    assert.match(r.stdout, /             Valid Values: all, headers, packages, metadata, dbcache, plugins, expire-cache\n/);
  });
});
