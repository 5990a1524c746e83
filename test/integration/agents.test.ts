import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { bundledAgents, WorkerPool } from "../../src/shim/index.js";
import { agentCall as call, bundledAgent } from "../helpers/agents.js";

const installedBash = execFileSync("dpkg-query", ["-W", "-f", "${Version}", "bash"], { encoding: "utf8" });
const installedCount = execFileSync("dpkg", ["--list"], { encoding: "utf8" }).split("\n").filter((l) => l.startsWith("ii")).length;

function script(path: string, body: string): string {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

async function waitForFile(path: string): Promise<string> {
  for (let i = 0; i < 600 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 50));
  return readFileSync(path, "utf8");
}

describe("bundled agents through real Ruby", function () {
  this.timeout(60000);
  let dir: string;
  const pools: WorkerPool[] = [];
  const pool = (config: Record<string, string>, agent: string) => {
    const p = new WorkerPool({ config, agents: [bundledAgent(agent)], size: 1 });
    pools.push(p);
    return p;
  };

  before(() => { dir = mkdtempSync(join(tmpdir(), "mcompat-agents-")); });
  after(async () => {
    await Promise.all(pools.map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  describe("package", () => {
    for (const provider of ["puppet", "apt"]) {
      it(`returns the installed version of bash with the ${provider} provider`, async () => {
        const packages = pool({ "plugin.package.provider": provider }, "package");
        const reply = await packages.call(call("package", "status", { package: "bash" }, 180));
        assert.equal(reply.statuscode, 0, reply.statusmsg);
        assert.equal(reply.data.ensure, installedBash);
        assert.equal(reply.data.name, "bash");
        assert.equal(reply.data.provider, "apt");
        for (const output of ["output", "epoch", "arch", "version", "release"]) assert.ok(output in reply.data, output);
        const missing = await packages.call(call("package", "status", { package: "mcompat-no-such-package" }, 180));
        assert.deepEqual([missing.statuscode, missing.data.ensure], [0, "purged"]);
        const again = await packages.call(call("package", "install", { package: "bash" }, 180));
        assert.deepEqual([again.statuscode, again.statusmsg, again.data.ensure], [5, "Package is already installed", installedBash]);
      });
    }

    it("answers status from dpkg's database exactly as dpkg-query does, for every installed package", async () => {
      const packages = pool({ "plugin.package.provider": "apt" }, "package");
      const lines = execFileSync("dpkg-query", ["-W", "-f", "${Package}\t${Status}\t${Version}\n"], { encoding: "utf8" }).trim().split("\n");
      const names = [...new Set(lines.map((line) => line.split("\t")[0]))];
      const reading = (state = "", version = "") => (state.endsWith(" installed") ? { ensure: version, status: "installed" } : { ensure: state.includes("config-files") ? "absent" : "purged", status: "missing" });
      const expected = new Map<string, unknown>();
      for (const line of lines) {
        const [name, state, version] = line.split("\t");
        if (!expected.has(name)) expected.set(name, reading(state, version));
      }
      // Names dpkg-query reads as an architecture or a glob are left to it, and one it does not know is purged: asked of it here.
      for (const name of ["bash:amd64", "bas?", "mcompat-no-such-package"]) {
        const r = spawnSync("dpkg-query", ["-W", "-f", "${Status}\t${Version}\n", name], { encoding: "utf8" });
        expected.set(name, r.status === 0 ? reading(...(r.stdout.split("\n")[0].split("\t") as [string, string])) : reading());
      }
      assert.ok(names.length > 100, `only ${names.length} packages on this machine`);
      for (const [name, want] of expected) {
        const reply = await packages.call(call("package", "status", { package: name }, 180));
        assert.deepEqual({ ensure: reply.data.ensure, status: reply.data.status }, want, name);
      }
    });

    it("drives rpm and dnf with the yum provider: status, install, search and remove, with RPM's fields", async () => {
      // This machine has no rpm or dnf: scripts answer in their output formats and keep installs in a folder.
      const installed = join(dir, "rpmdb");
      mkdirSync(installed);
      const log = join(dir, "yum.log");
      const rpm = script(join(dir, "rpm"), `if [ -f ${installed}/"$4" ]; then printf '%s\\t(none)\\t3.2a\\t3.el9\\tx86_64\\n' "$4"; else echo "package $4 is not installed"; exit 1; fi`);
      const dnf = script(join(dir, "dnf"), `echo "dnf $*" >> ${log}
case "$*" in
  "-y -q install "*) touch ${installed}/"$4";;
  "-y -q remove "*) rm -f ${installed}/"$4";;
  "-q list available "*) printf 'Available Packages\\n%s.x86_64    3.2a-3.el9    appstream\\n' "$4";;
esac`);
      const packages = pool({ "plugin.package.provider": "yum", "plugin.package.yum.rpm": rpm, "plugin.package.yum.manager": dnf }, "package");
      const pkg = async (action: string) => packages.call(call("package", action, { package: "tmux" }, 180));
      assert.deepEqual((await pkg("status")).data.ensure, "purged");
      const install = await pkg("install");
      assert.equal(install.statuscode, 0, install.statusmsg);
      const { ensure, version, release, arch, epoch, provider } = install.data;
      assert.deepEqual({ ensure, version, release, arch, epoch, provider }, { ensure: "3.2a-3.el9", version: "3.2a", release: "3.el9", arch: "x86_64", epoch: "0", provider: "yum" });
      assert.deepEqual((await pkg("search")).data, { package_count: 1, available_packages: ["tmux.x86_64"] });
      const remove = await pkg("uninstall");
      assert.deepEqual([remove.statuscode, remove.data.ensure], [0, "purged"]);
      assert.deepEqual(readFileSync(log, "utf8").trim().split("\n"), ["dnf -y -q install tmux", "dnf -q list available tmux", "dnf -y -q remove tmux"]);
    });

    it("counts installed packages and rejects unsafe names before any command runs", async () => {
      const packages = pool({ "plugin.package.provider": "apt" }, "package");
      assert.deepEqual((await packages.call(call("package", "count", {}, 180))).data, { output: String(installedCount), exitcode: 0 });
      const unsafe = await packages.call(call("package", "status", { package: "ba;sh" }, 180));
      assert.deepEqual([unsafe.statuscode, unsafe.statusmsg], [4, "Cannot validate input package: value should not have ; in it"]);
    });
  });

  it("answers the package, service, puppet and resource data plugins for -S filters", async () => {
    const data = new WorkerPool({ config: { "plugin.package.provider": "apt", "plugin.service.provider": "service",
      "plugin.service.service.servicecmd": "/bin/false" }, agents: bundledAgents(), size: 1 });
    pools.push(data);
    const probe = await data.probe();
    assert.deepEqual(probe.dataPlugins, ["package", "puppet", "resource", "service"]);
    assert.deepEqual(await data.queryData("package", "bash"), { status: installedBash, installed: true });
    assert.deepEqual(await data.queryData("service", "mcompat-none"), { status: "stopped" });
    const puppet = await data.queryData("puppet", null, 60);
    assert.equal(puppet?.status, "stopped");
    assert.equal((await data.queryData("resource", null, 60))?.config_version, "unknown");
    assert.equal(await data.queryData("package", "ba;sh"), undefined);
    assert.equal(await data.queryData("nosuch", "x"), undefined);
  });

  describe("service", () => {
    let initd: string;
    before(() => {
      initd = join(dir, "init.d");
      mkdirSync(initd);
      script(join(initd, "mcompat-test"), `STATE=${dir}/svc.running
case "$1" in start|restart) touch $STATE;; stop) rm -f $STATE;; status) test -f $STATE || exit 3;; esac`);
    });

    it("reports, starts and stops a test init script through Puppet", async () => {
      const services = pool({ "plugin.service.provider": "puppet", "plugin.service.puppet.path": initd,
        "plugin.service.puppet.provider": "init" }, "service");
      const svc = (action: string, service = "mcompat-test") => services.call(call("service", action, { service }, 60));
      assert.deepEqual(await svc("status"), { statuscode: 0, statusmsg: "OK", data: { status: "stopped" } });
      assert.deepEqual(await svc("start"), { statuscode: 0, statusmsg: "OK", data: { status: "running" } });
      assert.deepEqual(await svc("start"), { statuscode: 1, statusmsg: "Could not start 'mcompat-test': Service is already running",
        data: { status: "running" } });
      assert.deepEqual(await svc("stop"), { statuscode: 0, statusmsg: "OK", data: { status: "stopped" } });
      const bad = await svc("status", "bad/name");
      assert.deepEqual([bad.statuscode, bad.statusmsg], [4, "Cannot validate input service: bad/name is not a valid service name"]);
    });

    it("drives systemctl with the systemctl provider: the command before the unit", async () => {
      // No systemd here: a script takes systemctl's argument order and runs the test init script.
      const systemctl = script(join(dir, "systemctl"), `exec ${initd}/"$2" "$1"`);
      const services = pool({ "plugin.service.provider": "systemctl", "plugin.service.systemctl.systemctl": systemctl }, "service");
      rmSync(join(dir, "svc.running"), { force: true });
      const svc = async (action: string) => services.call(call("service", action, { service: "mcompat-test" }, 60));
      assert.deepEqual((await svc("status")).data, { status: "stopped" });
      assert.deepEqual([(await svc("start")).statuscode, (await svc("status")).data.status], [0, "running"]);
      const again = await svc("start");
      assert.deepEqual([again.statuscode, again.statusmsg], [1, "Could not start 'mcompat-test': Service is already running"]);
      assert.deepEqual([(await svc("stop")).statuscode, (await svc("status")).data.status], [0, "stopped"]);
    });

    it("reports a service through the service command when Puppet is not chosen", async () => {
      const servicecmd = script(join(dir, "servicecmd"), `exec ${initd}/"$1" "$2"`);
      const services = pool({ "plugin.service.provider": "service", "plugin.service.service.servicecmd": servicecmd }, "service");
      writeFileSync(join(dir, "svc.running"), "");
      assert.deepEqual((await services.call(call("service", "status", { service: "mcompat-test" }, 60))).data, { status: "running" });
      assert.deepEqual((await services.call(call("service", "restart", { service: "mcompat-test" }, 60))).data, { status: "running" });
    });
  });

  describe("puppet", () => {
    let puppet: WorkerPool;
    let ran: string;
    before(() => {
      const conf = join(dir, "puppet.conf");
      writeFileSync(conf, ["[main]", "vardir", "rundir", "logdir", "publicdir"].map((k) => k.startsWith("[") ? k : `${k} = ${dir}/puppet/${k}`).join("\n"));
      ran = join(dir, "puppet-ran");
      // Written aside and renamed, so the test never reads the file half written.
      const command = script(join(dir, "fake-puppet"), `echo "$@" > ${ran}.part && mv ${ran}.part ${ran}`);
      puppet = pool({ "plugin.puppet.config": conf, "plugin.puppet.command": command, "plugin.puppet.signal_daemon": "false",
        "plugin.puppet.resource_type_whitelist": "notify" }, "puppet");
    });
    const act = (action: string, data: Record<string, unknown> = {}) => puppet.call(call("puppet", action, data, 20));

    it("reports status, disables and enables with the lock file, as the legacy agent did", async () => {
      const status = await act("status");
      assert.equal(status.statuscode, 0, status.statusmsg);
      assert.deepEqual([status.data.enabled, status.data.applying, status.data.status], [true, false, "stopped"]);
      assert.deepEqual((await act("disable", { message: "testing" })).data, { status: "Succesfully locked the Puppet agent: testing", enabled: false });
      assert.ok(existsSync(join(dir, "puppet/vardir/state/agent_disabled.lock")));
      const disabled = await act("status");
      assert.deepEqual([disabled.data.status, disabled.data.disable_message], ["disabled", "testing"]);
      const refused = await act("runonce");
      assert.deepEqual([refused.statuscode, refused.statusmsg], [1, "Puppet is disabled: 'testing'"]);
      assert.deepEqual([(await act("disable")).statusmsg], ["Could not disable Puppet: Already disabled"]);
      assert.deepEqual(await act("enable"), { statuscode: 0, statusmsg: "OK", data: { status: "Succesfully enabled the Puppet agent", enabled: true } });
      assert.deepEqual([(await act("enable")).statuscode, (await act("enable")).statusmsg], [1, "Could not enable Puppet: Already enabled"]);
    });

    it("reports a running daemon as idling, and as applying while it holds the catalog run lock", async () => {
      const pidfile = join(dir, "puppet/rundir/agent.pid");
      const runLock = join(dir, "puppet/vardir/state/agent_catalog_run.lock");
      mkdirSync(dirname(pidfile), { recursive: true });
      mkdirSync(dirname(runLock), { recursive: true });
      // This test's own process stands in for the daemon: the agent only checks that the pid is alive.
      writeFileSync(pidfile, `${process.pid}\n`);
      try {
        const idle = (await act("status")).data;
        assert.deepEqual([idle.daemon_present, idle.idling, idle.applying, idle.status], [true, true, false, "idling"]);
        assert.match(String(idle.message), /^Currently idling; last completed run \d+ days /);
        writeFileSync(runLock, `${process.pid}`);
        const busy = (await act("status")).data;
        assert.deepEqual([busy.daemon_present, busy.idling, busy.applying, busy.status, busy.enabled], [true, false, true, "applying a catalog", true]);
      } finally {
        rmSync(pidfile, { force: true });
        rmSync(runLock, { force: true });
      }
    });

    it("reads last_run_summary.yaml", async () => {
      const empty = await act("last_run_summary");
      assert.deepEqual([empty.data.total_resources, empty.data.config_version, empty.data.lastrun], [0, "unknown", 0]);
      mkdirSync(join(dir, "puppet/publicdir"), { recursive: true });
      writeFileSync(join(dir, "puppet/publicdir/last_run_summary.yaml"), `---
version: {config: "1700000000", puppet: 7.23.0}
resources: {changed: 2, corrective_change: 1, failed: 0, out_of_sync: 2, total: 42}
time: {config_retrieval: 1.5, total: 3.25, last_run: 1700000000}
`);
      const reply = await act("last_run_summary");
      assert.equal(reply.statuscode, 0, reply.statusmsg);
      assert.deepEqual([reply.data.total_resources, reply.data.changed_resources, reply.data.corrected_resources,
        reply.data.out_of_sync_resources, reply.data.total_time, reply.data.config_retrieval_time, reply.data.lastrun,
        reply.data.config_version], [42, 2, 1, 2, 3.25, 1.5, 1700000000, "1700000000"]);
    });

    it("runs the configured puppet command once with the requested options", async () => {
      const reply = await act("runonce", { noop: true, tags: "a,b::c", splaylimit: 10 });
      const args = "--onetime --no-daemonize --color=false --show_diff --verbose --tags a,b::c --splay --splaylimit 10 --noop";
      assert.equal(reply.statuscode, 0, reply.statusmsg);
      assert.match(String(reply.data.summary), new RegExp(`^Started a Puppet run using the '.*fake-puppet ${args}' command$`));
      assert.equal((await waitForFile(ran)).trim(), args);
      const server = await act("runonce", { server: "puppet.example:8140" });
      assert.deepEqual([server.statuscode, server.statusmsg], [1, "Passing 'server' option is not allowed in module configuration"]);
      const tags = await act("runonce", { tags: "a-b" });
      assert.deepEqual([tags.statuscode, tags.statusmsg], [4, "Cannot validate input tags: Invalid variable name 'a-b' specified"]);
    });

    it("applies a whitelisted resource and refuses the others", async () => {
      assert.deepEqual((await act("resource", { type: "notify", name: "hello" })).data, { result: "hello\ndefined 'message' as 'hello'", changed: true });
      const denied = await act("resource", { type: "exec", name: "/bin/true" });
      assert.deepEqual([denied.statuscode, denied.statusmsg], [1, "The exec type is not listed in the type whitelist"]);
    });
  });
});
