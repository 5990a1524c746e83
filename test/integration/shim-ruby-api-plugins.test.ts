import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const COMPAT_LIB = fileURLToPath(new URL("../../../compat/lib", import.meta.url));
const API = fileURLToPath(new URL("../../../fixtures/ruby-api", import.meta.url));

/** Runs Ruby with our library and the fixture libdir, configured from the fixture client.cfg; prints one JSON document. */
function ruby(script: string): Record<string, unknown> {
  const prelude = `require "mcollective"\ninclude MCollective\nConfig.instance.loadconfig("${API}/etc/client.cfg")\n$LOAD_PATH.unshift("${API}")\n`;
  const out = execFileSync("ruby", ["-I", COMPAT_LIB, "-e", prelude + script], { encoding: "utf8" });
  return JSON.parse(out) as Record<string, unknown>;
}

/** RFC 4122 version 5 UUID in the DNS namespace, computed independently of the Ruby code. */
function uuid5(name: string): string {
  const bytes = createHash("sha1").update(Buffer.from("6ba7b8109dad11d180b400c04fd430c8", "hex")).update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
}

describe("legacy-style plugins on the rest of the Ruby API (fixtures/ruby-api)", function () {
  this.timeout(30_000);

  it("Config: the daemon, logging, registration and client tuning accessors", () => {
    const r = ruby(`c = Config.instance
      keys = %i[registerinterval registration_collective logger_type logfacility discovery_timeout publish_timeout daemonize
                threaded direct_addressing_threshold default_batch_size default_batch_sleep_time connection_timeout
                max_log_size rpcauditprovider ssl_cipher registration_splay soft_shutdown_timeout default_discovery_options]
      puts JSON.dump(keys.to_h { |k| [k, c.public_send(k)] })`);
    assert.deepEqual(r, {
      registerinterval: 300, registration_collective: "backup", logger_type: "console", logfacility: "daemon", discovery_timeout: 4,
      publish_timeout: 3, daemonize: true, threaded: true, direct_addressing_threshold: 25, default_batch_size: 5,
      default_batch_sleep_time: 0.5, connection_timeout: 7, max_log_size: 1024, rpcauditprovider: "sitelog", ssl_cipher: "aes-128-cbc",
      registration_splay: true, soft_shutdown_timeout: 9, default_discovery_options: ["sitefile"],
    });
  });

  it("a site utility library: Util.field_size/field_number, Array#in_groups_of, Cache.synchronize, Log.from", () => {
    const r = ruby(`PluginManager.loadclass("MCollective::Util::Sitetools")
      tools = Util::Sitetools
      $stdout = StringIO.new
      hidden = [(Util.get_hidden_input("Password: ") rescue $!.class.name), $stdout.string]
      $stdout = STDOUT
      puts JSON.dump(columns: tools.columns(%w[web1 web2 db1.example.net]), bumps: [tools.bump("x"), tools.bump("x"), tools.bump("y")],
                     from: tools.where_am_i, groups: [1, 2, 3].in_groups_of(2), nocache: (Cache.synchronize(:nope) { 1 } rescue $!.message),
                     windows: Util.windows_prefix.end_with?("PuppetLabs/mcollective"),
                     hidden: hidden)`);
    assert.deepEqual(r, {
      columns: ["web1            web2", "db1.example.net -"],
      bumps: [1, 2, 1],
      groups: [[1, 2], [3, null]],
      nocache: "No cache called 'nope'",
      windows: true,
      // The prompt is printed; stdin is a pipe here, not a terminal, so there is no echo to turn off (as under MCollective).
      hidden: ["Errno::ENOTTY", "Password: "],
      from: r.from,
    });
    assert.match(String(r.from), /^sitetools\.rb:\d+:in `where_am_i'$/);
  });

  it("a data plugin with its DataDDL: lookups, Data.ddl_has_output?, validate_requirements and DDL#help", () => {
    const r = ruby(`ddl = Data.ddl("sitecheck")
      future = begin; DDL.new("future_data", :data); "loaded"; rescue DDLValidationError => e; e.message; end
      puts JSON.dump(kind: ddl.class.name, query: ddl.dataquery_interface[:description], passing: Data["sitecheck"].lookup("disk")[:passing],
                     broken: Data["sitecheck"].lookup("broken")[:passing], has: [Data.ddl_has_output?(ddl, :passing), Data.ddl_has_output?(ddl, "nope")],
                     requirements: ddl.validate_requirements, future: future, help: ddl.help,
                     notquery: (DDL::DataDDL.new("x", :data, false).tap { |d| d.dataquery(description: "q") { input(:other, {}) } } rescue $!.message))`);
    assert.deepEqual(r, {
      kind: "MCollective::DDL::DataDDL", query: "Site check", passing: true, broken: false, has: [true, false], requirements: true,
      future: "Data plugin 'future_data' requires MCollective version 3.0 or newer",
      help: "sitecheck (1.2) by Site Ops\nneeds MCollective 2.2.1\nquery: The check to run\noutput checked: Check\noutput passing: Passing\n",
      notquery: "The only valid input name for a data query is 'query'",
    });
  });

  it("a discovery DDL (DiscoveryDDL) and its metadata help from the site's template", () => {
    const r = ruby(`ddl = DDL.new("sitelist", :discovery)
      bad = DDL::DiscoveryDDL.new("x", :discovery, false)
      puts JSON.dump(kind: ddl.class.name, caps: ddl.discovery_interface[:capabilities], help: ddl.help,
                     bad: (bad.discovery { bad.capabilities(:things) } rescue $!.message))`);
    assert.deepEqual(r, {
      kind: "MCollective::DDL::DiscoveryDDL", caps: ["identity", "classes"], help: "sitelist (0.1) by Site Ops\n",
      bad: "things is not a valid capability, valid capabilities are :classes, :facts, :identity, :agents and :compound",
    });
  });

  it("MCollective::SSL: sealing for a key holder, signatures, uuid and md5", () => {
    const dir = mkdtempSync(join(tmpdir(), "mcompat-ssl-"));
    execFileSync("openssl", ["genrsa", "-out", join(dir, "key.pem"), "2048"], { stdio: "ignore" });
    execFileSync("openssl", ["rsa", "-in", join(dir, "key.pem"), "-pubout", "-out", join(dir, "pub.pem")], { stdio: "ignore" });
    writeFileSync(join(dir, "empty.pem"), "");
    const r = ruby(`PluginManager.loadclass("MCollective::Util::Sitetools")
      out = Util::Sitetools.round_trip("secret text", "${dir}/pub.pem", "${dir}/key.pem")
      out["empty"] = (SSL.new("${dir}/empty.pem") rescue $!.message)
      out["cipher"] = SSL.new.ssl_cipher
      puts JSON.dump(out)`);
    assert.deepEqual(r, {
      opened: "secret text", verified: true, uuid: uuid5("node1.example.net"), md5: createHash("md5").update("secret text").digest("hex"),
      empty: `public key file '${dir}/empty.pem' is empty`, cipher: "aes-128-cbc",
    });
  });

  it("Matcher: a site helper evaluating -S expressions against the node's facts and classes", () => {
    const dir = mkdtempSync(join(tmpdir(), "mcompat-matcher-"));
    writeFileSync(join(dir, "classes.txt"), "role::db\nbase\n");
    const r = ruby(`Facts.given("country" => "uk", "memory_mb" => "4096")
      Config.instance.instance_variable_set(:@classesfile, "${dir}/classes.txt")
      PluginManager.loadclass("MCollective::Util::Sitetools")
      puts JSON.dump(matching: Util::Sitetools.matching(["country=uk and role::db", "memory_mb>8000", "base and country=/u/", "web"]),
                     stack: Matcher.create_compound_callstack("(a=1 or b = 2) and !sitecheck('x').passing=true"),
                     bad: (Matcher.create_compound_callstack("a and") rescue $!.message))`);
    assert.deepEqual(r, {
      matching: ["country=uk and role::db", "base and country=/u/"],
      stack: [{ "(": "(" }, { statement: "a=1" }, { or: "or" }, { statement: "b=2" }, { ")": ")" }, { and: "and" }, { not: "not" },
        { fstatement: { name: "sitecheck", params: "x", value: "passing", operator: "==", r_compare: "true" } }],
      bad: "Parse errors found while parsing -S input a and",
    });
  });
});
