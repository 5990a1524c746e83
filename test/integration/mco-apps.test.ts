import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningBroker } from "../../src/transport/index.js";
import { testBroker } from "../helpers/broker.js";
import { writeClientConfig } from "../helpers/fleet.js";
import { mco, mcoProcess } from "../helpers/mco.js";
import { FIXTURES, startServer, type ServerNode } from "../helpers/server.js";

const installedBash = execFileSync("dpkg-query", ["-W", "-f", "${Version}", "bash"], { encoding: "utf8" });

function script(path: string, body: string): string {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** A node's private puppet state: puppet.conf folders, a fake `puppet agent` that holds the run lock for a second. */
function puppetFixture(dir: string, identity: string, runsLog: string): Record<string, string> {
  const conf = join(dir, "puppet.conf");
  writeFileSync(conf, ["[main]", ...["vardir", "rundir", "logdir", "publicdir"].map((k) => `${k} = ${dir}/puppet/${k}`)].join("\n") + "\n");
  mkdirSync(join(dir, "puppet", "vardir", "state"), { recursive: true });
  mkdirSync(join(dir, "puppet", "publicdir"), { recursive: true });
  const command = script(join(dir, "fake-puppet"), `LOCK=${dir}/puppet/vardir/state/agent_catalog_run.lock
echo $$ > $LOCK
echo "start ${identity}" >> ${runsLog}
sleep 1
cat > ${dir}/puppet/publicdir/last_run_summary.yaml <<EOF
---
version: {config: "1", puppet: 7.23.0}
resources: {changed: 1, corrective_change: 0, failed: 0, out_of_sync: 1, total: 10}
time: {config_retrieval: 0.5, total: 1.5, last_run: $(date +%s)}
EOF
echo "end ${identity}" >> ${runsLog}
rm -f $LOCK`);
  return {
    "plugin.puppet.config": conf,
    "plugin.puppet.command": command,
    "plugin.puppet.signal_daemon": "false",
    "plugin.puppet.resource_type_whitelist": "notify",
  };
}

/** A node's test init script for the service agent (Puppet's init provider on a private path). */
function serviceFixture(dir: string): Record<string, string> {
  const initd = join(dir, "init.d");
  mkdirSync(initd);
  script(join(initd, "mcompat-test"), `STATE=${dir}/svc.running
case "$1" in start|restart) touch $STATE;; stop) rm -f $STATE;; status) test -f $STATE || exit 3;; esac`);
  return { "plugin.service.provider": "puppet", "plugin.service.puppet.path": initd, "plugin.service.puppet.provider": "init" };
}

const NODES = [
  { identity: "db1.example.net", facts: "node1" },
  { identity: "web1.example.net", facts: "node2" },
  { identity: "web2.example.net", facts: "node3" },
];

describe("mco applications against real mcompat servers over TLS", function () {
  this.timeout(90_000);
  let broker: RunningBroker;
  const servers: ServerNode[] = [];
  let cfg: string;
  let dir: string;
  let runsLog: string;
  const nodeDir = (identity: string) => join(dir, identity);
  const run = (...argv: string[]) => mco([...argv, "-c", cfg]);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "mcompat-apps-"));
    runsLog = join(dir, "runs.log");
    broker = await testBroker();
    cfg = await writeClientConfig(broker.port, "apps", ["plugin.choria.discovery.broadcast.windowed_timeout = 1"]);
    // One at a time: the test CA's serial file is not safe to share between concurrent certificate requests.
    for (const n of NODES) {
      mkdirSync(nodeDir(n.identity));
      servers.push(
        await startServer(
          {
            identity: n.identity,
            factsFile: join(FIXTURES, "facts", `${n.facts}.yaml`),
            classesFile: join(FIXTURES, "facts", `${n.facts}.classes.txt`),
            collectives: n.identity.startsWith("db") ? ["mcollective"] : ["mcollective", "other"],
            extra: { ...puppetFixture(nodeDir(n.identity), n.identity, runsLog), ...serviceFixture(nodeDir(n.identity)) },
          },
          broker.port,
        ),
      );
    }
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe("facts", () => {
    it("counts the values of a fact, exit 0", async () => {
      const r = await run("facts", "country");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.split("Finished")[0], `Report for fact: country\n\n        ${"de".padEnd(40)} found 1 times\n        ${"uk".padEnd(40)} found 2 times\n\n`);
      assert.match(r.stdout, /\nFinished processing 3 \/ 3 hosts in \d+\.\d\d ms\n\n$/);
    });

    it("lists the senders under -v with the verbose stats", async () => {
      const r = await run("facts", "role", "-v");
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /found 2 times\n\n {12}web1\.example\.net\n {12}web2\.example\.net\n\n/);
      assert.match(r.stdout, /---- rpc stats ----\n {11}Nodes: 3 \/ 3\n {5}Pass \/ Fail: 3 \/ 0\n/);
      assert.match(r.stderr, /^Discovering hosts using the mc method for 2 second\(s\) \.\.\.\. 3\n/);
    });

    it("says so when no node has the fact, and exits 1 when nothing is discovered", async () => {
      const none = await run("facts", "no_such_fact");
      assert.equal(none.code, 0);
      assert.match(none.stdout, /^No values found for fact no_such_fact\n/);
      const nobody = await run("facts", "country", "-F", "country=nowhere");
      assert.equal(nobody.code, 1);
      assert.equal(nobody.stderr, "\nNo request sent, we did not discover any nodes.");
      const missing = await run("facts");
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /The facts application failed to run, use -v for full error backtrace details: Please specify a fact to report for/);
    });

    it("some silent: names the node that did not answer, exit 0 with replies, 4 without", async () => {
      const r = await run("facts", "country", "-I", "db1.example.net", "-I", "ghost.example.net", "-t", "2");
      assert.equal(r.code, 0);
      assert.match(r.stdout, /Finished processing 1 \/ 2 hosts/);
      assert.match(r.stdout, /\nNo response from:\n\n {4}ghost\.example\.net {13}/);
      assert.match(r.stderr, /^warn \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d: client Could not receive all responses\. Did not receive responses from ghost\.example\.net\n/m);
      const silent = await run("facts", "country", "-I", "ghost.example.net", "-t", "1");
      assert.equal(silent.code, 4);
    });
  });

  describe("inventory", () => {
    it("prints the node's statistics, agents, data plugins, classes and facts", async () => {
      const r = await run("inventory", "db1.example.net");
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.split("\n");
      assert.deepEqual(lines.slice(0, 3), ["Inventory for db1.example.net:", "", "   Server Statistics:"]);
      assert.match(r.stdout, /\n {22}Version: \S+\n {19}Start Time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000\n {18}Config File: \S+server\.cfg\n/);
      assert.ok(lines.includes("                  Collectives: mcollective"));
      assert.ok(lines.includes("              Main Collective: mcollective"));
      assert.match(r.stdout, /\n {19}Process ID: \d+\n {15}Total Messages: \d+\n {6}Messages Passed Filters: \d+\n/);
      assert.match(r.stdout, /\n   Agents:\n {6}choria_util {5}discovery {7}package {8}\n {6}puppet {10}rpcutil {9}service {8}\n/);
      assert.match(r.stdout, /\n   Configuration Management Classes:\n {4}mcollective::service {11}profile::base {18}role::db {22}\n/);
      assert.ok(lines.includes("      country => uk"));
      assert.ok(lines.includes("      role => db"));
    });

    it("exits 1 saying so when the node does not answer", async () => {
      const r = await run("inventory", "ghost.example.net", "-t", "1");
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^warn [\d/]+ [\d:]+: client Could not receive all responses\. Did not receive responses from ghost\.example\.net\nDid not receive any results from node ghost\.example\.net\n$/);
    });

    it("lists collectives, draws the collective graph and runs a report script", async () => {
      const list = await run("inventory", "--lc");
      assert.equal(list.code, 0, list.stderr);
      assert.equal(list.stdout, [`   ${"Collective".padEnd(30)} Nodes`, `   ${"==========".padEnd(30)} =====`, `   ${"other".padEnd(30)} 2`,
        `   ${"mcollective".padEnd(30)} 3`, "", `   ${"Total nodes:".padStart(30)} 3`, "", ""].join("\n"));
      const dot = join(dir, "collectives.dot");
      const graph = await run("inventory", "--collective-graph", dot);
      assert.equal(graph.stdout, `Retrieving collective info....\nGraph of 3 nodes has been written to ${dot}\n`);
      assert.match(readFileSync(dot, "utf8"), /^graph \{\n {3}subgraph "mcollective" \{\n(?: {6}"[\w.]+" -- "mcollective"\n){3} {3}\}\n {3}subgraph "other" \{\n/);
      const file = join(dir, "report.mc");
      writeFileSync(file, 'inventory do\n  format "%s:%s:%s"\n  fields { [identity, facts["country"], facts["role"]] }\nend\n');
      const report = await run("inventory", "--script", file);
      assert.equal(report.code, 0, report.stderr);
      assert.deepEqual(report.stdout.split("\n").filter(Boolean).sort(), ["db1.example.net:uk:db", "web1.example.net:uk:web", "web2.example.net:de:web"]);
    });
  });

  describe("choria_util", () => {
    it("info reports how each node is connected, as the Choria plugin's agent did", async () => {
      const r = await run("rpc", "choria_util", "info", "--json");
      assert.equal(r.code, 0, r.stderr);
      const replies = JSON.parse(r.stdout) as Array<{ sender: string; statuscode: number; data: Record<string, unknown> }>;
      assert.deepEqual(replies.map((x) => x.sender).sort(), NODES.map((n) => n.identity).sort());
      for (const { statuscode, data } of replies) {
        assert.equal(statuscode, 0);
        assert.match(String(data.connected_server), new RegExp(`:${broker.port}$`));
        assert.deepEqual(data.middleware_servers, [data.connected_server]);
        assert.equal(data.choria_version, `mcompat ${JSON.parse(readFileSync("package.json", "utf8")).version}`);
        assert.ok((data.client_stats as { in_msgs: number }).in_msgs > 0, "the node has received messages");
      }
      const summary = await run("rpc", "choria_util", "info");
      assert.match(summary.stdout, /\nSummary of Connected Broker:\n\n {3}\S+:\d+ = 3\n/);
    });
  });

  describe("plugin doc", () => {
    it("lists the bundled agents and renders one DDL", async () => {
      const list = await run("plugin", "doc");
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /^Please specify a plugin\. Available plugins are:\n\nAgents:\n {2}choria_util {15}\S.*\n {2}discovery {17}\S/);
      assert.match(list.stdout, /\n {2}service {19}\S.*\n\nAggregate:\n\nConnectors:\n\nData Queries:\n\nDiscovery Methods:\n\nValidator Plugins:\n\n$/);
      const doc = await run("plugin", "doc", "agent/service");
      assert.equal(doc.code, 0, doc.stderr);
      assert.match(doc.stdout, /ACTIONS:\n/);
      assert.match(doc.stdout, /restart/);
      const missing = await run("plugin", "doc", "nosuch");
      assert.deepEqual([missing.code, missing.stderr], [1, "Could not find a plugin named 'nosuch' in any supported plugin type\n"]);
    });

    it("reads MCollective 2.12's own DDLs of every type when their folder is a libdir", async () => {
      const legacy = join(dir, "legacy.cfg");
      writeFileSync(legacy, "identity = tester\nlibdir = /usr/lib/ruby/vendor_ruby\n");
      const list = await mco(["plugin", "doc", "-c", legacy]);
      assert.equal(list.code, 0, list.stderr);
      assert.doesNotMatch(list.stdout, /Plugin Load Errors/);
      for (const [section, first] of [["Aggregate", "average"], ["Connectors", "activemq"], ["Data Queries", "agent"], ["Discovery Methods", "flatfile"],
        ["Validator Plugins", "array"]]) {
        assert.match(list.stdout, new RegExp(`\n${section}:\n  ${first.padEnd(25)} \\S`), section);
      }
      const doc = await mco(["plugin", "doc", "data/fstat", "-c", legacy]);
      assert.match(doc.stdout, /^File Stat\n=========\n\nRetrieve file stat data for a given file\n/);
    });
  });

  describe("completion", () => {
    it("lists agents, actions and inputs", async () => {
      assert.match((await run("completion", "--list-agents")).stdout, /^choria_util\ndiscovery\npackage\npuppet\nrpcutil\nservice\n$/);
      assert.equal((await run("completion", "--list-actions", "--agent", "service")).stdout, "restart\nstart\nstatus\nstop\n");
      assert.equal((await run("completion", "--list-inputs", "--agent", "service", "--action", "start")).stdout, "service\n");
      assert.match((await run("completion", "--list-actions", "--agent", "service", "-v")).stdout, /^restart:.+\nstart:.+\nstatus:.+\nstop:.+\n$/);
      assert.match((await run("completion", "--list-applications")).stdout, /^completion\ndescribe_filter\nfacts\nfind\nhelp\ninventory\npackage\nping\nplugin\npuppet\nrpc\nservice\n$/);
      assert.match((await run("completion")).stderr, /Please choose either --list-\[agents\|actions\|inputs\|applications\]/);
    });
  });

  describe("package", () => {
    it("status bash: one aligned line per node with the version and the Ensure summary, exit 0", async () => {
      const r = await run("package", "status", "bash");
      assert.equal(r.code, 0, r.stderr);
      const width = "web1.example.net".length + 3;
      // package.rb prints "%s-%s.%s" % [name, ensure, arch]; Debian's apt provider leaves arch nil, so the line ends in a dot.
      for (const n of NODES) assert.ok(r.stdout.includes(`${n.identity.padStart(width)}: bash-${installedBash}.\n`), r.stdout);
      assert.match(r.stdout, new RegExp(`\nSummary of Ensure:\n\n   ${installedBash.replace(/[.+]/g, "\\$&")} = 3\n\n`));
      assert.match(r.stdout, /Finished processing 3 \/ 3 hosts in \d+\.\d\d ms\n\n$/);
    });

    it("install of an installed package fails on every node: the message per node, exit 2", async () => {
      const r = await run("package", "bash", "install", "-I", "db1.example.net", "--dt", "1");
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stdout, /^ {3}db1\.example\.net: Package is already installed\n\n/);
    });

    it("refuses an unsafe package name before sending anything", async () => {
      const r = await run("package", "status", "ba;sh");
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^\nThe package application failed to run, use -v for full error backtrace details: .*package.*value should not have ; in it\n$/);
    });
  });

  describe("service", () => {
    it("status, start (only nodes not running are listed), and a failing start, with exit codes", async () => {
      const status = await run("service", "mcompat-test", "status");
      assert.equal(status.code, 0, status.stderr);
      assert.ok(status.stdout.includes("    db1.example.net: stopped\n"), status.stdout);
      assert.match(status.stdout, /\nSummary of Service Status:\n\n   stopped = 3\n\n/);
      const start = await run("service", "mcompat-test", "start", "-I", "db1.example.net");
      assert.equal(start.code, 0, start.stderr);
      assert.match(start.stdout, /^\nSummary of Service Status:\n\n   running = 1\n\n\nFinished processing 1 \/ 1 hosts/);
      const again = await run("service", "start", "mcompat-test", "-W", "role=db");
      assert.equal(again.code, 2);
      assert.match(again.stdout, /^ {3}db1\.example\.net: Could not start 'mcompat-test': Service is already running\n/);
      const restart = await run("service", "restart", "mcompat-test", "--yes");
      assert.equal(restart.code, 0, restart.stderr);
      assert.match(restart.stdout, /\n {3}running = 3\n/);
      const nobody = await run("service", "restart", "mcompat-test", "-F", "country=nowhere");
      assert.deepEqual([nobody.code, nobody.stderr], [1, "\nNo request sent, we did not discover any nodes."]);
    });

    it("-j prints the replies as JSON; unfiltered changes ask first and stop without a yes", async () => {
      const json = await run("service", "status", "mcompat-test", "-j", "-I", "web2.example.net");
      assert.equal(json.code, 0, json.stderr);
      assert.deepEqual(JSON.parse(json.stdout), [{ agent: "service", action: "status", sender: "web2.example.net", statuscode: 0, statusmsg: "OK",
        data: { status: "running" } }]);
      const asked = await mcoProcess(["service", "stop", "mcompat-test", "-c", cfg]);
      assert.deepEqual([asked.code, asked.stdout], [1, "Do you really want to operate on services unfiltered? (y/n): "]);
    });
  });

  describe("puppet", () => {
    it("status and count report every node", async () => {
      const status = await run("puppet", "status");
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, / {3}web2\.example\.net: Currently stopped; last completed run .+\n/);
      assert.match(status.stdout, /\nSummary of Enabled:\n\n   enabled = 3\n\n/);
      const count = await run("puppet", "count");
      assert.equal(count.code, 0);
      assert.equal(count.stdout, ["Total Puppet nodes: 3", "", "          Nodes currently enabled: 3", "         Nodes currently disabled: 0", "",
        "Nodes currently doing puppet runs: 0", "          Nodes currently stopped: 3", "", "       Nodes with daemons started: 0",
        "    Nodes without daemons started: 3", "       Daemons started but idling: 0", "", ""].join("\n"));
    });

    it("disable then enable with their summaries; a second enable fails, exit 2", async () => {
      const disable = await run("puppet", "disable", "maintenance", "-I", "db1.example.net");
      assert.equal(disable.code, 0, disable.stderr);
      assert.match(disable.stdout, /Summary of Enabled:\n\n   disabled = 1\n/);
      const refused = await run("puppet", "runonce", "-I", "db1.example.net");
      assert.equal(refused.code, 2);
      assert.match(refused.stdout, /db1\.example\.net {26}Request Aborted\n {3}Puppet is disabled: 'maintenance'\n/);
      assert.equal((await run("puppet", "enable", "-I", "db1.example.net")).code, 0);
      const twice = await run("puppet", "enable", "-I", "db1.example.net");
      assert.equal(twice.code, 2);
      assert.match(twice.stdout, /Could not enable Puppet: Already enabled/);
    });

    it("applies a whitelisted resource and refuses another type", async () => {
      const ok = await run("puppet", "resource", "notify", "hello", "-I", "web1.example.net");
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /Summary of Changed:\n\n   Changed = 1\n/);
      const denied = await run("puppet", "resource", "exec", "/bin/true", "-I", "web1.example.net");
      assert.equal(denied.code, 2);
      assert.match(denied.stdout, /The exec type is not listed in the type whitelist/);
    });

    it("runall 2 starts every enabled node, never more than 2 applying at once, then summary reads their runs", async () => {
      rmSync(runsLog, { force: true });
      const r = await run("puppet", "runall", "2");
      assert.equal(r.code, 0, r.stderr);
      const log = r.stdout.split("\n").filter(Boolean).map((l) => l.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d: /, ""));
      assert.deepEqual(log.slice(0, 3), ["Running all nodes with a concurrency of 2", "Discovering enabled Puppet nodes to manage", "Found 3 enabled nodes"]);
      for (const n of NODES) assert.ok(log.some((l) => l.startsWith(`${n.identity} schedule status: Started a Puppet run using the '`)), r.stdout);
      assert.equal(log.at(-1), "Iteration complete. Initiated a Puppet run on 3 nodes.");
      // Every fake run has finished by now only if the runner waited for them; check the overlap from their own log.
      for (let i = 0; i < 50 && readFileSync(runsLog, "utf8").split("end ").length < 4; i++) await new Promise((res) => setTimeout(res, 100));
      let applying = 0;
      let most = 0;
      for (const event of readFileSync(runsLog, "utf8").split("\n").filter(Boolean)) {
        applying += event.startsWith("start") ? 1 : -1;
        most = Math.max(most, applying);
      }
      assert.equal(most, 2);
      const summary = await run("puppet", "summary");
      assert.equal(summary.code, 0);
      assert.match(summary.stdout, /^Summary statistics for 3 nodes:\n\n {18}Total resources: ▁{20} {2}min: 10\.0 {3}avg: 10\.0 {3}max: 10\.0 {2}\n/);
      assert.ok(existsSync(join(nodeDir("web2.example.net"), "puppet", "publicdir", "last_run_summary.yaml")));
    });

    it("exit codes: 0 with a silent node, 3 when discovered nodes never answer, 1 when nothing is discovered", async () => {
      // Warm web1's Ruby worker first, so the short reply wait below only ever expires for the ghost.
      assert.equal((await run("puppet", "status", "-I", "web1.example.net")).code, 0);
      const partial = await run("puppet", "status", "-I", "web1.example.net", "-I", "ghost.example.net", "-t", "5");
      assert.equal(partial.code, 0);
      assert.match(partial.stdout, /Finished processing 1 \/ 2 hosts in \d+\.\d\d ms\n\nNo response from:\n\n {4}ghost\.example\.net/);
      const list = join(dir, "ghosts.txt");
      writeFileSync(list, "ghost.example.net\n");
      const unanswered = await run("service", "status", "mcompat-test", "--nodes", list, "-t", "1");
      assert.equal(unanswered.code, 3);
      assert.match(unanswered.stdout, /Finished processing 0 \/ 1 hosts/);
      const nobody = await run("puppet", "count", "-F", "country=nowhere");
      assert.deepEqual([nobody.code, nobody.stderr], [1, "\nNo request sent, we did not discover any nodes."]);
    });

    it("refuses a bad runall concurrency and an unknown command", async () => {
      assert.match((await run("puppet", "runall", "0")).stderr, /The concurrency for the runall command has to be greater than 0/);
      assert.match((await run("puppet", "runall")).stderr, /The runall command needs a concurrency limit/);
      assert.match((await run("puppet", "dance")).stderr, /Action must be count, enable, disable, resource, runall, runonce, status or summary/);
    });
  });
});
