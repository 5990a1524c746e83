import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RpcResult } from "../../src/client/index.js";
import { describeFilter } from "../../src/cli/mco/apps/describe_filter.js";
import { factReport, groupFactValues } from "../../src/cli/mco/apps/facts.js";
import { buildFilter, parseCompound, parseWithFilter } from "../../src/filter/index.js";
import { collectiveMembers, collectivesDot, collectivesReport, nodeInventoryText } from "../../src/cli/mco/apps/inventory.js";
import { packageLine } from "../../src/cli/mco/apps/package.js";
import { pluginListing, resolvePlugin } from "../../src/cli/mco/apps/plugin.js";
import { countReport, resourceProperties, runonceArguments, shortenNumber, spark, sparklineForField, summaryReport } from "../../src/cli/mco/apps/puppet.js";
import { serviceLine } from "../../src/cli/mco/apps/service.js";
import { actionAndTarget } from "../../src/cli/mco/agent-app.js";
import { InventoryScriptError, parseInventoryScript, renderInventoryLine } from "../../src/cli/mco/inventory-script.js";
import { painter } from "../../src/cli/mco/output/colour.js";
import { senderLines } from "../../src/cli/mco/output/senders.js";
import { findPluginDdls } from "../../src/cli/mco/plugin-ddls.js";
import { runAll, type PuppetFleet } from "../../src/cli/mco/puppet-runner.js";

const reply = (sender: string, data: Record<string, unknown>, statuscode = 0, statusmsg = "OK"): RpcResult => ({
  agent: "x",
  action: "y",
  sender,
  statuscode,
  statusmsg,
  data,
});
const plain = painter(false);

describe("mco describe_filter", () => {
  it("spells out -F, -W, -C and -S filters as mco does", () => {
    const mixed = parseWithFilter("role=web apache");
    const filter = buildFilter({ facts: ["a=>1", "b=/x/", "c=d"], classes: ["/^x/"] });
    filter.fact.push(...mixed.facts);
    filter.cf_class.push(...mixed.classes);
    filter.compound = [parseCompound("(country=uk or role=db) and not apache")];
    assert.equal(describeFilter(filter), [
      "-F filter expands to the following fact comparisons:", "",
      "  Check if fact 'a' >= '1'", "  Check if fact 'b' =~ '/x/'", "  Check if fact 'c' == 'd'", "  Check if fact 'role' == 'web'", "",
      "-C filter expands to the following class checks:", "",
      "  Check if class '/^x/' is present on the host", "  Check if class 'apache' is present on the host", "",
      "-S Query expands to the following instructions:", "",
      "  (", "    Check if fact 'country' = 'uk'", "    OR", "    Check if fact 'role' = 'db'", "  )", "  AND", "  NOT",
      "  Check if class 'apache' is present on the host", "", "",
    ].join("\n"));
    assert.equal(describeFilter(buildFilter({})), "");
  });
});

describe("mco facts report", () => {
  it("counts each value with its width and lists senders under -v", () => {
    const groups = groupFactValues([reply("a.example", { value: "uk" }), reply("b.example", { value: "de" }), reply("c.example", { value: "uk" }), reply("d", { value: null })]);
    assert.equal(
      factReport("country", groups, false),
      `Report for fact: country\n\n        ${"de".padEnd(40)} found 1 times\n        ${"uk".padEnd(40)} found 2 times\n`,
    );
    assert.match(factReport("country", groups, true), /found 2 times\n\n {12}a\.example\n {12}c\.example\n\n/);
    assert.equal(factReport("country", new Map(), false), "No values found for fact country\n");
  });
});

describe("mco inventory layouts", () => {
  const stats = { version: "0.1.0", starttime: 1700000000, configfile: "/etc/mcollective/server.cfg", pid: 1234, total: 10, passed: 9,
    filtered: 1, ttlexpired: 0, replies: 9, times: { utime: 1.5, stime: 0.25 } };

  it("prints server statistics, agents in threes, data plugins, classes in columns and facts", () => {
    const text = nodeInventoryText("web1", stats, {
      agents: ["rpcutil", "discovery", "package", "puppet"], data_plugins: ["fstat_data", "agent"], classes: ["apache", "base"],
      facts: { role: "web", country: "uk" }, collectives: ["mcollective", "other"], main_collective: "mcollective",
    });
    const lines = text.split("\n");
    assert.deepEqual(lines.slice(0, 5), ["Inventory for web1:", "", "   Server Statistics:", "                      Version: 0.1.0",
      "                   Start Time: 2023-11-14 22:13:20 +0000"]);
    assert.ok(lines.includes("                  Collectives: mcollective, other"));
    assert.ok(lines.includes("         Total Processor Time: 1.5 seconds"));
    assert.ok(lines.includes(`      ${"discovery".padEnd(15)} ${"package".padEnd(15)} ${"puppet".padEnd(15)}`));
    assert.ok(lines.includes(`      ${"rpcutil".padEnd(15)} ${"".padEnd(15)} ${"".padEnd(15)}`));
    assert.ok(lines.includes(`      ${"agent".padEnd(15)} ${"fstat".padEnd(15)} ${"".padEnd(15)}`));
    assert.ok(lines.includes(`    ${"apache".padEnd(30)} ${"base".padEnd(30)} ${"".padEnd(30)}`));
    assert.deepEqual(lines.slice(-3), ["      country => uk", "      role => web", ""]);
  });

  it("says so for every empty section", () => {
    const text = nodeInventoryText("web1", stats, { agents: [], data_plugins: [], classes: [], facts: {} });
    for (const line of ["      No agents installed", "      No data plugins installed", "      No classes applied", "      No facts known"]) {
      assert.ok(text.split("\n").includes(line), line);
    }
  });

  it("lists collectives by size and writes the DOT map", () => {
    const map = collectiveMembers([reply("a", { collectives: ["mcollective", "other"] }), reply("b", { collectives: ["mcollective"] })]);
    assert.equal(collectivesReport(map), [`   ${"Collective".padEnd(30)} Nodes`, `   ${"==========".padEnd(30)} =====`,
      `   ${"other".padEnd(30)} 1`, `   ${"mcollective".padEnd(30)} 2`, "", `   ${"Total nodes:".padStart(30)} 2`, "", ""].join("\n"));
    assert.equal(collectivesDot(map), 'graph {\n   subgraph "mcollective" {\n      "a" -- "mcollective"\n      "b" -- "mcollective"\n   }\n   subgraph "other" {\n      "a" -- "other"\n   }\n}\n');
  });
});

describe("mco inventory --script", () => {
  const node = { identity: "web1", facts: { country: "uk" }, classes: ["a", "b"], agents: ["rpcutil"] };

  it("formats the fields of the simple DSL with Ruby's sprintf", () => {
    const script = parseInventoryScript('# report\ninventory do\n  format "%s:\\t%s %s"\n  fields { [identity, facts["country"], classes] }\nend\n', "r.mc");
    assert.equal(renderInventoryLine(script, node), 'web1:\tuk ["a", "b"]');
    const braces = parseInventoryScript("inventory {\n format('%-6s|%s'); fields do [ identity, facts['missing'] ] end }", "r.mc");
    assert.equal(renderInventoryLine(braces, node), "web1  |");
  });

  it("reads strings with the DDL reader's Ruby lexer: %q() literals and escapes such as \\s", () => {
    const script = parseInventoryScript('inventory do\n  format %q(%s|%s)\n  fields { [identity, "a\\sb"] }\nend\n', "r.mc");
    assert.equal(renderInventoryLine(script, node), "web1|a b");
  });

  it("refuses Ruby it does not understand, naming the line", () => {
    assert.throws(() => parseInventoryScript('inventory do\n  format "%s"\n  fields { [system("id")] }\nend', "r.mc"),
      (err: Error) => err instanceof InventoryScriptError && /^r\.mc:3: unsupported field 'system'/.test(err.message));
    assert.throws(() => parseInventoryScript('inventory do\n  format "#{`id`}"\nend', "r.mc"), /r\.mc:2: string interpolation is not supported/);
    assert.throws(() => parseInventoryScript("formatted_inventory do\nend", "r.mc"), /formatted_inventory/);
    assert.throws(() => parseInventoryScript('inventory do\n  format "%s"\nend', "r.mc"), /has no fields/);
  });
});

describe("package and service lines", () => {
  it("right-aligns senders and shows what package.rb shows", () => {
    const results = [
      reply("web1.example.com", { name: "bash", ensure: "5.2.15-2+b8", arch: null }),
      reply("db1", { name: "bash", ensure: "purged" }),
      reply("db2", {}, 5, "Package is already installed"),
    ];
    assert.equal(senderLines(results, (r) => packageLine("status", false, r), plain),
      "   web1.example.com: bash-5.2.15-2+b8.\n                db1: purged\n                db2: Package is already installed\n");
    assert.equal(packageLine("status", false, reply("x", { name: "a", ensure: "1", arch: "amd64" })), "a-1.amd64");
    assert.equal(packageLine("status", false, reply("x", { name: "bash", ensure: "5.2.15-2+b8" })), "bash-5.2.15-2+b8.", "\"%s-%s.%s\" % [name, ensure, nil]");
    assert.equal(packageLine("status", false, reply("x", { name: "a", ensure: "1", arch: ["x"] })), 'a-1.["x"]', "%s is to_s, an array inspected");
    assert.equal(packageLine("install", false, results[0]), undefined);
    assert.equal(packageLine("install", true, results[0]), "5.2.15-2+b8");
    assert.equal(packageLine("apt_checkupdates", false, reply("x", { outdated_packages: [{ package: "a", version: "2" }, { package: "b", version: "3" }] })), "a b");
  });

  it("prints a line that already ends in a newline as Ruby's puts does, without a second one", () => {
    const results = [reply("web1", { output: "done\n" }), reply("db1", { output: "done" })];
    assert.equal(senderLines(results, (r) => packageLine("count", false, r), plain), "   web1: done\n    db1: done\n");
  });

  it("prints service lines byte for byte: sender right-aligned to the longest + 3, red failures", () => {
    const results = [reply("web1.example.com", { status: "stopped" }), reply("db1", { status: "running" }), reply("db2", { status: "unknown" }, 5, "Could not find init script for 'x'")];
    assert.equal(senderLines(results, (r) => serviceLine("start", false, r), plain), "   web1.example.com: stopped\n                db2: Could not find init script for 'x'\n");
    assert.equal(senderLines(results, (r) => serviceLine("status", false, r), (_c, t) => `<${t}>`),
      "   web1.example.com: stopped\n                db1: running\n                db2: <Could not find init script for 'x'>\n");
  });

  it("shows services not in the wanted state, or all for status", () => {
    assert.equal(serviceLine("start", false, reply("a", { status: "running" })), undefined);
    assert.equal(serviceLine("start", false, reply("a", { status: "stopped" })), "stopped");
    assert.equal(serviceLine("stop", false, reply("a", { status: "stopped" })), undefined);
    assert.equal(serviceLine("status", false, reply("a", { status: "stopped" })), "stopped");
    assert.equal(serviceLine("restart", true, reply("a", { status: "running" })), "running");
  });

  it("takes action and target in either order", () => {
    assert.deepEqual(actionAndTarget(["nginx", "restart"], ["restart"]), { action: "restart", target: "nginx" });
    assert.deepEqual(actionAndTarget(["status", "bash"], ["status"]), { action: "status", target: "bash" });
  });
});

describe("mco puppet reports", () => {
  it("builds runonce arguments and refuses splay with force", () => {
    assert.deepEqual(runonceArguments({ noop: true, tag: ["a", "b::c"], splaylimit: 10 }), { noop: true, splaylimit: 10, tags: "a,b::c" });
    assert.deepEqual(runonceArguments({ useCachedCatalog: false }, true), {});
    assert.throws(() => runonceArguments({ force: true, splay: false }), /Cannot set splay when forcing runs/);
    assert.deepEqual(resourceProperties(["message=hi=there"]), { message: "hi=there" });
    assert.throws(() => resourceProperties(["oops"]), /Could not parse argument 'oops'/);
  });

  it("draws sparklines and shortens numbers as mco puppet summary does", () => {
    assert.equal(spark([0, 0, 0]), "▁▁▁");
    assert.equal(spark([1, 0, 6]), "▂▁▇");
    assert.deepEqual([shortenNumber(536), shortenNumber(23400), shortenNumber(1_500_000)], ["536.0", "23.4k", "1.5m"]);
    // As ruby -e 'puts "%0.1f" % x' prints: ties of the shortest decimal go to even; toFixed gives 0.3, 2.3k, 0.3.
    assert.deepEqual([shortenNumber(0.25), shortenNumber(2250), shortenNumber(0.35)], ["0.2", "2.2k", "0.4"]);
    const rows = [reply("a", { total_resources: 62 }), reply("b", { total_resources: 66 }), reply("c", {}, 5, "boom")];
    // As captured from real mco for two nodes with 62 and 66 resources: the bucket size is range/20 + 1.
    assert.equal(sparklineForField(rows, "total_resources"), "▇▁▁▇▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁  min: 62.0   avg: 64.0   max: 66.0  ");
    assert.equal(sparklineForField([reply("a", { total_resources: 378 })], "total_resources"), `${"▁".repeat(20)}  min: 378.0  avg: 378.0  max: 378.0 `);
    const report = summaryReport(rows).split("\n");
    assert.deepEqual(report.slice(0, 3), ["Summary statistics for 3 nodes:", "", `                  Total resources: ${sparklineForField(rows, "total_resources")}`]);
    assert.equal(report[9], "    Time since last run (seconds): ");
  });

  it("counts enabled, applying and daemon states", () => {
    const text = countReport([
      reply("a", { enabled: true, applying: false, daemon_present: false, idling: false }),
      reply("b", { enabled: false, applying: true, daemon_present: true, idling: true }),
      reply("c", {}, 1, "failed"),
    ]);
    assert.equal(text, ["Total Puppet nodes: 2", "", "          Nodes currently enabled: 1", "         Nodes currently disabled: 1", "",
      "Nodes currently doing puppet runs: 1", "          Nodes currently stopped: 1", "", "       Nodes with daemons started: 1",
      "    Nodes without daemons started: 1", "       Daemons started but idling: 1", "", ""].join("\n"));
  });
});

/** A simulated fleet: each node applies for `runPolls` status polls after being asked, then records a new last run. */
function simulatedFleet(nodes: Record<string, { enabled?: boolean; silent?: boolean; neverStarts?: boolean; stuck?: boolean }>, runPolls = 2) {
  let clock = 1000;
  const state = new Map(Object.keys(nodes).map((n) => [n, { applyingFor: nodes[n].stuck ? Infinity : 0, lastrun: 0 }]));
  let applyingNow = 0;
  let maxApplying = 0;
  const started: string[] = [];
  const fleet: PuppetFleet = {
    enabledNodes: async () => Object.keys(nodes).filter((n) => nodes[n].enabled !== false).sort(),
    status: async (hosts) => {
      clock++;
      const out = new Map<string, Record<string, unknown>>();
      for (const h of hosts) {
        const s = state.get(h)!;
        if (nodes[h].silent) continue;
        if (s.applyingFor > 0 && s.applyingFor !== Infinity && --s.applyingFor === 0) s.lastrun = clock;
        out.set(h, { applying: s.applyingFor > 0, lastrun: s.lastrun });
      }
      applyingNow = [...state.values()].filter((s) => s.applyingFor > 0).length;
      maxApplying = Math.max(maxApplying, applyingNow);
      return out;
    },
    runonce: async (host) => {
      started.push(host);
      if (nodes[host].silent) return undefined;
      if (!nodes[host].neverStarts) state.get(host)!.applyingFor = runPolls;
      const running = [...state.values()].filter((s) => s.applyingFor > 0).length;
      maxApplying = Math.max(maxApplying, running);
      return { statuscode: 0, statusmsg: "OK", data: { summary: "Started", initiated_at: clock } };
    },
  };
  return { fleet, started, maxApplying: () => maxApplying, now: () => clock };
}

describe("mco puppet runall concurrency loop", () => {
  it("keeps at most N nodes applying and starts every enabled node once", async () => {
    const sim = simulatedFleet({ a: {}, b: {}, c: {}, d: {}, e: {}, off: { enabled: false } });
    const log: string[] = [];
    await runAll(sim.fleet, { concurrency: 2, log: (m) => log.push(m), sleep: async () => {}, now: sim.now });
    assert.deepEqual([...sim.started].sort(), ["a", "b", "c", "d", "e"]);
    assert.equal(sim.maxApplying(), 2);
    assert.equal(log[2], "Found 5 enabled nodes");
    assert.ok(log.includes("a schedule status: Started"));
    assert.equal(log.at(-1), "Iteration complete. Initiated a Puppet run on 5 nodes.");
  });

  it("ends even when nodes stay silent, never start or stay applying", async () => {
    const sim = simulatedFleet({ quiet: { silent: true }, lazy: { neverStarts: true }, stuck: { stuck: true }, ok: {} });
    const log: string[] = [];
    await runAll(sim.fleet, { concurrency: 1, log: (m) => log.push(m), sleep: async () => {}, now: sim.now, stuckAfterSec: 20 });
    assert.ok(log.includes("Host quiet failed to respond multiple times. Skipping."), log.join("\n"));
    assert.ok(log.includes("Host lazy did not move into an applying state. Skipping."));
    assert.ok(log.includes("Host stuck is still applying after 20 seconds. Skipping."));
    assert.ok(sim.started.includes("ok"));
  });

  it("refuses a concurrency below 1", async () => {
    const sim = simulatedFleet({ a: {} });
    await assert.rejects(runAll(sim.fleet, { concurrency: 0, log: () => {}, sleep: async () => {}, now: sim.now }), /greater than 0/);
  });
});

describe("mco plugin doc", () => {
  let libdir: string;
  before(() => {
    libdir = mkdtempSync(join(tmpdir(), "mcompat-plugins-"));
    mkdirSync(join(libdir, "mcollective", "data"), { recursive: true });
    mkdirSync(join(libdir, "mcollective", "agent"), { recursive: true });
    writeFileSync(join(libdir, "mcollective", "data", "rpcutil_data.ddl"), `metadata :name => "rpcutil", :description => "Data about rpcutil",
  :author => "a", :license => "b", :version => "1", :url => "u", :timeout => 1
dataquery :description => "q" do
  output :x, :description => "x", :display_as => "X"
end
`);
    writeFileSync(join(libdir, "mcollective", "agent", "broken.ddl"), "metadata :name => ");
  });
  after(() => rmSync(libdir, { recursive: true, force: true }));

  it("lists plugins by type, with load errors last, and resolves names", async () => {
    const bundled = join(process.cwd(), "ddl");
    const files = findPluginDdls([libdir], bundled);
    const text = await pluginListing(files);
    assert.match(text, /^Please specify a plugin\. Available plugins are:\n\nAgents:\n/);
    assert.match(text, new RegExp(`\n  ${"package".padEnd(25)} Install, update, remove and query operating system packages\n`));
    assert.match(text, new RegExp(`\nData Queries:\n  ${"rpcutil".padEnd(25)} Data about rpcutil\n\nDiscovery Methods:\n\nValidator Plugins:\n\n`));
    assert.match(text, /\nPlugin Load Errors:\n  agent\/broken {13}/);
    assert.equal(resolvePlugin(files, "rpcutil"), "Duplicate plugin name found, please specify a full path like agent/rpcutil");
    assert.deepEqual(resolvePlugin(files, "data/rpcutil"), { type: "data", name: "rpcutil", file: join(libdir, "mcollective", "data", "rpcutil_data.ddl") });
    assert.equal(resolvePlugin(files, "nosuch"), "Could not find a plugin named 'nosuch' in any supported plugin type");
    assert.equal(resolvePlugin(files, "agent/nosuch"), "Could not find a 'agent' plugin named 'nosuch'");
  });
});
