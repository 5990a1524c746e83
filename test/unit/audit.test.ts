import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { Config } from "../../src/config/index.js";
import { auditorFromConfig, choriaLine, inspectRequestData, logfileLine, type AuditEvent } from "../../src/server/audit/index.js";

const event: AuditEvent = {
  requestid: "e05a2da952ea58059fd84aa99346b0f4",
  time: 1700000000,
  callerid: "uid=0",
  senderid: "client.example.com",
  agent: "rpcutil",
  action: "get_fact",
  data: { fact: "country", process_results: true },
};
const at = new Date(Date.UTC(2026, 10, 22, 1, 23, 15, 42));

describe("audit", () => {
  describe("logfile line", () => {
    it("is the legacy line with the Ruby inspect of the data", () => {
      assert.equal(
        logfileLine(event, at),
        '[2026-11-22 01:23:15 UTC] reqid=e05a2da952ea58059fd84aa99346b0f4: reqtime=1700000000 caller=uid=0@client.example.com agent=rpcutil action=get_fact data={:fact=>"country", :process_results=>true}\n',
      );
    });

    it("prints nested data, odd keys, numbers and escapes as Ruby does", () => {
      assert.equal(
        inspectRequestData({ "foo-bar": [1, 2.5, null, { k: "v" }], "ok?": 1e16, x: 0.00001, s: 'a"b\\#{c}', t: "l1\nl2", "": -3 }),
        '{:"foo-bar"=>[1, 2.5, nil, {"k"=>"v"}], :ok?=>10000000000000000, :x=>1.0e-05, :s=>"a\\"b\\\\\\#{c}", :t=>"l1\\n" + "l2", :""=>-3}',
      );
    });

    it("matches real Ruby's PP.singleline_pp for generated request data", function () {
      this.timeout(20000);
      const chars = ["a", "Z", "_", "-", " ", "#", "{", "$", "@", '"', "\\", "\n", "\t", "\x01", "\x1b", "\x7f", "é", "☃", "😀", "\u2028", "\u00a0", "=", "?", "!", "1"];
      const unit = fc.constantFrom(...chars);
      // Request data keys are DDL input names; Ruby prints odd setter-like symbols (:" x=", :"#$=") bare, a quirk not copied.
      const keyUnit = fc.constantFrom(...chars.filter((c) => !/[\s=]/.test(c)));
      const data = fc.dictionary(fc.string({ unit: keyUnit, maxLength: 6 }), fc.jsonValue({ stringUnit: unit, maxDepth: 3 }), { maxKeys: 5 });
      const samples = fc.sample(data, { numRuns: 150, seed: 4242 }).map((d) => JSON.parse(JSON.stringify(d)) as Record<string, unknown>);
      const ruby = 'require "json"; require "pp"; STDIN.each_line { |l| h = JSON.parse(l).map { |k, v| [k.to_sym, v] }.to_h; puts PP.singleline_pp(h, "".dup) }';
      const input = samples.map((s) => JSON.stringify(s)).join("\n") + "\n";
      const expected = execFileSync("ruby", ["-e", ruby], { input, encoding: "utf8" }).split("\n").slice(0, -1);
      samples.forEach((sample, i) => assert.equal(inspectRequestData(sample), expected[i], JSON.stringify(sample)));
    });
  });

  describe("choria JSON line", () => {
    it("has Choria's keys in order and a microsecond UTC timestamp", () => {
      assert.equal(
        choriaLine(event, at),
        '{"timestamp":"2026-11-22T01:23:15.042000+0000","request_id":"e05a2da952ea58059fd84aa99346b0f4","request_time":1700000000,"caller":"uid=0","sender":"client.example.com","agent":"rpcutil","action":"get_fact","data":{"fact":"country","process_results":true}}\n',
      );
    });

    it("writes an input beyond 2^53 with every digit", () => {
      assert.match(choriaLine({ ...event, data: { limit: 2n ** 64n - 1n } }, at), /"data":\{"limit":18446744073709551615\}\}\n$/);
    });
  });

  describe("auditorFromConfig", () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "mcompat-audit-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("is undefined unless rpcaudit is on", () => {
      assert.equal(auditorFromConfig(Config.fromText("rpcauditprovider = logfile\n")), undefined);
    });

    it("appends logfile lines to plugin.rpcaudit.logfile, creating it mode 0600", () => {
      const file = join(dir, "audit.log");
      const config = Config.fromText(`rpcaudit = 1\nrpcauditprovider = logfile\nplugin.rpcaudit.logfile = ${file}\n`);
      const auditor = auditorFromConfig(config, { now: () => at.getTime() })!;
      auditor.audit(event);
      auditor.audit({ ...event, requestid: "2".repeat(32) });
      const lines = readFileSync(file, "utf8").split("\n");
      assert.equal(lines.length, 3);
      assert.equal(lines[0], logfileLine(event, at).trimEnd());
      assert.ok(lines[1].includes(`reqid=${"2".repeat(32)}:`));
      assert.equal(statSync(file).mode & 0o777, 0o600);
    });

    it("gives the file plugin.rpcaudit.logfile.group and .mode, by group name from /etc/group", () => {
      // Only a group other than our own proves the chown: root may use any, others one they belong to.
      const groups = readFileSync("/etc/group", "utf8").split("\n").map((l) => l.split(":")).filter((f) => f.length > 2);
      const mine = process.getgid!();
      const usable = groups.find(([, , gid]) => Number(gid) !== mine && (process.getuid!() === 0 || process.getgroups!().includes(Number(gid))));
      assert.ok(usable, "this test needs a group other than its own: run it as root, or as a member of a second group");
      const [name, , gid] = usable!;
      const file = join(dir, "grouped.log");
      const config = Config.fromText(
        `rpcaudit = 1\nrpcauditprovider = choria\nplugin.rpcaudit.logfile = ${file}\nplugin.rpcaudit.logfile.mode = 0640\nplugin.rpcaudit.logfile.group = ${name}\n`,
      );
      const warnings: string[] = [];
      auditorFromConfig(config, { log: (_l, m) => warnings.push(m) })!.audit(event);
      assert.deepEqual(warnings, []);
      assert.equal(statSync(file).gid, Number(gid));
      assert.equal(statSync(file).mode & 0o777, 0o640);
    });

    it("warns about an unknown audit log group", () => {
      const warnings: string[] = [];
      auditorFromConfig(Config.fromText("rpcaudit = 1\nrpcauditprovider = logfile\nplugin.rpcaudit.logfile.group = no-such-group-here\n"), {
        log: (_l, m) => warnings.push(m),
      });
      assert.deepEqual(warnings, ["Audit log group 'no-such-group-here' is not a known group; the file keeps its default group"]);
    });

    it("writes Choria JSON lines for rpcauditprovider = choria", () => {
      const file = join(dir, "choria-audit.log");
      const auditor = auditorFromConfig(Config.fromText(`rpcaudit = yes\nrpcauditprovider = choria\nplugin.rpcaudit.logfile = ${file}\n`))!;
      auditor.audit(event);
      const record = JSON.parse(readFileSync(file, "utf8"));
      assert.equal(record.request_id, event.requestid);
      assert.deepEqual(record.data, event.data);
    });

    it("only warns when the write fails, and the request goes on", () => {
      const unwritable = join(dir, "a-directory");
      mkdirSync(unwritable);
      const warnings: string[] = [];
      const config = Config.fromText(`rpcaudit = 1\nrpcauditprovider = logfile\nplugin.rpcaudit.logfile = ${unwritable}\n`);
      const auditor = auditorFromConfig(config, { log: (level, msg) => warnings.push(`${level}: ${msg}`) })!;
      assert.doesNotThrow(() => auditor.audit(event));
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /^warn: Audit failed - .*EISDIR.* - continuing to process message$/);
    });

    it("warns about an unknown provider and audits nothing", () => {
      const warnings: string[] = [];
      assert.equal(auditorFromConfig(Config.fromText("rpcaudit = 1\nrpcauditprovider = syslog\n"), { log: (_l, m) => warnings.push(m) }), undefined);
      assert.match(warnings[0], /Unknown rpcauditprovider 'syslog'/);
    });
  });
});
