import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { formatAggregates, parseDdl, rubySprintf, RubyFloat, summarize, type ActionDdl, type AggregateFunction } from "../../src/ddl/index.js";

const META = `metadata :name => "d", :description => "d", :author => "a", :license => "l", :version => "1", :url => "u", :timeout => 2\n`;

/** Action "a" with the given outputs (each displayed as its capitalised name) and summarize lines. */
function action(outputs: string[], aggregates: string): ActionDdl {
  const outs = outputs.map((o) => `  output :${o}, :description => "${o}", :display_as => "${o[0].toUpperCase()}${o.slice(1)}"`).join("\n");
  return parseDdl(`${META}action "a", :description => "d" do\n${outs}\n  summarize do\n${aggregates}\n  end\nend`, "d.ddl").actions.a;
}

const ok = (data: Record<string, unknown>) => ({ statuscode: 0, data });

describe("ddl aggregates", () => {
  it("summary counts values, array elements separately, skipping nil, and prints right-aligned keys", () => {
    const results = summarize(action(["status"], "aggregate summary(:status)"), [
      ok({ status: "running" }),
      ok({ status: "stopped" }),
      ok({ status: "running" }),
      ok({ status: null }),
      ok({ status: ["running", "x"] }),
    ]);
    assert.deepEqual(results, [{ output: "status", function: "summary", displayAs: "Status", kind: "collection", counts: [["running", 3], ["stopped", 1], ["x", 1]], format: "%7s = %s" }]);
    assert.equal(formatAggregates(results), "Summary of Status:\n\n   running = 3\n         x = 1\n   stopped = 1\n\n");
  });

  it("average divides integers with floor division, as Ruby does, and floats exactly", () => {
    const a = action(["uptime"], "aggregate average(:uptime)");
    assert.equal(formatAggregates(summarize(a, [ok({ uptime: 100 }), ok({ uptime: 51 }), ok({ uptime: 300 })])), "Summary of Uptime:\n\n   Average of uptime: 150.000000\n\n");
    assert.equal(formatAggregates(summarize(a, [ok({ uptime: 1 }), ok({ uptime: 2 })])), "Summary of Uptime:\n\n   Average of uptime: 1.000000\n\n");
    assert.equal(formatAggregates(summarize(a, [ok({ uptime: 1 }), ok({ uptime: 2.0 + 0.5 })])), "Summary of Uptime:\n\n   Average of uptime: 1.750000\n\n");
  });

  it("average and sum honour a :format given inside the call", () => {
    const a = action(["t", "n"], `    aggregate average(:t, :format => "%.1f seconds avg")\n    aggregate sum(:n, :format => "Total: %d")`);
    assert.equal(formatAggregates(summarize(a, [ok({ t: 1.25, n: 2 }), ok({ t: 2, n: 3 })])), "Summary of N:\n\n   Total: 5\n\nSummary of T:\n\n   1.6 seconds avg\n\n");
  });

  it("sum prints mco's default format", () => {
    const a = action(["uptime"], "aggregate sum(:uptime)");
    assert.equal(formatAggregates(summarize(a, [ok({ uptime: 100 }), ok({ uptime: 51 }), ok({ uptime: 300 })])), "Summary of Uptime:\n\n   Sum of uptime: 451.000000\n\n");
  });

  it("boolean_summary maps true/false to the DDL's labels", () => {
    const puppet = parseDdl(readFileSync(join(process.cwd(), "ddl", "puppet.ddl"), "utf8"), "puppet.ddl");
    const results = summarize(puppet.actions.disable, [ok({ enabled: false }), ok({ enabled: false }), ok({ enabled: true })]);
    assert.equal(formatAggregates(results), "Summary of Enabled:\n\n   disabled = 2\n   enabled = 1\n\n");
    const plain = action(["on"], "aggregate boolean_summary(:on)");
    assert.equal(formatAggregates(summarize(plain, [ok({ on: true })])), "Summary of On:\n\n    True = 1\n\n");
  });

  it("feeds failed replies too, so a node without data breaks average as it does in mco", () => {
    const a = action(["uptime"], "aggregate average(:uptime)");
    const results = summarize(a, [ok({ uptime: 5 }), { statuscode: 5, data: {} }]);
    assert.equal(formatAggregates(results), "Summary of uptime:\n\n     Could not compute summary - exception raised while processing result data\n\n");
  });

  it("reports an output the action does not declare, an unknown function and an empty average", () => {
    const a = action(["x"], "    aggregate summary(:nonexist)\n    aggregate frobnicate(:x)\n    aggregate average(:x)");
    assert.equal(
      formatAggregates(summarize(a, [])),
      "Summary of nonexist:\n\n     Could not compute summary - unspecified output 'nonexist' for the action\n\n" +
        "Summary of x:\n\n     Could not compute summary - exception raised while processing startup hook\n\n" +
        "Summary of x:\n\n     Could not compute summary - exception raised while summarizing\n\n",
    );
  });

  it("says when nothing could be computed", () => {
    const a = action(["status"], "aggregate summary(:status)");
    assert.equal(formatAggregates(summarize(a, [ok({ status: null })])), "Summary of Status:\n\n     No aggregate summary could be computed\n\n");
  });

  it("accepts more functions through the registry argument", () => {
    const longest: AggregateFunction = (values) => ({ kind: "numeric", value: Math.max(...(values as number[])), float: false, format: "Max: %d" });
    const a = action(["n"], "aggregate longest(:n)");
    assert.equal(formatAggregates(summarize(a, [ok({ n: 3 }), ok({ n: 9 })], { longest })), "Summary of N:\n\n   Max: 9\n\n");
  });

  it("colours headings bold and notes yellow when asked", () => {
    const a = action(["status"], "aggregate summary(:status)");
    assert.equal(formatAggregates(summarize(a, []), { color: true }), "\x1b[1mSummary of Status:\x1b[0m\n\n\x1b[33m     No aggregate summary could be computed\x1b[0m\n\n");
  });
});

describe("ddl rubySprintf", () => {
  it("formats as Ruby's format does", () => {
    assert.equal(rubySprintf("%5s = %s", [true, 2]), " true = 2");
    assert.equal(rubySprintf("%-5s|", ["ab"]), "ab   |");
    assert.equal(rubySprintf("%d", [-2.7]), "-2");
    assert.equal(rubySprintf("%05.1f%%", [3.14159]), "003.1%");
    assert.equal(rubySprintf("%s", [new RubyFloat(150)]), "150.0");
    assert.equal(rubySprintf("%+d %x %o %b %e", [5, 255, 8, 5, 1500]), "+5 ff 10 101 1.500000e+03");
    assert.equal(rubySprintf("%s", [null]), "");
    // Exact ties round to even as in Ruby; JavaScript's toFixed would give 0.3 and 0.032.
    assert.equal(rubySprintf("%.1f %.3f %.2f %.3f %.0f %.0f", [0.25, 0.03125, 1.005, 0.0005, 2.5, 3.5]), "0.2 0.031 1.00 0.001 2 4");
    assert.equal(rubySprintf("%.2f %f", [-1.234, 1e-7]), "-1.23 0.000000");
  });

  it("refuses a format that needs more arguments than given", () => {
    assert.throws(() => rubySprintf("%s %s", ["a"]), /too few arguments/);
  });
});
