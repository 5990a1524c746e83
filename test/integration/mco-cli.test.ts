import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningBroker } from "../../src/transport/index.js";
import { testBroker } from "../helpers/broker.js";
import { startResponder, writeClientConfig, type Answer, type Responder } from "../helpers/fleet.js";
import { mco, mcoProcess } from "../helpers/mco.js";

/** demo#status answers per node; `fail` fails on db1, `silent` gets no answer from anyone, `slow` none from db1. */
function demo(identity: string) {
  return (_agent: string, action: string): Answer => {
    if (action === "silent") return "silent";
    if (action === "slow" && identity.startsWith("db1")) return "silent";
    if (action === "fail" && identity.startsWith("db1")) return { statuscode: 1, statusmsg: "Failed on purpose", data: {} };
    return { statuscode: 0, statusmsg: "OK", data: { status: "running", node: identity } };
  };
}

describe("mco command line against a real TLS broker (in-test responders)", () => {
  let broker: RunningBroker;
  let fleet: Responder[];
  let cfg: string;
  let dir: string;
  const c = () => ["-c", cfg];

  before(async () => {
    broker = await testBroker();
    // Windowed discovery keeps the suite quick: discovery ends 300 ms after the last pong.
    cfg = await writeClientConfig(broker.port, "cli", ["plugin.choria.discovery.broadcast.windowed_timeout = 1"]);
    dir = mkdtempSync(join(tmpdir(), "mcompat-mco-"));
    const nodes = [
      { identity: "web1.example.net", facts: { country: "uk", role: "web" }, classes: ["role::web"] },
      { identity: "web2.example.net", facts: { country: "de", role: "web" }, classes: ["role::web"] },
      { identity: "db1.example.net", facts: { country: "uk", role: "db" }, classes: ["role::db"], agents: ["rpcutil", "discovery", "demo", "package"] },
    ];
    fleet = [];
    // One at a time: certificates are issued by one CA whose serial file is not safe to share concurrently.
    for (const n of nodes) fleet.push(await startResponder(broker.port, { agents: ["rpcutil", "discovery", "demo"], ...n, answer: demo(n.identity) }));
  });

  after(async () => {
    await Promise.all((fleet ?? []).map((n) => n.stop()));
    await broker?.stop();
  });

  describe("rpc", () => {
    it("all ok: discovery line on stderr, summary on stdout, exit 0", async () => {
      const r = await mco(["rpc", "demo", "status", ...c()]);
      assert.equal(r.code, 0);
      assert.equal(r.stderr, "Discovering hosts using the mc method for 2 second(s) .... 3\n");
      assert.match(r.stdout, /^\n\n\nFinished processing 3 \/ 3 hosts in \d+\.\d\d ms\n\n$/);
    });

    it("some failed: the failure shown, exit 2", async () => {
      const r = await mco(["rpc", "demo", "fail", ...c()]);
      assert.equal(r.code, 2);
      assert.match(r.stdout, /\ndb1\.example\.net {26}Failed on purpose\n/);
      assert.match(r.stdout, /Finished processing 3 \/ 3 hosts/);
    });

    it("some silent: 'No response from:' lists them, exit 0", async () => {
      const r = await mco(["rpc", "demo", "slow", "-t", "1", ...c()]);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /Finished processing 2 \/ 3 hosts in [\d.]+ ms\n\nNo response from:\n\n {4}db1\.example\.net {15} {31} {31}\n\n$/);
    });

    it("discovered but nobody answered: exit 3", async () => {
      const r = await mco(["rpc", "demo", "silent", "-t", "1", "-F", "country=uk", ...c()]);
      assert.equal(r.code, 3);
      assert.match(r.stdout, /Finished processing 0 \/ 2 hosts/);
    });

    it("none discovered: 'No request sent' on stderr, no stats, exit 1", async () => {
      const r = await mco(["rpc", "demo", "status", "-F", "country=xx", ...c()]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, "Discovering hosts using the mc method for 2 second(s) .... 0\n\nNo request sent, we did not discover any nodes.");
      assert.equal(r.stdout, "");
    });

    it("plain -I skips discovery; a missing node gives exit 4", async () => {
      const r = await mco(["rpc", "demo", "status", "-I", "ghost.example.net", "-t", "1", ...c()]);
      assert.equal(r.code, 4);
      // No "Discovering" line: only the console log's warning about the node that never answered.
      assert.match(r.stderr, /^warn [\d/]+ [\d:]+: client Could not receive all responses\. Did not receive responses from ghost\.example\.net\n$/);
      assert.match(r.stdout, /No response from:\n\n {4}ghost\.example\.net/);
    });

    it("-v prints every reply as a Ruby hash and the verbose stats table", async () => {
      const r = await mco(["rpc", "demo", "status", "-I", "web1.example.net", "-v", ...c()]);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /\nweb1\.example\.net {24}: OK\n {4}\{:status=>"running", :node=>"web1\.example\.net"\}\n\n/);
      assert.match(r.stdout, /---- demo#status call stats ----\n {11}Nodes: 1 \/ 1\n {5}Pass \/ Fail: 1 \/ 0\n {6}Start Time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000\n  Discovery Time: 0\.00ms\n/);
    });

    it("--json prints mco's array on one line when piped; --json-stats adds request_stats", async () => {
      const r = await mco(["rpc", "demo", "fail", "--json", ...c()]);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, "");
      assert.ok(r.stdout.endsWith("]\n") && !r.stdout.slice(0, -1).includes("\n"));
      const parsed = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
      assert.deepEqual(parsed.map((p) => p.sender).sort(), ["db1.example.net", "web1.example.net", "web2.example.net"]);
      const sorted = JSON.parse((await mco(["rpc", "demo", "status", "--json", "--sort", ...c()])).stdout) as Array<{ sender: string }>;
      assert.deepEqual(sorted.map((p) => p.sender), ["db1.example.net", "web1.example.net", "web2.example.net"]);
      assert.deepEqual(Object.keys(parsed[0]), ["agent", "action", "sender", "statuscode", "statusmsg", "data"]);
      const s = JSON.parse((await mco(["rpc", "demo", "slow", "-t", "1", "--json-stats", ...c()])).stdout);
      assert.deepEqual(s.request_stats.no_responses, ["db1.example.net"]);
      assert.equal(s.request_stats.discovered, 3);
      assert.equal(s.request_stats.responses, 2);
      assert.match(s.request_stats.requestid, /^[0-9a-f]{32}$/);
    });

    it("draws the progress bar on a terminal only", async () => {
      const tty = await mco(["rpc", "demo", "status", "-I", "web1.example.net", ...c()], { tty: true });
      assert.ok(tty.stdout.startsWith("\n\r | [ >"), JSON.stringify(tty.stdout.slice(0, 30)));
      assert.match(tty.stdout, /\r \* \[ =+> \] 1 \/ 1\n\n/);
      const piped = await mco(["rpc", "demo", "status", "-I", "web1.example.net", ...c()]);
      assert.ok(!piped.stdout.includes("\r"));
      const off = await mco(["rpc", "demo", "status", "-I", "web1.example.net", "--np", ...c()], { tty: true });
      assert.ok(!off.stdout.includes("\r"));
    });

    it("filters: -F, -C, -A, -W, -S, -I regex each select the right nodes", async () => {
      const senders = async (...args: string[]) =>
        (JSON.parse((await mco(["rpc", "demo", "status", "-j", ...args, ...c()])).stdout) as Array<{ sender: string }>).map((x) => x.sender).sort();
      assert.deepEqual(await senders("-F", "country=uk"), ["db1.example.net", "web1.example.net"]);
      assert.deepEqual(await senders("--wf", "country=uk", "--with-fact", "role=web"), ["web1.example.net"]);
      assert.deepEqual(await senders("-C", "role::db"), ["db1.example.net"]);
      assert.deepEqual(await senders("-A", "package"), ["db1.example.net"]);
      assert.deepEqual(await senders("-W", "country=de role::web"), ["web2.example.net"]);
      assert.deepEqual(await senders("-S", "country=uk and role=web"), ["web1.example.net"]);
      assert.deepEqual(await senders("-S", "role=db or country=de"), ["db1.example.net", "web2.example.net"]);
      assert.deepEqual(await senders("-I", "/^web/"), ["web1.example.net", "web2.example.net"]);
    });

    it("--nodes and --dm flatfile --do file= address the listed nodes directly", async () => {
      const file = join(dir, "nodes.txt");
      writeFileSync(file, "# two nodes\nweb2.example.net\ndb1.example.net\n");
      const r = await mco(["rpc", "demo", "status", "--nodes", file, ...c()]);
      assert.equal(r.code, 0);
      assert.equal(r.stderr, "Discovering hosts using the flatfile method .... 2\n");
      const j = await mco(["rpc", "demo", "status", "-j", "--dm", "flatfile", "--do", `file=${file}`, ...c()]);
      assert.deepEqual((JSON.parse(j.stdout) as Array<{ sender: string }>).map((x) => x.sender).sort(), ["db1.example.net", "web2.example.net"]);
      const bad = await mco(["rpc", "demo", "status", "--nodes", file, "-F", "a=b", ...c()]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /Cannot use fact filters while using the 'flatfile' discovery method/);
      const missing = await mco(["rpc", "demo", "status", "--nodes", join(dir, "nope"), ...c()]);
      assert.match(missing.stderr, /Cannot read the discovery file/);
    });

    it("--limit-nodes, -1 and --batch shape the fan-out", async () => {
      const count = async (...args: string[]) => (JSON.parse((await mco(["rpc", "demo", "status", "-j", ...args, ...c()])).stdout) as unknown[]).length;
      assert.equal(await count("--limit-nodes", "2"), 2);
      assert.equal(await count("-1"), 1);
      assert.equal(await count("--ln", "34%"), 1);
      assert.equal(await count("--batch", "1", "--batch-sleep", "0"), 3);
    });

    it("-T targets a sub-collective and refuses an unknown one", async () => {
      const r = await mco(["rpc", "demo", "status", "-T", "nowhere", ...c()]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Unknown collective 'nowhere' known collectives are 'mcollective, other'/);
    });

    it("bad arguments fail before anything is sent, in mco's words", async () => {
      const parse = await mco(["rpc", "demo", "status", "service=", ...c()]);
      assert.equal(parse.code, 1);
      assert.equal(parse.stderr, "\nThe rpc application failed to run, use -v for full error backtrace details: Could not parse --arg service=\n");
      const opt = await mco(["rpc", "demo", "status", "--bogus", ...c()]);
      assert.match(opt.stderr, /invalid option: --bogus/);
      const none = await mco(["rpc", ...c()]);
      assert.match(none.stderr, /No agent, action and arguments specified/);
    });

    it("--no-results sends the request and prints its id", async () => {
      const r = await mco(["rpc", "demo", "status", "--nr", "-I", "web1.example.net", ...c()]);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^Request sent with id: [0-9a-f]{32}\n$/);
    });

    it("--reply-to sends replies elsewhere and prints where", async () => {
      const r = await mco(["rpc", "demo", "status", "--reply-to", "mcollective.reply.elsewhere", "-I", "web1.example.net", ...c()]);
      assert.equal(r.code, 0);
      const id = /^Request sent with id: ([0-9a-f]{32}) replies to mcollective\.reply\.elsewhere\n$/.exec(r.stdout)?.[1];
      assert.ok(id, r.stdout);
      // The node reads the request on its own connection; give it a moment to arrive.
      const find = () => fleet[0].received.find((x) => x.request.envelope.requestid === id);
      for (let i = 0; i < 100 && !find(); i++) await new Promise((done) => setTimeout(done, 50));
      const received = find()!.request;
      assert.equal(received.headers["reply-to"], "mcollective.reply.elsewhere");
    });

    it("reads MCOLLECTIVE_EXTRA_OPTS", async () => {
      const r = await mco(["rpc", "demo", "status", ...c()], { env: { MCOLLECTIVE_EXTRA_OPTS: "-I web2.example.net -j" } });
      assert.deepEqual((JSON.parse(r.stdout) as Array<{ sender: string }>).map((x) => x.sender), ["web2.example.net"]);
    });
  });

  describe("ping, find, help", () => {
    it("ping lists every node with its time and the statistics, exit 0", async () => {
      const r = await mco(["ping", "-t", "1", ...c()]);
      assert.equal(r.code, 0);
      const lines = r.stdout.split("\n");
      assert.equal(lines.filter((l) => /^\S+\.example\.net {24,}time=\d+\.\d\d ms$/.test(l)).length, 3);
      assert.match(r.stdout, /\n\n\n---- ping statistics ----\n3 replies max: [\d.]+ min: [\d.]+ avg: [\d.]+ \n$/);
    });

    it("ping with no match says so and exits 4", async () => {
      const r = await mco(["ping", "-t", "1", "-F", "country=xx", ...c()]);
      assert.equal(r.code, 4);
      assert.equal(r.stdout, "\n\n---- ping statistics ----\nNo responses received\n");
    });

    it("ping without -t listens 5 s plus the config's discovery_timeout, which is 0 when unset (not mc's 2 s)", async () => {
      const started = Date.now();
      const r = await mco(["ping", "-F", "country=xx", ...c()]);
      const took = Date.now() - started;
      assert.equal(r.code, 4);
      assert.ok(took >= 5000 && took < 6500, `took ${took} ms`);
    });

    it("find prints the matching identities, exit 0; nothing found exits 1", async () => {
      const r = await mco(["find", "-F", "country=uk", ...c()]);
      assert.equal(r.code, 0);
      assert.deepEqual(r.stdout.trim().split("\n").sort(), ["db1.example.net", "web1.example.net"]);
      assert.equal(r.stderr, "");
      const none = await mco(["find", "-F", "country=xx", ...c()]);
      assert.equal(none.code, 1);
      assert.equal(none.stdout, "");
    });

    it("find -v adds the discovery line and a summary on stderr", async () => {
      const r = await mco(["find", "-v", "-I", "/web1/", ...c()]);
      assert.match(r.stderr, /^Discovering hosts using the mc method for 2 second\(s\) \.\.\.\. 1\n\n\nDiscovered 1 nodes in \d+\.\d\d seconds using the mc discovery plugin\n$/);
      assert.equal(r.stdout, "web1.example.net\n");
    });

    it("help, --help, bare mco and unknown commands exit as mco does", async () => {
      const list = await mco([]);
      assert.equal(list.code, 0);
      assert.match(list.stdout, /Known commands:\n\n {3}completion {11}describe_filter {6}facts {15}\n {3}find {17}help {17}inventory {11}\n {3}package {14}ping {17}plugin {14}\n {3}puppet {15}rpc {18}service {13}\n/);
      const help = await mco(["help"]);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /^The Marionette Collective version 2\.12\.5\n\n {2}completion {6}Helper for shell completion systems\n {2}describe_filter Display human readable interpretation of filters\n {2}facts {11}Reports on usage for a specific fact\n {2}find {12}Find hosts/);
      const rpcHelp = await mco(["help", "rpc"]);
      assert.equal(rpcHelp.code, 0);
      assert.match(rpcHelp.stdout, /^\nGeneric RPC agent client application\n\nUsage: mco rpc/);
      const dashHelp = await mco(["rpc", "--help"]);
      assert.equal(dashHelp.code, 1);
      assert.equal(dashHelp.stdout, rpcHelp.stdout);
      const unknown = await mco(["nosuch"]);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stdout, /Unknown command 'nosuch', searched for applications in:/);
    });
  });

  describe("as a real process", () => {
    it("exits 1 with one line naming the brokers tried when none answers", async () => {
      const dead = await writeClientConfig(1, "dead");
      const r = await mcoProcess(["rpc", "rpcutil", "ping", "-I", "x", "-c", dead, "--connection-timeout", "2"]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      const lines = r.stderr.split("\n").filter((l) => l !== "");
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], /Could not connect to the broker at 127\.0\.0\.1:1/);
    });

    it("runs a direct call end to end and exits 0 (as root, unlike the legacy client)", async () => {
      const r = await mcoProcess(["rpc", "demo", "status", "-I", "web1.example.net", "-c", cfg]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Finished processing 1 \/ 1 hosts/);
    });
  });
});
