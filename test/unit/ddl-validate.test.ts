import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { coerceCliValue, DdlError, outputDefaults, parseDdl, validateInputs, type InputDdl } from "../../src/ddl/index.js";

const bundled = (name: string) => parseDdl(readFileSync(join(process.cwd(), "ddl", `${name}.ddl`), "utf8"), `${name}.ddl`);
const pkg = bundled("package");
const svc = bundled("service");
const puppet = bundled("puppet");
const rpcutil = bundled("rpcutil");

function rejects(fn: () => unknown, statuscode: number, message: RegExp) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof DdlError, `expected a DdlError, got ${String(err)}`);
    assert.equal(err.statuscode, statuscode);
    assert.match(err.message, message);
    return true;
  });
}

/** A one-action DDL whose action "a" has the given input lines. */
const withInputs = (lines: string) =>
  parseDdl(`metadata :name => "d", :description => "d", :author => "a", :license => "l", :version => "1", :url => "u", :timeout => 2
action "a", :description => "d" do
${lines}
end`, "d.ddl");

const input = (type: string, extra: Partial<InputDdl> = {}): InputDdl => ({ prompt: "P", description: "D", type, optional: true, ...extra });

describe("ddl coerceCliValue", () => {
  it("reads booleans from mco's words, any case", () => {
    for (const w of ["true", "T", "yes", "Y", "1"]) assert.equal(coerceCliValue(input("boolean"), "force", w), true);
    for (const w of ["false", "f", "NO", "n", "0"]) assert.equal(coerceCliValue(input("boolean"), "force", w), false);
    rejects(() => coerceCliValue(input("boolean"), "force", "maybe"), 4, /input 'force': maybe does not look like a boolean argument/);
  });

  it("reads integers and floats, including the negative numbers mco refused", () => {
    assert.equal(coerceCliValue(input("integer"), "n", "42"), 42);
    assert.equal(coerceCliValue(input("integer"), "n", "-1"), -1);
    assert.equal(coerceCliValue(input("float"), "n", "1.5"), 1.5);
    assert.equal(coerceCliValue(input("number"), "n", "-2.5e1"), -25);
    rejects(() => coerceCliValue(input("number"), "splaylimit", "abc"), 4, /input 'splaylimit': abc does not look like a number/);
    rejects(() => coerceCliValue(input("integer"), "n", "1,000"), 4, /does not look like a number/);
  });

  it("keeps an integer beyond 2^53 exact as a BigInt, which an integer input accepts", () => {
    assert.equal(coerceCliValue(input("integer"), "n", "18446744073709551617"), 18446744073709551617n);
    assert.equal(coerceCliValue(input("integer"), "n", "9007199254740991"), 9007199254740991);
    assert.deepEqual(coerceCliValue(input("hash"), "h", '{"rlim": 18446744073709551615}'), { rlim: 18446744073709551615n });
    const ddl = withInputs('  input :n, :prompt => "N", :description => "D", :type => :integer, :optional => false');
    assert.deepEqual(validateInputs(ddl, "a", { n: 18446744073709551617n }), { n: 18446744073709551617n });
  });

  it("reads hash and array inputs from JSON text, and any input from JSON when it parses", () => {
    assert.deepEqual(coerceCliValue(input("hash"), "h", '{"a":1}'), { a: 1 });
    assert.deepEqual(coerceCliValue(input("array"), "a", "[1,2]"), [1, 2]);
    assert.deepEqual(coerceCliValue(input("any"), "x", '{"a":[true]}'), { a: [true] });
    assert.equal(coerceCliValue(input("any"), "x", "plain words"), "plain words");
    rejects(() => coerceCliValue(input("hash"), "h", "[1]"), 4, /input 'h': '\[1\]' is not a valid JSON string with a hash inside/);
    rejects(() => coerceCliValue(input("array"), "a", "{"), 4, /is not a valid JSON string with an array inside/);
  });

  it("leaves strings and lists as typed", () => {
    assert.equal(coerceCliValue(input("string"), "s", "42"), "42");
    assert.equal(coerceCliValue(input("list", { list: ["a"] }), "l", "a"), "a");
  });
});

describe("ddl validateInputs", () => {
  it("passes a good request through and keeps undeclared inputs", () => {
    const out = validateInputs(pkg, "install", { package: "bash", version: "5.2", process_results: true });
    assert.deepEqual(out, { package: "bash", version: "5.2", process_results: true });
  });

  it("refuses an action the DDL does not declare", () => {
    rejects(() => validateInputs(pkg, "explode", {}), 4, /Attempted to call action explode for package but it's not declared in the DDL/);
  });

  it("refuses a missing required input with statuscode 4 as the legacy server does, naming it", () => {
    rejects(() => validateInputs(svc, "status", {}), 4, /input 'service' is required by action 'status' \(Action status needs a service argument\)/);
  });

  it("fills the default of a missing required input but never of an optional one (mco's rule)", () => {
    const ddl = withInputs(`  input :req, :prompt => "R", :description => "r", :type => :integer, :optional => false, :default => 7
  input :opt, :prompt => "O", :description => "o", :type => :integer, :optional => true, :default => 9`);
    assert.deepEqual(validateInputs(ddl, "a", {}), { req: 7 });
  });

  it("checks string type, maxlength and the shellsafe validator", () => {
    rejects(() => validateInputs(pkg, "status", { package: 5 }), 4, /input 'package' should be a string/);
    rejects(() => validateInputs(pkg, "status", { package: "x".repeat(91) }), 4, /input 'package' is longer than 90 characters/);
    for (const bad of ["a;b", "a|b", "a&&b", "a>b", "a<b", "a`b", "a$b"]) {
      rejects(() => validateInputs(pkg, "status", { package: bad }), 4, /^input 'package' does not pass the shellsafe validator: value should not have .+ in it$/);
    }
    assert.doesNotThrow(() => validateInputs(pkg, "status", { package: "a&b" }));
  });

  it("checks regex validations with Ruby's line-anchor meaning", () => {
    rejects(() => validateInputs(rpcutil, "get_data", { source: "no spaces" }), 4, /input 'source' does not match \^\\w\+\$/);
    assert.doesNotThrow(() => validateInputs(rpcutil, "get_data", { source: "fstat" }));
    // Ruby's ^ and $ match at line breaks, so a second line does not fail an anchored pattern.
    assert.doesNotThrow(() => validateInputs(rpcutil, "get_data", { source: "ok\n;bad" }));
  });

  it("checks list membership", () => {
    assert.doesNotThrow(() => validateInputs(pkg, "yum_clean", { mode: "metadata" }));
    rejects(() => validateInputs(pkg, "yum_clean", { mode: "everything" }), 4, /input 'mode' should be one of all, headers, packages, metadata, dbcache, plugins, expire-cache/);
  });

  it("type-checks boolean, integer, number, hash and array inputs strictly", () => {
    rejects(() => validateInputs(puppet, "runonce", { noop: "true" }), 4, /input 'noop' should be a boolean/);
    rejects(() => validateInputs(puppet, "runonce", { splaylimit: "10" }), 4, /input 'splaylimit' should be a number/);
    assert.doesNotThrow(() => validateInputs(puppet, "runonce", { noop: true, splaylimit: 1.5 }));
    const ddl = withInputs(`  input :i, :prompt => "I", :description => "i", :type => :integer, :optional => true
  input :f, :prompt => "F", :description => "f", :type => :float, :optional => true
  input :h, :prompt => "H", :description => "h", :type => :hash, :optional => true
  input :l, :prompt => "L", :description => "l", :type => :array, :optional => true`);
    assert.doesNotThrow(() => validateInputs(ddl, "a", { i: 3, f: 2, h: { a: 1 }, l: [1] }));
    rejects(() => validateInputs(ddl, "a", { i: 1.5 }), 4, /input 'i' should be an integer/);
    rejects(() => validateInputs(ddl, "a", { h: [1] }), 4, /input 'h' should be a hash/);
    rejects(() => validateInputs(ddl, "a", { l: { a: 1 } }), 4, /input 'l' should be an array/);
  });

  it("runs the package, service and puppet agents' validators natively", () => {
    rejects(() => validateInputs(svc, "status", { service: "bad/name" }), 4, /input 'service' does not pass the service_name validator: bad\/name is not a valid service name/);
    assert.doesNotThrow(() => validateInputs(svc, "status", { service: "getty@tty1.service" }));
    rejects(() => validateInputs(puppet, "runonce", { tags: "a-b" }), 4, /does not pass the puppet_tags validator: Invalid variable name 'a-b' specified/);
    assert.doesNotThrow(() => validateInputs(puppet, "runonce", { tags: "a, b::c", environment: "production" }));
    rejects(() => validateInputs(puppet, "runonce", { environment: "9" }), 4, /puppet_variable validator: Invalid variable name '9' specified/);
    rejects(() => validateInputs(puppet, "runonce", { server: "bad_host!:8140" }), 4, /The hostname 'bad_host!' is not a valid hostname/);
    rejects(() => validateInputs(puppet, "runonce", { server: "puppet:99999" }), 4, /The port '99999' is not a valid puppet master port/);
    for (const ok of ["puppet", "puppet.example.com:8140", "10.0.0.1:8140", "[::1]:8140", "fe80::1"]) assert.doesNotThrow(() => validateInputs(puppet, "runonce", { server: ok }), ok);
  });

  it("asks the server's plugin validator about validators it does not know, and fails what nobody knows", () => {
    const ddl = withInputs(`  input :x, :prompt => "X", :description => "x", :type => :string, :validation => :site_rule, :optional => true, :maxlength => 0`);
    const asked: string[] = [];
    const plugin = (name: string, value: unknown) => (asked.push(name), value === "good" ? "pass" : value === "bad" ? "bad is not allowed" : "unknown");
    assert.doesNotThrow(() => validateInputs(ddl, "a", { x: "good" }, { pluginValidator: plugin }));
    rejects(() => validateInputs(ddl, "a", { x: "bad" }, { pluginValidator: plugin }), 4, /input 'x' does not pass the site_rule validator: bad is not allowed/);
    rejects(() => validateInputs(ddl, "a", { x: "other" }, { pluginValidator: () => "unknown" }), 4, /site_rule validator: Unknown validator: 'site_rule'\./);
    assert.deepEqual(asked, ["site_rule", "site_rule"]);
  });

  it("on a client without the plugin, leaves the check to the server and says so", () => {
    const ddl = withInputs(`  input :x, :prompt => "X", :description => "x", :type => :string, :validation => :site_rule, :optional => true, :maxlength => 0`);
    const notes: string[] = [];
    validateInputs(ddl, "a", { x: "anything" }, { notes });
    assert.deepEqual(notes, ["input 'x': the site_rule validator is not available here, so the server checks it"]);
  });

  it("prefers the server's own Ruby validator over the built-in copy, but keeps core ones native", () => {
    const plugin = (name: string) => (name === "service_name" ? "site policy says no" : "unknown");
    rejects(() => validateInputs(svc, "status", { service: "sshd" }, { pluginValidator: plugin }), 4, /site policy says no/);
    rejects(() => validateInputs(pkg, "status", { package: "a;b" }, { pluginValidator: () => "pass" }), 4, /shellsafe/);
  });

  it("checks ipv4address and ipv6address validations", () => {
    const ddl = withInputs(`  input :v4, :prompt => "4", :description => "4", :type => :string, :validation => :ipv4address, :optional => true, :maxlength => 0
  input :v6, :prompt => "6", :description => "6", :type => :string, :validation => :ipv6address, :optional => true, :maxlength => 0`);
    for (const ok of ["1.2.3.4", "255.255.255.255", "10.0.0.0/8"]) assert.doesNotThrow(() => validateInputs(ddl, "a", { v4: ok }), ok);
    for (const bad of ["256.1.1.1", "1.2.3", "01.2.3.4", "::1", "a.b.c.d"]) rejects(() => validateInputs(ddl, "a", { v4: bad }), 4, /value should be an ipv4 address/);
    for (const ok of ["::1", "::", "fe80::1%eth0", "2001:db8::8a2e:370:7334", "::ffff:1.2.3.4", "1:2:3:4:5:6:7:8"]) assert.doesNotThrow(() => validateInputs(ddl, "a", { v6: ok }), ok);
    for (const bad of ["1.2.3.4", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "g::1"]) rejects(() => validateInputs(ddl, "a", { v6: bad }), 4, /value should be an ipv6 address/);
  });
});

describe("ddl outputDefaults", () => {
  it("gives every output its default, or null", () => {
    assert.deepEqual(outputDefaults(svc, "stop"), { status: "unknown" });
    const d = outputDefaults(puppet, "last_run_summary");
    assert.equal(d.total_resources, 0);
    assert.deepEqual(d.logs, []);
    assert.equal(outputDefaults(pkg, "status").ensure, null);
  });

  it("hands out fresh copies, so one reply cannot change the next one's defaults", () => {
    (outputDefaults(puppet, "last_run_summary").logs as unknown[]).push("x");
    assert.deepEqual(outputDefaults(puppet, "last_run_summary").logs, []);
  });
});
