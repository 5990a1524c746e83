import assert from "node:assert/strict";
import { NAMED_VALIDATORS, parseDdl, rubyRegex, validateInputs } from "../../src/ddl/index.js";

/** For every named validator: values that pass, and values that fail with the text MCollective gives. */
const CASES: Record<string, { pass: unknown[]; fail: Array<[unknown, RegExp]> }> = {
  shellsafe: { pass: ["plain", "a&b", "a-b_c.d"], fail: [["a;b", /value should not have ; in it/], ["`x`", /should not have ` in it/], [5, /value should be a String/]] },
  ipv4address: { pass: ["192.168.1.1", "0.0.0.0"], fail: [["300.1.1.1", /ipv4 address/], ["fe80::1", /ipv4 address/], [1, /ipv4 address/]] },
  ipv6address: { pass: ["::1", "2001:db8::1"], fail: [["1.2.3.4", /ipv6 address/], [":::", /ipv6 address/]] },
  ipaddress: { pass: ["10.1.1.1", "::1"], fail: [["host.example.com", /ip address/]] },
  string: { pass: ["x", ""], fail: [[1, /value should be a string/]] },
  integer: { pass: [1, -5], fail: [[1.5, /value should be a integer/], ["1", /value should be a integer/]] },
  float: { pass: [1.5, 2], fail: [["1.5", /value should be a float/]] },
  number: { pass: [1, 1.5], fail: [["1", /value should be a number/], [Infinity, /value should be a number/]] },
  boolean: { pass: [true, false], fail: [["true", /value should be a boolean/], [1, /value should be a boolean/]] },
  package_name: { pass: ["bash", "libc6-dev", "python3.11", "g++".replace("++", "")], fail: [["g++", /g\+\+ is not a valid package name/], ["a b", /not a valid package name/], ["", /not a valid package name/]] },
  service_name: { pass: ["sshd", "getty@tty1", "a:b"], fail: [["bad/name", /bad\/name is not a valid service name/], ["a\nb", /not a valid service name/]] },
  puppet_variable: { pass: ["production", "a", "dev_1"], fail: [["9", /Invalid variable name '9' specified/], ["a-b", /Invalid variable name 'a-b'/], ["a;b", /should not have ; in it/]] },
  puppet_tags: { pass: ["web", "a,b", "role::web, profile::base"], fail: [["a-b", /Invalid variable name 'a-b'/], ["a::", /Invalid variable name ''/]] },
  puppet_server_address: {
    pass: ["puppet", "puppet.example.com:8140", "10.0.0.1", "[2001:db8::1]:8140", "2001:db8::1"],
    fail: [["-bad", /The hostname '-bad' is not a valid hostname/], ["puppet:0", /The port '0' is not a valid puppet master port/], ["[nothex]:8140", /The hostname 'nothex'/]],
  },
  puppet_resource: { pass: ["File[/etc/hosts]", "user[bob]"], fail: [["File", /File is not a valid resource name/], ["File[]", /not a valid resource name/]] },
};

describe("ddl named validators", () => {
  it("has a passing and a failing case for every registered validator", () => {
    assert.deepEqual(Object.keys(CASES).sort(), Object.keys(NAMED_VALIDATORS).sort());
  });

  for (const [name, { pass, fail }] of Object.entries(CASES)) {
    it(`${name}: passes good values and fails bad ones with MCollective's text`, () => {
      const validate = NAMED_VALIDATORS[name];
      for (const v of pass) assert.equal(validate(v), undefined, `${name} should pass ${JSON.stringify(v)}`);
      for (const [v, text] of fail) assert.match(validate(v) ?? "(passed)", text, `${name} should fail ${JSON.stringify(v)}`);
    });
  }

  it("applies a named validator through the DDL and names input and rule in the error", () => {
    const ddl = parseDdl(`metadata :name => "d", :description => "d", :author => "a", :license => "l", :version => "1", :url => "u", :timeout => 2
action "install", :description => "d" do
  input :package, :prompt => "P", :description => "p", :type => :string, :validation => :package_name, :optional => false, :maxlength => 90
end`, "d.ddl");
    assert.throws(() => validateInputs(ddl, "install", { package: "ba;sh" }), { message: "input 'package' does not pass the package_name validator: ba;sh is not a valid package name" });
  });
});

describe("ddl Ruby regex translation", () => {
  const cases: Array<[string, string[], string[]]> = [
    ["^[a-z]+$", ["abc", "abc\n;rm"], ["ABC", ";"]],
    ["\\A[a-z]+\\z", ["abc"], ["abc\nx", "abc\n"]],
    ["\\A[a-z]+\\Z", ["abc", "abc\n"], ["abc\nx"]],
    ["(?-mix:^\\d+$)", ["123"], ["12a"]],
    ["(?i-mx:^abc$)", ["ABC"], ["abd"]],
    ["(?m-ix:^a.b$)", ["a\nb"], ["a\n\nb"]],
    ["(?x-mi:^ a \\s b $ # comment\n)", ["a b"], ["ab"]],
    ["^[[:alpha:]][[:digit:]]+$", ["a12"], ["12", "a"]],
    ["^\\h+$", ["deadBEEF"], ["xyz"]],
    ["(?-mix:a)|(b)", ["a", "b"], ["c"]],
  ];
  for (const [source, good, bad] of cases) {
    it(`${source} matches as Ruby does`, () => {
      const re = rubyRegex(source);
      for (const s of good) assert.ok(re.test(s), `${source} should match ${JSON.stringify(s)}`);
      for (const s of bad) assert.ok(!re.test(s), `${source} should not match ${JSON.stringify(s)}`);
    });
  }

  it("refuses constructs JavaScript cannot express, with a clear error", () => {
    assert.throws(() => rubyRegex("(?>a+)b"), /atomic groups/);
    assert.throws(() => rubyRegex("a++"), /possessive quantifiers/);
    assert.throws(() => rubyRegex("(unclosed"), /the regular expression \(unclosed cannot be used/);
  });
});
