import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { existsSync } from "node:fs";
import { parseDdl } from "../../src/ddl/index.js";
import { builtinDataPlugins, sysctlPlugin, type DataContext } from "../../src/server/data/index.js";

const fixtures = join(process.cwd(), "fixtures", "data");
const NOW = Date.UTC(2026, 10, 22, 2, 0, 0);

function plugins(over: Partial<DataContext> = {}) {
  return builtinDataPlugins({ agents: () => ["rpcutil", "package"], facts: () => ({}), now: () => NOW, ...over });
}

function query(name: string, arg: string | null, over: Partial<DataContext> = {}) {
  const plugin = plugins(over).get(name);
  assert.ok(plugin, `plugin ${name} is registered`);
  return plugin.query(arg);
}

describe("data plugins", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "mcompat-data-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("registers every bundled plugin by name, each with a data DDL taking at most one `query` input", async () => {
    const all = plugins();
    assert.deepEqual([...all.keys()].sort(), ["agent", "collective", "fact", "fstat", "puppet", "resource", "sysctl"]);
    for (const plugin of all.values()) {
      assert.equal(plugin.ddl.pluginType, "data");
      assert.deepEqual(Object.keys(plugin.ddl.dataquery!.inputs), plugin.name === "puppet" ? [] : ["query"]);
    }
  });

  it("carries the same DDLs as MCollective 2.12's own data plugins (Debian mcollective-common, which ensure-deps installs)", () => {
    const legacyDir = "/usr/lib/ruby/vendor_ruby/mcollective/data";
    assert.ok(existsSync(legacyDir), `${legacyDir} is missing: install mcollective-common (scripts/ensure-deps.sh does)`);
    for (const name of ["agent", "collective", "fact", "fstat"]) {
      const file = join(legacyDir, `${name}_data.ddl`);
      assert.deepEqual(plugins().get(name)!.ddl, parseDdl(readFileSync(file, "utf8"), file), name);
    }
  });

  it("refuses an argument its DDL refuses, before the plugin runs", async () => {
    await assert.rejects(query("fstat", "/" + "x".repeat(120)), (err: Error) => err.name === "DdlError" && /query/.test(err.message));
    await assert.rejects(query("agent", "bad name!"), (err: Error & { statuscode?: number }) => err.name === "DdlError" && err.statuscode === 4);
    await assert.rejects(query("fstat", null), (err: Error & { statuscode?: number }) => err.name === "DdlError" && err.statuscode === 4);
  });

  describe("fstat", () => {
    it("reports a regular file's size, mode, md5, times and owner", async () => {
      const file = join(dir, "hosts");
      writeFileSync(file, "127.0.0.1 localhost\n", { mode: 0o640 });
      const mtime = new Date(NOW - 90_000);
      utimesSync(file, mtime, mtime);
      const r = await query("fstat", file);
      assert.equal(r.name, file);
      assert.equal(r.output, "present");
      assert.equal(r.present, 1);
      assert.equal(r.type, "file");
      assert.equal(r.size, 20);
      assert.equal(r.mode, "100640");
      assert.match(String(r.md5), /^[0-9a-f]{32}$/);
      assert.equal(r.mtime_seconds, Math.floor(mtime.getTime() / 1000));
      assert.equal(r.mtime_age, 90);
      assert.match(String(r.mtime), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.equal(r.uid, process.getuid!());
      assert.equal(typeof r.ctime_age, "number");
    });

    it("computes the md5 of the file's bytes", async () => {
      const file = join(dir, "abc");
      writeFileSync(file, "abc");
      assert.equal((await query("fstat", file)).md5, "900150983cd24fb0d6963f7d28e17f72");
    });

    it("reports a directory and a symlink by their own type, with no md5", async () => {
      mkdirSync(join(dir, "d"));
      writeFileSync(join(dir, "target"), "x");
      symlinkSync(join(dir, "target"), join(dir, "link"));
      const d = await query("fstat", join(dir, "d"));
      assert.equal(d.type, "directory");
      assert.equal(d.md5, 0);
      const l = await query("fstat", join(dir, "link"));
      assert.equal(l.type, "symlink");
      assert.match(String(l.mode), /^120/);
    });

    it("answers 'not present' with zeroed values for a missing file or a dangling link", async () => {
      symlinkSync(join(dir, "nowhere"), join(dir, "dangling"));
      for (const path of [join(dir, "missing"), join(dir, "dangling")]) {
        const r = await query("fstat", path);
        assert.deepEqual(
          { output: r.output, present: r.present, type: r.type, mode: r.mode, size: r.size, md5: r.md5, mtime: r.mtime, mtime_age: r.mtime_age },
          { output: "not present", present: 0, type: "unknown", mode: "0000", size: 0, md5: 0, mtime: 0, mtime_age: null },
        );
      }
    });
  });

  describe("sysctl", () => {
    it("reads a real /proc/sys key, typing whole numbers", async () => {
      const expected = Number(readFileSync("/proc/sys/kernel/pid_max", "utf8"));
      assert.deepEqual(await query("sysctl", "kernel.pid_max"), { value: expected });
      assert.deepEqual(await query("sysctl", "kernel.ostype"), { value: "Linux" });
    });

    it("keeps multi-value keys as text and answers '' for an unknown key", async () => {
      const root = join(dir, "sys");
      mkdirSync(join(root, "net", "ipv4"), { recursive: true });
      writeFileSync(join(root, "net", "ipv4", "tcp_rmem"), "4096\t131072\t6291456\n");
      writeFileSync(join(root, "net", "ipv4", "ratio"), "0.5\n");
      const plugin = sysctlPlugin(root)({ agents: () => [], facts: () => ({}) });
      assert.deepEqual(await plugin.query("net.ipv4.tcp_rmem"), { value: "4096\t131072\t6291456" });
      assert.deepEqual(await plugin.query("net.ipv4.ratio"), { value: 0.5 });
      assert.deepEqual(await plugin.query("net.ipv4.nope"), { value: "" });
    });

    it("refuses a name that could leave /proc/sys, by its DDL and again in the plugin", async () => {
      await assert.rejects(query("sysctl", "../../etc/passwd"), (err: Error) => err.name === "DdlError");
      const unchecked = sysctlPlugin(dir)({ agents: () => [], facts: () => ({}) });
      await assert.rejects(unchecked.query("../../etc/passwd"), /Invalid sysctl variable name '..\/..\/etc\/passwd'/);
    });
  });

  describe("agent", () => {
    it("gives a loaded agent's metadata", async () => {
      const meta = { author: "rip", description: "Packages", license: "ASL 2.0", timeout: 180, url: "https://x", version: "5.0" };
      const r = await query("agent", "package", { agentMetadata: (name) => (name === "package" ? meta : undefined) });
      assert.deepEqual(r, { agent: "package", ...meta });
    });

    it("fails for an agent that is not loaded", async () => {
      await assert.rejects(query("agent", "nosuch"), /No agent called nosuch found/);
    });
  });

  describe("resource", () => {
    const puppetConf = { lastrunfile: join(fixtures, "last_run_summary.yaml"), resourcefile: join(fixtures, "resources.txt") };

    it("reports the last Puppet run from last_run_summary.yaml", async () => {
      const r = await query("resource", null, { puppetConf });
      assert.deepEqual(r, {
        managed: false,
        out_of_sync_resources: 2,
        failed_resources: 0,
        changed_resources: 2,
        total_resources: 9,
        total_time: 0.029389222,
        config_retrieval_time: 0.167161765,
        lastrun: 1795313539,
        since_lastrun: NOW / 1000 - 1795313539,
        config_version: 1795313539,
      });
    });

    it("says whether Puppet manages a resource, matching the type case-insensitively", async () => {
      assert.equal((await query("resource", "File[/srv/www]", { puppetConf })).managed, true);
      assert.equal((await query("resource", "file[/srv/other]", { puppetConf })).managed, false);
      await assert.rejects(query("resource", "not-a-resource", { puppetConf }), /puppet_resource validator: not-a-resource is not a valid resource name/);
    });

    it("fills a missing or partial summary as Puppet's manager does", async () => {
      const partial = join(dir, "summary.yaml");
      writeFileSync(partial, "---\nresources:\n  total: 3\n");
      const r = await query("resource", null, { puppetConf: { lastrunfile: partial } });
      assert.equal(r.total_resources, 3);
      assert.equal(r.failed_resources, 0);
      assert.equal(r.config_version, "unknown");
      const none = await query("resource", null, { puppetConf: { lastrunfile: join(dir, "missing.yaml") } });
      assert.equal(none.total_resources, 0);
      assert.equal(none.lastrun, 0);
    });
  });

  describe("puppet", () => {
    const stateIn = (d: string) => ({
      lastrunfile: join(fixtures, "last_run_summary.yaml"),
      agent_disabled_lockfile: join(d, "agent_disabled.lock"),
      agent_catalog_run_lockfile: join(d, "agent_catalog_run.lock"),
      pidfile: join(d, "agent.pid"),
    });

    it("reports a stopped, enabled agent and its last run when no lock or pid file exists", async () => {
      assert.deepEqual(await query("puppet", null, { puppetConf: stateIn(dir) }), {
        applying: false,
        enabled: true,
        daemon_present: false,
        lastrun: 1795313539,
        since_lastrun: NOW / 1000 - 1795313539,
        status: "stopped",
        disable_message: "",
        idling: false,
      });
    });

    it("reads the disable lock's message and live pids for applying and the daemon", async () => {
      const conf = stateIn(dir);
      writeFileSync(conf.pidfile, `${process.pid}\n`);
      assert.equal((await query("puppet", null, { puppetConf: conf })).status, "idling");
      writeFileSync(conf.agent_catalog_run_lockfile, String(process.pid));
      const applying = await query("puppet", null, { puppetConf: conf });
      assert.deepEqual([applying.applying, applying.idling, applying.status], [true, false, "applying a catalog"]);
      writeFileSync(conf.agent_disabled_lockfile, '{"disabled_message":"maintenance by rip"}');
      const disabled = await query("puppet", null, { puppetConf: conf });
      assert.deepEqual([disabled.enabled, disabled.status, disabled.disable_message], [false, "disabled", "maintenance by rip"]);
    });

    it("does not count a pid file whose process is gone", async () => {
      const conf = stateIn(dir);
      writeFileSync(conf.pidfile, "999999999\n");
      assert.equal((await query("puppet", null, { puppetConf: conf })).daemon_present, false);
    });

    it("takes no argument", async () => {
      await assert.rejects(query("puppet", "x"), /No data plugin argument was declared in the puppet DDL but an input was supplied/);
    });
  });

  describe("fact", () => {
    const facts = () => ({ os: { family: "Debian", release: { major: "12" } }, ips: ["10.0.0.1", "10.0.0.2"], role: "web" });

    it("walks a dotted path through hashes and arrays", async () => {
      assert.deepEqual(await query("fact", "os.release.major", { facts }), { exists: true, value: "12", value_encoding: "text/plain" });
      assert.deepEqual(await query("fact", "ips.1", { facts }), { exists: true, value: "10.0.0.2", value_encoding: "text/plain" });
    });

    it("returns structured values as JSON and missing ones as false", async () => {
      assert.deepEqual(await query("fact", "os.release", { facts }), { exists: true, value: '{"major":"12"}', value_encoding: "application/json" });
      assert.deepEqual(await query("fact", "os.kernel", { facts }), { exists: false, value: false, value_encoding: false });
      assert.deepEqual(await query("fact", "ips.5", { facts }), { exists: false, value: false, value_encoding: false });
    });
  });

  describe("collective", () => {
    it("says whether the node is in a collective", async () => {
      const collectives = () => ["mcollective", "uk"];
      assert.deepEqual(await query("collective", "uk", { collectives }), { member: true });
      assert.deepEqual(await query("collective", "de", { collectives }), { member: false });
    });
  });
});
