import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningBroker } from "../../src/transport/index.js";
import { testBroker } from "../helpers/broker.js";
import { startResponder, writeClientConfig, type Responder } from "../helpers/fleet.js";
import { mco } from "../helpers/mco.js";

const DEMO_DDL = `
metadata :name => "demo", :description => "Demo", :author => "t", :license => "t", :version => "1", :url => "t", :timeout => 1

action "status", :description => "Status" do
  display :always
  output :status, :description => "state", :display_as => "Service Status"
  output :tags, :description => "tags", :display_as => "Tags"
  output :uptime, :description => "uptime", :display_as => "Uptime"
  summarize do
    aggregate summary(:status)
    aggregate average(:uptime, :format => "%.1f seconds avg")
  end
end

action "restart", :description => "Restart" do
  display :failed
  input :service, :prompt => "Service", :description => "name", :type => :string, :validation => '^[a-z]+$', :maxlength => 5, :optional => false
  input :count, :prompt => "Count", :description => "n", :type => :integer, :optional => true
  input :force, :prompt => "Force", :description => "f", :type => :boolean, :optional => true
  input :mode, :prompt => "Mode", :description => "m", :type => :list, :list => ["fast", "slow"], :optional => true
  output :status, :description => "state", :display_as => "Service Status"
end

action "reconfigure", :description => "Reconfigure" do
  input :host, :prompt => "Host", :description => "h", :type => :string, :validation => :site_hostname, :maxlength => 20, :optional => false
  output :status, :description => "state", :display_as => "Service Status"
end
`;

describe("mco rpc with DDLs (libdir and bundled), against a real TLS broker", () => {
  let broker: RunningBroker;
  let fleet: Responder[];
  let cfg: string;
  const c = () => ["-c", cfg];

  before(async () => {
    broker = await testBroker();
    const libdir = mkdtempSync(join(tmpdir(), "mcompat-libdir-"));
    mkdirSync(join(libdir, "mcollective", "agent"), { recursive: true });
    writeFileSync(join(libdir, "mcollective", "agent", "demo.ddl"), DEMO_DDL);
    cfg = await writeClientConfig(broker.port, "ddl", [`libdir = ${libdir}`, "plugin.choria.discovery.broadcast.windowed_timeout = 1"]);
    const states: Record<string, { status: string; tags: string[]; uptime: number }> = {
      "web1.example.net": { status: "running", tags: ["a", "b"], uptime: 100 },
      "web2.example.net": { status: "stopped", tags: ["a"], uptime: 51 },
      "db1.example.net": { status: "running", tags: ["c"], uptime: 300 },
    };
    fleet = [];
    for (const identity of Object.keys(states)) {
      fleet.push(
        await startResponder(broker.port, {
          identity,
          agents: ["rpcutil", "discovery", "demo"],
          answer: (agent, action, data) => {
            if (agent === "rpcutil") return { statuscode: 0, statusmsg: "OK", data: { pong: 1795310474 } };
            if (action === "status") return { statuscode: 0, statusmsg: "OK", data: states[identity] };
            if (identity === "web2.example.net") return { statuscode: 1, statusmsg: "Failed to restart: exit 3", data: { status: "stopped" } };
            return { statuscode: 0, statusmsg: "OK", data: { status: "running", echo: data } };
          },
        }),
      );
    }
  });

  after(async () => {
    await Promise.all((fleet ?? []).map((n) => n.stop()));
    await broker?.stop();
  });

  it("prints labelled blocks, aggregate summaries and the summary line in mco's layout", async () => {
    const r = await mco(["rpc", "demo", "status", "-I", "web1.example.net", "-I", "web2.example.net", "-I", "db1.example.net", "--sort", ...c()]);
    assert.equal(r.code, 0, r.stderr);
    const expected = [
      "",
      "db1.example.net                          ",
      "   Service Status: running",
      '             Tags: ["c"]',
      "           Uptime: 300",
      "",
      "web1.example.net                         ",
      "   Service Status: running",
      '             Tags: ["a", "b"]',
      "           Uptime: 100",
      "",
      "web2.example.net                         ",
      "   Service Status: stopped",
      '             Tags: ["a"]',
      "           Uptime: 51",
      "",
      "",
      "Summary of Service Status:",
      "",
      "   running = 2",
      "   stopped = 1",
      "",
      "Summary of Uptime:",
      "",
      "   150.0 seconds avg",
      "",
      "",
    ].join("\n");
    assert.ok(r.stdout.startsWith(expected), JSON.stringify(r.stdout));
    assert.match(r.stdout.slice(expected.length), /^\nFinished processing 3 \/ 3 hosts in \d+\.\d\d ms\n\n$/);
  });

  it("display :failed shows only failures; --display all shows every node", async () => {
    const failed = await mco(["rpc", "demo", "restart", "service=web", ...c()]);
    assert.equal(failed.code, 2);
    assert.match(failed.stdout, /^\nweb2\.example\.net {25}Request Aborted\n {3}Failed to restart: exit 3\n\n\n\nFinished processing 3 \/ 3 hosts/);
    const all = await mco(["rpc", "demo", "restart", "service=web", "--display", "all", "--sort", ...c()]);
    assert.match(all.stdout, /\ndb1\.example\.net {26}\n {13}echo: \{"service"=>"web", "process_results"=>true\}\n {3}Service Status: running\n/);
    const ok = await mco(["rpc", "demo", "restart", "service=web", "--display", "ok", ...c()]);
    assert.doesNotMatch(ok.stdout, /web2/);
  });

  it("leaves a validator it does not have to the server, and says so in verbose output", async () => {
    const verbose = await mco(["rpc", "demo", "reconfigure", "host=web1", "-I", "web1.example.net", "-v", "-j", ...c()]);
    assert.equal(verbose.code, 0, verbose.stderr);
    assert.match(verbose.stderr, /input 'host': the site_hostname validator is not available here, so the server checks it/);
    assert.deepEqual((JSON.parse(verbose.stdout) as Array<{ data: { echo: unknown } }>)[0].data.echo, { host: "web1", process_results: true });
    const quiet = await mco(["rpc", "demo", "reconfigure", "host=web1", "-I", "web1.example.net", "-j", ...c()]);
    assert.doesNotMatch(quiet.stderr, /site_hostname/);
  });

  it("types arguments by the DDL before sending them", async () => {
    const r = await mco(["rpc", "demo", "restart", "service=web", "count=5", "force=true", "mode=fast", "-I", "web1.example.net", "-j", ...c()]);
    const [reply] = JSON.parse(r.stdout) as Array<{ data: { echo: Record<string, unknown> } }>;
    assert.deepEqual(reply.data.echo, { service: "web", count: 5, force: true, mode: "fast", process_results: true });
  });

  it("stops on a validation error before anything is sent", async () => {
    const before = fleet.map((n) => n.received.length);
    const cases: Array<[string[], RegExp]> = [
      [["service=a;b"], /input 'service'.*\^\[a-z\]\+\$/],
      [["service=toolong"], /input 'service'.*5/],
      [["service=web", "count=abc"], /abc does not look like a number/],
      [["service=web", "force=maybe"], /maybe does not look like a boolean argument/],
      [["service=web", "mode=medium"], /input 'mode'.*fast, slow/],
      [[], /Action restart needs a service argument/],
    ];
    for (const [args, message] of cases) {
      const r = await mco(["rpc", "demo", "restart", ...args, ...c()]);
      assert.equal(r.code, 1, args.join(" "));
      assert.match(r.stderr, /^\nThe rpc application failed to run, use -v for full error backtrace details: /);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, "");
    }
    const bogus = await mco(["rpc", "demo", "bogus", ...c()]);
    assert.match(bogus.stderr, /Attempted to call action bogus for demo but it's not declared in the DDL/);
    assert.deepEqual(fleet.map((n) => n.received.length), before, "no request reached any node");
  });

  it("uses the bundled rpcutil DDL: display always, display_as labels", async () => {
    const r = await mco(["rpc", "rpcutil", "ping", "-I", "web1.example.net", ...c()]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^\nweb1\.example\.net {25}\n {3}Timestamp: 1795310474\n\n\n\nFinished processing 1 \/ 1 hosts/);
  });

  it("waits DDL timeout + discovery timeout unless -t is given (silent node)", async () => {
    const r = await mco(["rpc", "demo", "status", "-I", "ghost.example.net", "-v", ...c()]);
    assert.equal(r.code, 4);
    assert.match(r.stdout, /Agent Time: (\d+)\.\d\dms/);
    const waited = Number(/Agent Time: (\d+)/.exec(r.stdout)![1]);
    assert.ok(waited >= 3000, `waited ${waited} ms for 1 s DDL timeout + 2 s discovery timeout`);
  });
});
