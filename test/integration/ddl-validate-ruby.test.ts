import assert from "node:assert/strict";
import fc from "fast-check";
import { DdlError, parseDdl, validateInputs } from "../../src/ddl/index.js";
import { askRubyOracle, suiteTempDir } from "./ddl-support.js";

// Real MCollective 2.12.5 validates each request with DDL#validate_rpc_request: "ok" or its error text.
const ORACLE = `
require 'mcollective'
require 'json'
MCollective::Config.instance.instance_variable_set(:@configfile, "/nonexistent/client.cfg")
file = ARGV[0]
ddl = MCollective::DDL::AgentDDL.new("x", :agent, false)
ddl.instance_eval(File.read(file), file, 1)
out = JSON.parse(STDIN.read).map do |req|
  args = {}
  req["data"].each { |k, v| args[k.to_sym] = v }
  begin
    ddl.validate_rpc_request(req["action"], args)
    "ok"
  rescue => e
    e.message
  end
end
puts JSON.generate(out)
`;

// Inputs drawn from what the Debian library validates itself: regexes (rpcutil's and ours), shellsafe,
// ipv4/ipv6, lengths, lists and the typecheck types (:float given only floats: 2.12.5 refuses integers there).
const DDL = `metadata :name => "v", :description => "d", :author => "a", :license => "l", :version => "1.0", :url => "u", :timeout => 5
action "go", :description => "d" do
  input :fact,  :prompt => "F", :description => "f", :type => :string, :validation => '^[\\w\\-\\.]+$', :optional => true, :maxlength => 12
  input :facts, :prompt => "F", :description => "f", :type => :string, :validation => '^\\s*[\\w\\.\\-]+(\\s*,\\s*[\\w\\.\\-]+)*$', :optional => true, :maxlength => 0
  input :word,  :prompt => "W", :description => "w", :type => :string, :validation => /\\A[a-z]+\\z/i, :optional => true, :maxlength => 0
  input :cmd,   :prompt => "C", :description => "c", :type => :string, :validation => :shellsafe, :optional => false, :maxlength => 10
  input :ip4,   :prompt => "I", :description => "i", :type => :string, :validation => :ipv4address, :optional => true, :maxlength => 0
  input :ip6,   :prompt => "I", :description => "i", :type => :string, :validation => :ipv6address, :optional => true, :maxlength => 0
  input :mode,  :prompt => "M", :description => "m", :type => :list, :list => ["all", "some"], :optional => true
  input :n,     :prompt => "N", :description => "n", :type => :integer, :optional => true
  input :x,     :prompt => "X", :description => "x", :type => :number, :optional => true
  input :f,     :prompt => "F", :description => "f", :type => :float, :optional => true
  input :b,     :prompt => "B", :description => "b", :type => :boolean, :optional => true
end
`;

const text = fc.string({ unit: fc.constantFrom("a", "Z", "0", "_", "-", ".", ",", " ", ";", "|", "$", "&", ">", "\n", "é", ":", "/", "`"), maxLength: 14 });
const ipish = fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended(), text);
const anyValue = fc.oneof(text, fc.integer({ min: -5, max: 5 }), fc.double({ noNaN: true, noDefaultInfinity: true, min: -5, max: 5 }).filter((d) => !Number.isInteger(d)), fc.boolean(), fc.constant(null));
const VALUES: Record<string, fc.Arbitrary<unknown>> = {
  fact: fc.oneof(text, anyValue),
  facts: text,
  word: text,
  cmd: fc.oneof(text, anyValue),
  ip4: ipish,
  ip6: ipish,
  mode: fc.oneof(fc.constantFrom("all", "some", "none"), anyValue),
  n: anyValue,
  x: anyValue,
  f: anyValue.filter((v) => !Number.isInteger(v)),
  b: anyValue,
};
// One input under test per request (so every input is exercised), with the required cmd present unless it is
// the one under test, where it may also be left out.
const request = fc.oneof(
  ...Object.entries(VALUES).map(([name, arb]) =>
    name === "cmd" ? fc.option(arb, { nil: undefined }).map((v) => (v === undefined ? {} : { cmd: v })) : arb.map((v) => ({ cmd: "ls", [name]: v })),
  ),
);

/** Our verdict: "ok", or the error text, which must carry MCollective's own detail. */
function ours(data: Record<string, unknown>): string {
  try {
    validateInputs(parseDdl(DDL, "v.ddl"), "go", data);
    return "ok";
  } catch (err) {
    if (!(err instanceof DdlError)) throw err;
    return err.message;
  }
}

describe("ddl validation matches MCollective 2.12.5's (real Ruby, generated requests)", function () {
  this.timeout(60_000);
  const tempDir = suiteTempDir("mcompat-ddl-validate-");

  it("accepts and refuses the same 600 requests, for the same input and reason", () => {
    const cases = fc.sample(request, 600);
    const ruby = askRubyOracle<string[]>(tempDir(), ORACLE, DDL, [], cases.map((data) => ({ action: "go", data })));
    cases.forEach((data, i) => {
      const verdict = ours(data);
      const context = `request ${JSON.stringify(data)}: ruby said ${JSON.stringify(ruby[i])}, we said ${JSON.stringify(verdict)}`;
      if (ruby[i] === "ok") return assert.equal(verdict, "ok", context);
      const legacy = /^Cannot validate input (\w+): (.*)$/s.exec(ruby[i]);
      if (legacy) {
        assert.ok(verdict.startsWith(`input '${legacy[1]}' `), context);
        // Our text carries MCollective's detail (list errors drop its "value " prefix).
        assert.ok(verdict.includes(legacy[2].replace(/^value (should be one of)/, "$1")), context);
      } else {
        assert.ok(verdict.includes(ruby[i]), context);
      }
    });
  });
});
