import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Config } from "../../src/config/index.js";
import { emptyStats, type RpcResult, type RpcStats } from "../../src/client/index.js";
import { painter } from "../../src/cli/mco/output/colour.js";
import { rubyInspect, rubyPretty } from "../../src/ruby/index.js";
import { formatJson, formatJsonWithStats } from "../../src/cli/mco/output/json.js";
import { clientLog } from "../../src/cli/mco/output/log.js";
import { ProgressBar } from "../../src/cli/mco/output/progress.js";
import { formatResults, type ActionView } from "../../src/cli/mco/output/results.js";
import { formatStats, nodeColumns, rubyTime } from "../../src/cli/mco/output/stats.js";
import { pingSummary, sparkline } from "../../src/cli/mco/apps/ping.js";
import { applicationList } from "../../src/cli/mco/apps/help.js";
import { APPLICATIONS, commandListText, unknownCommandText } from "../../src/cli/mco/apps/index.js";

const plain = painter(false);
const demo: ActionView = {
  display: "always",
  outputs: { status: { display_as: "Service Status" }, tags: { display_as: "Tags" }, uptime: { display_as: "Uptime" } },
};
const result = (sender: string, statuscode: number, statusmsg: string, data: Record<string, unknown>): RpcResult => ({
  agent: "demo",
  action: "status",
  sender,
  statuscode,
  statusmsg,
  data,
});

function stats(over: Partial<RpcStats>): RpcStats {
  return {
    ...emptyStats("demo", "status"),
    requestid: "r",
    discoveryMethod: "mc",
    discoveryTimeMs: 1008.08,
    publishTimeMs: 1,
    blockTimeMs: 2.04,
    totalTimeMs: 1010.12,
    startTime: new Date(Date.UTC(2026, 10, 22, 1, 19, 56)),
    ...over,
  };
}

describe("mco output layouts", () => {
  it("prints per-node blocks with right-aligned DDL labels, sorted by key (captured layout)", () => {
    const text = formatResults(
      [
        result("web1.example.com", 0, "OK", { uptime: 100, status: "running", tags: ["a", "b"] }),
        result("web2.example.com", 0, "OK", { status: "stopped", tags: ["a"], uptime: 51 }),
      ],
      { verbose: false, action: demo, paint: plain },
    );
    assert.equal(
      text,
      [
        "",
        "web1.example.com                         ",
        "   Service Status: running",
        '             Tags: ["a", "b"]',
        "           Uptime: 100",
        "",
        "web2.example.com                         ",
        "   Service Status: stopped",
        '             Tags: ["a"]',
        "           Uptime: 51",
        "",
        "",
        "",
      ].join("\n"),
    );
  });

  it("shows only failures under display failed, with status text and message", () => {
    const text = formatResults(
      [
        result("web1.example.com", 0, "OK", { status: "running" }),
        result("web2.example.com", 1, "Failed to restart: exit 3", { status: "stopped" }),
        result("db1.example.com", 4, "Input service did not pass validation: x", {}),
      ],
      { verbose: false, action: { ...demo, display: "failed" }, paint: plain },
    );
    assert.equal(
      text,
      "\nweb2.example.com                         Request Aborted\n   Failed to restart: exit 3\n\n" +
        "db1.example.com                          Invalid Request Data\n   Input service did not pass validation: x\n\n\n",
    );
  });

  it("--display all overrides the DDL; multi-line strings continue under the value", () => {
    const text = formatResults([result("n1", 0, "OK", { out: "line one\nline two", empty: "" })], {
      verbose: false,
      action: { display: "failed", outputs: { out: { display_as: "A much longer label" } } },
      display: "all",
      paint: plain,
    });
    assert.equal(text, "\nn1                                       \n                 empty:\n   A much longer label: line one\n                        line two\n\n\n");
  });

  it("verbose mode prints every reply with its data as a Ruby hash", () => {
    const text = formatResults([result("web1.example.com", 0, "OK", { status: "running", uptime: 100, tags: ["a", "b"] })], {
      verbose: true,
      paint: plain,
    });
    assert.equal(text, '\nweb1.example.com                        : OK\n    {:status=>"running", :uptime=>100, :tags=>["a", "b"]}\n\n\n');
  });

  it("without a DDL shows only failures, one line each", () => {
    const text = formatResults([result("a", 0, "OK", {}), result("b", 5, "boom", {})], { verbose: false, paint: plain });
    assert.equal(text, "\nb                                        boom\n\n");
  });

  it("inspects values as Ruby does", () => {
    assert.equal(rubyInspect({ k: 1, "x-y": [true, null, "q\"\n"] }), '{"k"=>1, "x-y"=>[true, nil, "q\\"\\n"]}');
    assert.equal(rubyInspect({ k: 1, "x-y": 2 }, { symbolKeys: true }), '{:k=>1, :"x-y"=>2}');
  });

  it("inspects control characters, floats and multi-line strings as Ruby 3.1 does", () => {
    // Each expectation is what `ruby -e 'p ...'` and `pretty_inspect` print on Ruby 3.1.
    assert.equal(rubyInspect(["\x01\x7f\x1b", 1.5e-7, 1e21, 0.5]), '["\\u0001\\u007F\\e", 1.5e-07, 1.0e+21, 0.5]');
    assert.equal(rubyPretty({ a: "x\ny" }, true), '{:a=>"x\\n" + "y"}');
    const long = { status: "line one of a long text\nline two of a long text\nline three of a long text that goes on" };
    assert.equal(rubyPretty(long, true), '{:status=>\n  "line one of a long text\\n" +\n  "line two of a long text\\n" +\n  "line three of a long text that goes on"}');
  });

  it("prints the summary line and a blank line", () => {
    const s = stats({ discovered: ["a", "b", "c"], responded: ["a", "b", "c"], ok: 3 });
    assert.equal(formatStats(s, { verbose: false, caption: "demo#status call stats", paint: plain }), "\nFinished processing 3 / 3 hosts in 2.04 ms\n\n");
  });

  it("puts aggregate text in place of the leading blank line", () => {
    const s = stats({ discovered: ["a"], responded: ["a"], ok: 1 });
    assert.equal(
      formatStats(s, { verbose: false, caption: "x", aggregates: "Summary of X:\n\n   a = 1\n\n", paint: plain }),
      "Summary of X:\n\n   a = 1\n\n\nFinished processing 1 / 1 hosts in 2.04 ms\n\n",
    );
  });

  it("lists silent nodes in columns of 30 after 'No response from:'", () => {
    const s = stats({ discovered: ["a", "b", "c", "d"], responded: ["a"], noResponse: ["db2.example.com", "c", "b", "d"] });
    const text = formatStats(s, { verbose: false, caption: "x", paint: plain });
    assert.equal(
      text,
      "\nFinished processing 1 / 4 hosts in 2.04 ms\n\nNo response from:\n\n" +
        `    ${"b".padEnd(30)} ${"c".padEnd(30)} ${"d".padEnd(30)}\n    ${"db2.example.com".padEnd(30)} ${"".padEnd(30)} ${"".padEnd(30)}\n\n`,
    );
    assert.equal(nodeColumns(["x".repeat(50)]), `    ${"x".repeat(50)}`);
  });

  it("prints the verbose stats table with discovered before responses", () => {
    const s = stats({ discovered: ["a", "b", "c", "d"], responded: ["a", "b", "c"], ok: 3, blockTimeMs: 3005.08, totalTimeMs: 4013.17 });
    assert.equal(
      formatStats(s, { verbose: true, caption: "demo#status call stats", paint: plain }).split("\n").slice(0, 8).join("\n"),
      [
        "",
        "---- demo#status call stats ----",
        "           Nodes: 4 / 3",
        "     Pass / Fail: 3 / 0",
        "      Start Time: 2026-11-22 01:19:56 +0000",
        "  Discovery Time: 1008.08ms",
        "      Agent Time: 3005.08ms",
        "      Total Time: 4013.17ms",
      ].join("\n"),
    );
    assert.equal(rubyTime(new Date(0)), "1970-01-01 00:00:00 +0000");
  });

  it("colours counts only when painting is on", () => {
    const s = stats({ discovered: ["a", "b"], responded: ["a"] });
    assert.match(formatStats(s, { verbose: false, caption: "x", paint: painter(true) }), /\u001b\[31m1\u001b\[0m \/ \u001b\[31m2\u001b\[0m/);
  });

  it("draws mco's bar on a terminal and nothing on a pipe", () => {
    const written: string[] = [];
    const tty = { write: (t: string) => written.push(t), isTTY: true, columns: 80 };
    const bar = new ProgressBar(tty, 2, true, false);
    bar.start();
    bar.update(1);
    bar.update(2);
    bar.finish();
    assert.equal(written[0], `\n\r | [ >${" ".repeat(58)} ] 0 / 2`);
    assert.equal(written[1], `\r / [ ${"=".repeat(29)}>${" ".repeat(29)} ] 1 / 2`);
    assert.equal(written[2], `\r * [ ${"=".repeat(58)}> ] 2 / 2`);
    assert.equal(written[3], "\n\n");
    const piped: string[] = [];
    const pipeBar = new ProgressBar({ write: (t: string) => piped.push(t), isTTY: false }, 2, true, false);
    pipeBar.start();
    pipeBar.update(1);
    pipeBar.finish();
    assert.deepEqual(piped, []);
  });

  it("prints JSON compact when piped, pretty on a terminal, and stats on request", () => {
    const r = [result("n1", 0, "OK", { a: 1 })];
    assert.equal(formatJson(r, false), '[{"agent":"demo","action":"status","sender":"n1","statuscode":0,"statusmsg":"OK","data":{"a":1}}]\n');
    assert.ok(formatJson(r, true).startsWith('[\n  {\n    "agent": "demo",'));
    const doc = JSON.parse(formatJsonWithStats("demo", "status", r, stats({ discovered: ["n1", "n2"], responded: ["n1"], noResponse: ["n2"], ok: 1 }), false));
    assert.deepEqual(doc.replies, [{ sender: "n1", statuscode: 0, statusmsg: "OK", data: { a: 1 } }]);
    assert.equal(doc.request_stats.discovered, 2);
    assert.deepEqual(doc.request_stats.no_responses, ["n2"]);
    assert.equal(doc.request_stats.ok, 1);
  });

  it("prints ping statistics and mco's sparkline", () => {
    assert.equal(pingSummary([1.65, 2.29, 2.44], false), "\n\n---- ping statistics ----\n3 replies max: 2.44 min: 1.65 avg: 2.13 \n");
    assert.equal(pingSummary([], false), "\n\n---- ping statistics ----\nNo responses received\n");
    assert.equal(sparkline([10, 20, 120]), "▁▇▄");
  });

  it("lists the applications as `mco` and `mco help` do", () => {
    assert.match(commandListText("/usr/bin/mco"), /^The Marionette Collective version 2\.12\.5\n\nusage: \/usr\/bin\/mco command <options>\n\nKnown commands:\n\n {3}completion {11}describe_filter {6}facts {15}\n/);
    assert.match(applicationList(APPLICATIONS), /\n {2}rpc {13}Generic RPC agent client application\n/);
    assert.match(unknownCommandText("mco", "nosuch", ["/usr/share/mcollective/plugins"]), /Unknown command 'nosuch', searched for applications in:\n\n {3}\/usr\/share\/mcollective\/plugins\n\nKnown commands:/);
  });

  describe("client log (console_logger)", () => {
    const at = new Date(2026, 10, 22, 1, 19, 41);
    const capture = () => {
      const lines: string[] = [];
      return { lines, out: { write: (t: string) => lines.push(t) } };
    };
    const missing = "Could not receive all responses. Did not receive responses from db2.example.com";

    it("writes `<level> YYYY/MM/DD HH:MM:SS: <origin> <message>` on stderr, the level coloured when colour is on", () => {
      const plain = capture();
      clientLog(Config.fromText(""), plain.out, painter(false), () => at)("warn", "client", missing);
      assert.deepEqual(plain.lines, [`warn 2026/11/22 01:19:41: client ${missing}\n`]);
      const coloured = capture();
      clientLog(Config.fromText(""), coloured.out, painter(true), () => at)("error", "client", "boom");
      assert.deepEqual(coloured.lines, ["\u001b[31merror\u001b[0m 2026/11/22 01:19:41: client boom\n"]);
    });

    it("drops lines below loglevel", () => {
      const quiet = capture();
      const log = clientLog(Config.fromText("loglevel = error"), quiet.out, painter(false), () => at);
      log("warn", "client", missing);
      log("info", "client", "hello");
      assert.deepEqual(quiet.lines, []);
    });

    it("appends to logfile instead when logger_type = file names one", () => {
      const logfile = join(mkdtempSync(join(tmpdir(), "mcompat-log-")), "client.log");
      const stderr = capture();
      clientLog(Config.fromText(`logger_type = file\nlogfile = ${logfile}`), stderr.out, painter(false), () => at)("warn", "client", missing);
      assert.deepEqual(stderr.lines, []);
      assert.equal(readFileSync(logfile, "utf8"), `${at.toISOString()} WARN client ${missing}\n`);
    });
  });
});
