import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningBroker } from "../../src/transport/index.js";
import { testBroker } from "../helpers/broker.js";
import { writeClientConfig } from "../helpers/fleet.js";
import { mcoProcess } from "../helpers/mco.js";
import { FIXTURES, NATIVE_ONLY, startServer, type ServerNode } from "../helpers/server.js";

const IDS = ["node1.example.net", "node2.example.net", "node3.example.net"];
const PLUGINS = join(FIXTURES, "ruby-plugins");

/** Times vary from run to run; everything else must match to the byte. */
const untimed = (text: string) => text.replace(/\d+\.\d\d ms/g, "T ms");

describe("mco runs a Ruby application plugin from the libdir, its calls served by our client", function () {
  this.timeout(60_000);
  let broker: RunningBroker;
  let nodes: ServerNode[];
  let cfg: string;

  before(async () => {
    broker = await testBroker();
    nodes = await Promise.all(
      IDS.map((identity, i) =>
        startServer({ identity, factsFile: join(FIXTURES, "facts", `node${i + 1}.yaml`), extra: NATIVE_ONLY }, broker.port),
      ),
    );
    cfg = await writeClientConfig(broker.port, "apps", [`libdir = ${PLUGINS}`, "plugin.choria.discovery.broadcast.windowed_timeout = 1"]);
  });

  after(async () => {
    await Promise.all((nodes ?? []).map((n) => n.stop()));
    await broker?.stop();
  });

  it("discovers with -F, calls in batches, prints through printrpc and printrpcstats as mco rpc does", async () => {
    const filter = ["-F", "country=uk", "--batch", "1", "--batch-sleep", "0"];
    const app = await mcoProcess(["fleetfacts", "role", ...filter, "-c", cfg]);
    assert.equal(app.code, 0, app.stderr);
    assert.equal(app.stderr, "");
    // The layout of mco-client.md A.6: a blank line, one block per node, a blank line, the aggregate summary in
    // place of the stats' leading blank line, the summary line and a closing blank line.
    const blocks = untimed(app.stdout).replace(/(node\d)\.example\.net {24}\n {4}Fact: role\n {3}Value: (\w+)\n\n/g, "<$1 $2>");
    assert.match(blocks, /^\n(<node1 db><node2 web>|<node2 web><node1 db>)\n/);
    assert.match(untimed(app.stdout), /\nSummary of Value:\n\n( {3}web = 1\n {4}db = 1| {4}db = 1\n {3}web = 1)\n\n\nFinished processing 2 \/ 2 hosts in T ms\n\n$/);
    const rpc = await mcoProcess(["rpc", "rpcutil", "get_fact", "fact=role", ...filter, "-c", cfg]);
    assert.equal(rpc.code, 0, rpc.stderr);
    // Replies arrive in any order: the same lines, whichever came first.
    const lines = (text: string) => untimed(text).split("\n").sort();
    assert.deepEqual(lines(app.stdout), lines(rpc.stdout));
  });

  it("a block call gets every reply; -v prints the discovery line and the verbose stats", async () => {
    const r = await mcoProcess(["fleetfacts", "--fact", "role", "--senders", "-S", "role=web", "-c", cfg]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split("\n").sort(), ["node2.example.net", "node3.example.net"]);
    const v = await mcoProcess(["fleetfacts", "country", "-I", "/node3/", "-v", "-c", cfg]);
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stderr, "Discovering hosts using the mc method for 2 second(s) .... 1\n");
    assert.match(v.stdout, /^\nnode3\.example\.net {23}: OK\n {4}\{:fact=>"country", :value=>"de"\}\n\n\n/);
    assert.match(v.stdout, /---- rpcutil#get_fact call stats ----\n {11}Nodes: 1 \/ 1\n {5}Pass \/ Fail: 1 \/ 0\n/);
  });

  it("its own validation and option errors end as mco reports an application failure", async () => {
    const r = await mcoProcess(["fleetfacts", "-c", cfg]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "\nThe fleetfacts application failed to run, use -v for full error backtrace details: Please name a fact to report\n");
    const bad = await mcoProcess(["fleetfacts", "role", "--bogus", "-c", cfg]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /application failed to run, use -v for full error backtrace details: invalid option: --bogus/);
    const noRuby = join(mkdtempSync(join(tmpdir(), "mcompat-noruby-")), "client.cfg");
    writeFileSync(noRuby, `${readFileSync(cfg, "utf8")}plugin.mcompat.ruby.command = /nonexistent/ruby\n`);
    const none = await mcoProcess(["fleetfacts", "role", "-c", noRuby]);
    assert.equal(none.code, 1);
    assert.equal(none.stderr, "\nThe fleetfacts application failed to run, use -v for full error backtrace details: spawn /nonexistent/ruby ENOENT\n");
  });

  it("nothing discovered: mco's stderr line and exit code 1", async () => {
    const r = await mcoProcess(["fleetfacts", "role", "-F", "country=xx", "--dt", "1", "-c", cfg]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "\nNo request sent, we did not discover any nodes.");
  });

  it("mco, mco help and mco help <app> list and describe it; our package still wins over the site's, and help says so", async () => {
    const list = await mcoProcess([`--config=${cfg}`]);
    assert.match(list.stdout, /\n {3}find {17}fleetfacts {11}fleetops {12}\n/);
    const help = await mcoProcess(["help", "-c", cfg]);
    assert.match(help.stdout, /\n {2}fleetfacts {6}Reports one fact across the fleet\n/);
    assert.match(help.stdout, /\n {2}package {9}Install, uninstall, update, purge and perform other actions to packages\n/);
    assert.match(help.stdout, /\nmcompat's own package run instead of the application plugins of that name in the libdirs\.\n\n$/);
    const one = await mcoProcess(["help", "fleetfacts", "-c", cfg]);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /^\nReports one fact across the fleet\n\nUsage: mco fleetfacts \[options\] \[filters\] <fact>\n\nApplication Options\n {8}--fact FACT {18}Fact to report\n/);
    assert.match(one.stdout, /\nRPC Options\n {8}--np, --no-progress {10}Do not show the progress bar\n/);
    assert.match(one.stdout, /\nHost Filters\n {4}-W, --with FILTER {16}Combined classes and facts filter\n[^]*\nThe Marionette Collective 2\.12\.5\n$/);
    const pkg = await mcoProcess(["package", "--help", "-c", cfg]);
    assert.doesNotMatch(pkg.stdout, /site's package/);
    assert.match(pkg.stdout, /Install, uninstall, update, purge and perform other actions to packages/);
  });

  it("RPC::Client driven by hand: filters in code, discovery, node lists, limits, custom, fire-and-forget and block calls", async () => {
    const r = await mcoProcess(["fleetops", "-c", cfg]);
    assert.equal(r.code, 0, r.stderr);
    const blocks = r.stdout.split("\n").filter((l) => l.startsWith("block: ")).sort();
    assert.deepEqual(blocks, ["block: node1.example.net db", "block: node2.example.net web"]);
    assert.equal(
      r.stdout.split("\n").filter((l) => !l.startsWith("block: ")).join("\n"),
      [
        "discovered: node1.example.net,node2.example.net",
        "after reset: node3.example.net",
        "node1.example.net                        ",
        "    Fact: country",
        "   Value: uk",
        "",
        "",
        '{:fact=>"country", :value=>"uk"}',
        "",
        "limited: 1",
        "fire and forget: a request id",
        "block stats: 2 ok of 2, 2 discovered",
        // DDL validation is Node's, with its messages (docs/ARCHITECTURE.md, DDL departures).
        "refused: input 'fact' is longer than 512 characters (Input string is longer than 512 character(s))",
        "",
      ].join("\n"),
    );
  });
});
