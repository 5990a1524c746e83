import assert from "node:assert/strict";
import fc from "fast-check";
import { formatAggregates, parseDdl, summarize } from "../../src/ddl/index.js";
import { askRubyOracle, suiteTempDir } from "./ddl-support.js";

// Real MCollective 2.12.5 aggregates each case's replies and prints them with RPC::Stats#text_for_aggregates.
const ORACLE = `
require 'mcollective'
require 'json'
MCollective::Config.instance.instance_variable_set(:@configfile, "/nonexistent/client.cfg")
MCollective::Config.instance.instance_variable_set(:@color, false)
file, action = ARGV
out = JSON.parse(STDIN.read).map do |replies|
  # A fresh DDL per case: Aggregate.new deletes :format from the DDL's hash it is given.
  ddl = MCollective::DDL::AgentDDL.new("x", :agent, false)
  ddl.instance_eval(File.read(file), file, 1)
  agg = MCollective::Aggregate.new(ddl.action_interface(action))
  replies.each do |r|
    data = {}
    r["data"].each { |k, v| data[k.to_sym] = v }
    agg.call_functions({:statuscode => r["statuscode"], :data => data})
  end
  stats = MCollective::RPC::Stats.new
  stats.instance_variable_set(:@aggregate_summary, agg.summarize)
  stats.instance_variable_set(:@aggregate_failures, agg.failed)
  stats.instance_variable_set(:@ddl, ddl)
  stats.text_for_aggregates
end
puts JSON.generate(out)
`;

// MCollective removes a failing function from the list it is iterating, which makes the next function skip that
// reply; mcompat does not copy that bug, so the only function allowed to fail here comes last.
const DDL = `metadata :name => "agg", :description => "d", :author => "a", :license => "l", :version => "1.0", :url => "u", :timeout => 5
action "go", :description => "d" do
  output :state, :description => "s", :display_as => "State"
  output :tags, :description => "t", :display_as => "Tags"
  output :load, :description => "l", :display_as => "Load"
  output :count, :description => "c", :display_as => "Count"
  summarize do
    aggregate summary(:state)
    aggregate summary(:tags)
    aggregate sum(:count)
    aggregate average(:count)
    aggregate average(:load, :format => "%.3f avg")
  end
end
`;

type Reply = { statuscode: number; data: Record<string, unknown> };

// Values as they arrive in JSON replies: no floats with integral values (JSON cannot tell 1.0 from 1). Loads are
// halves, so sums are exact: Ruby's %f misrounds some doubles a hair below a tie (2.78749999999999876 -> "2.788"),
// which mcompat does not imitate.
const word = fc.constantFrom("running", "stopped", "unknown", "1", "a", "ok");
const scalar = fc.oneof(word, fc.integer({ min: -50, max: 50 }), fc.boolean(), fc.constant(null));
const fractional = fc.integer({ min: -200, max: 200 }).map((n) => n + 0.5);
const reply: fc.Arbitrary<Reply> = fc.record({
  statuscode: fc.constantFrom(0, 0, 0, 1, 5),
  data: fc.record(
    {
      state: scalar,
      tags: fc.oneof(fc.array(word, { maxLength: 3 }), word, fc.constant(null)),
      load: fc.oneof(fc.integer({ min: 0, max: 100 }), fractional),
      count: fc.integer({ min: 0, max: 1000 }),
    },
    { requiredKeys: ["count"] },
  ),
});

describe("ddl aggregates match MCollective 2.12.5's (real Ruby, generated replies)", function () {
  this.timeout(60_000);
  const tempDir = suiteTempDir("mcompat-ddl-agg-");

  it("prints the same summaries, averages, sums and failures for 300 generated reply sets", () => {
    const cases = fc.sample(fc.array(reply, { maxLength: 8 }), 300);
    const ruby = askRubyOracle<string[]>(tempDir(), ORACLE, DDL, ["go"], cases);
    const action = parseDdl(DDL, "agg.ddl").actions.go;
    cases.forEach((replies, i) => {
      assert.equal(formatAggregates(summarize(action, replies)), ruby[i], `replies: ${JSON.stringify(replies)}`);
    });
  });
});
