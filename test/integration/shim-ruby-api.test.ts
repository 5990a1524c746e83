import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const COMPAT_LIB = fileURLToPath(new URL("../../../compat/lib", import.meta.url));

/** Runs Ruby with our library first on $LOAD_PATH; the script prints one JSON document. */
function ruby(script: string): Record<string, unknown> {
  const out = execFileSync("ruby", ["-I", COMPAT_LIB, "-e", `require "mcollective"\ninclude MCollective\n${script}`], { encoding: "utf8" });
  return JSON.parse(out) as Record<string, unknown>;
}

/** Ruby: `worker` and `node`, the two ends of a worker's frames over pipes (`from_node` closes Node's end). */
const WORKER_AND_NODE = `require "mcompat/frames"; require "mcompat/application_host"
      to_ruby, from_node = IO.pipe; from_ruby, to_node = IO.pipe
      worker = MCompat::Frames.new(to_ruby, to_node); node = MCompat::Frames.new(from_ruby, from_node)`;

describe("compat Ruby API (compat/lib) on its own", function () {
  this.timeout(30000);
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), "mcompat-rubyapi-")); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("resolves require 'mcollective' to ours, refuses legacy files, and leaves require 'puppet' working", () => {
    const r = ruby(`
      legacy = begin; require "mcollective/runnerstats"; "loaded"; rescue LoadError => e; e.message; end
      require "puppet"
      puts JSON.dump(ours: $LOADED_FEATURES.grep(%r{/mcollective\\.rb$}), legacy: legacy, puppet: Puppet.version,
                     foreign: $LOADED_FEATURES.grep(%r{vendor_ruby/mcollective}))`);
    assert.deepEqual(r.ours, [join(COMPAT_LIB, "mcollective.rb")]);
    assert.match(String(r.legacy), /resolves to another MCollective library \(\/usr\/lib\/ruby\/vendor_ruby\/mcollective\/runnerstats\.rb\)/);
    assert.match(String(r.puppet), /^\d+\./);
    assert.deepEqual(r.foreign, []);
  });

  it("reads a config file with plugin.d into pluginconf, identity and libdir", () => {
    mkdirSync(join(dir, "plugin.d"));
    writeFileSync(join(dir, "server.cfg"), `identity = web1.example\nlibdir = ${dir}/plugins\nplugin.package.provider = apt\n# comment\n`);
    writeFileSync(join(dir, "plugin.d", "puppet.cfg"), "command = /bin/true\nsplay = false\n");
    const r = ruby(`c = Config.instance; c.loadconfig("${dir}/server.cfg")
      puts JSON.dump(identity: c.identity, conf: c.pluginconf, libdir: c.libdir.first, configdir: c.configdir)`);
    assert.deepEqual(r, { identity: "web1.example", libdir: `${dir}/plugins`, configdir: dir,
      conf: { "package.provider": "apt", "puppet.command": "/bin/true", "puppet.splay": "false" } });
  });

  it("gives agents Util, Shell and Validator as MCollective did", () => {
    const r = ruby(`
      out = +""
      status = Shell.new("cat; exit 4", stdin: "from stdin", stdout: out, chomp: true).runcommand
      bad = ->(v, t) { begin; Validator.validate(v, t); "ok"; rescue ValidatorError => e; e.message; end }
      puts JSON.dump(
        bools: %w[yes Y 1 t no false 0].map { |v| Util.str_to_bool(v) },
        notbool: (begin; Util.str_to_bool("maybe"); rescue => e; e.message; end),
        cmp: [Util.versioncmp("2.12.5", "2.2.1"), Util.versioncmp("1.0", "1.0"), Util.versioncmp("1.0.1", "1.0.10")],
        shell: [out, status.exitstatus],
        validators: [bad.("10.0.0.1", :ipv4address), bad.("nope", :ipv6address), bad.("a;b", :shellsafe),
                     bad.(3, :string), bad.("b", ["a", "b"]), bad.("x", /^y/), bad.(1.5, :float)])`);
    assert.deepEqual(r, {
      bools: [true, true, true, true, false, false, false], notbool: "Cannot convert string value 'maybe' into a boolean.",
      cmp: [1, 0, -1], shell: ["from stdin", 4],
      validators: ["ok", "value should be an ipv6 address", "value should not have ; in it", "value should be a string", "ok",
        "value should match (?-mix:^y)", "ok"],
    });
  });

  it("refuses a DDL that needs a newer MCollective and data results that are not plain values", () => {
    writeFileSync(join(dir, "future.ddl"), `metadata :name => "future", :description => "d", :author => "a", :license => "l",
      :version => "1", :url => "u", :timeout => 1\nrequires :mcollective => "9.0.0"\n`);
    const r = ruby(`DDL.register("future", :agent, "${dir}/future.ddl")
      ddl = begin; DDL.new("future"); "loaded"; rescue => e; e.message; end
      res = Data::Result.new({})
      res[:ok] = "fine"
      nilstore = begin; res[:bad] = nil; "stored"; rescue => e; e.message; end
      puts JSON.dump(ddl: ddl, nilstore: nilstore, ok: res.ok)`);
    assert.deepEqual(r, { ddl: "Agent plugin 'future' requires MCollective version 9.0.0 or newer",
      nilstore: "Can only store String, Integer, Float or Boolean data but got NilClass for key bad", ok: "fine" });
  });

  it("keeps a call Node sent ahead, read while an agent waited for an answer, for after the running call", () => {
    const r = ruby(`
      ${WORKER_AND_NODE}
      # On the socket, the next call (sent ahead) comes before the answer to the running agent's rpcclient request.
      node.write({ op: :call, id: 2 })
      node.write({ "type" => "done", "value" => 42 })
      answer = MCompat::ApplicationHost.new(worker).request({ "op" => "call", "agent" => "rpcutil" })
      asked = node.next_frame
      following = worker.next_frame
      puts JSON.dump(answer: answer["value"], asked: asked["agent"], following: [following[:op].to_s, following[:id]])`);
    assert.deepEqual(r, { answer: 42, asked: "rpcutil", following: ["call", 2] });
  });

  it("drops the calls it holds and has not started when signalled, and says which", () => {
    const r = ruby(`
      ${WORKER_AND_NODE}
      dropped = Queue.new
      worker.drop_held_calls_on("URG") { |ids| dropped << ids }
      node.write({ op: :call, id: 3 })
      node.write({ op: :call, id: 4 })
      node.write({ "type" => "done", "value" => 7 })
      answer = MCompat::ApplicationHost.new(worker).request({ "op" => "call", "agent" => "rpcutil" })
      # Call 3 is taken to run; 4 is held, and 5 sent but not yet read when the signal comes.
      first = worker.next_frame
      node.write({ op: :call, id: 5 })
      Process.kill("URG", Process.pid)
      taken = dropped.pop
      node.write({ op: :call, id: 6 })
      following = worker.next_frame
      from_node.close
      puts JSON.dump(answer: answer["value"], first: first[:id], taken: taken, following: following[:id], ended: worker.next_frame.nil?)`);
    assert.deepEqual(r, { answer: 7, first: 3, taken: [4, 5], following: 6, ended: true });
  });
});
