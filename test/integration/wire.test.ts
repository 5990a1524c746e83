import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { goldenMessages, wireCertsDir } from "../helpers/golden.js";

const golden = goldenMessages();
const mcompat = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "bin", "mcompat");

interface Report {
  kind: string;
  layers: { body?: unknown; inner?: { envelope?: { time?: number } }; secure?: { pubcert?: Array<{ names: string[] }> } };
  checks: Record<string, { ok: boolean | null; detail: string }>;
  stopped?: { layer: string; reason: string };
}

async function decode(input: string, args: string[] = []): Promise<{ report: Report; exitCode: number }> {
  const run = await execa(mcompat, ["wire", "decode", ...args], { input, reject: false });
  assert.equal(run.stderr, "");
  return { report: JSON.parse(run.stdout) as Report, exitCode: run.exitCode ?? -1 };
}

describe("mcompat wire decode", () => {
  const request = golden.find((m) => m.file.startsWith("02-") && m.reply !== null)!;
  const reply = golden.find((m) => m.file.startsWith("02-") && m.reply === null)!;
  const sent = (JSON.parse(request.l3) as { envelope: { time: number } }).envelope.time;

  it("shows every layer of a golden request and passes every check against the shared CA", async () => {
    const { report, exitCode } = await decode(request.payload, ["--ca", join(wireCertsDir, "ca.pem"), "--now", String(sent + 5)]);
    assert.equal(report.kind, "request");
    assert.deepEqual(report.layers.body, JSON.parse(request.body));
    assert.equal(report.layers.inner?.envelope?.time, sent);
    assert.deepEqual(report.layers.secure?.pubcert?.[0].names, ["rip.mcollective"]);
    assert.deepEqual(Object.keys(report.checks), ["schema", "time", "chain", "callerid", "allowlist", "signature"]);
    for (const [name, check] of Object.entries(report.checks)) assert.equal(check.ok, true, `${name}: ${check.detail}`);
    assert.equal(exitCode, 0);
  });

  it("says the request expired when judged at today's clock, and checks the signature without a CA", async () => {
    const { report, exitCode } = await decode(request.payload, ["--now", String(sent + 3600)]);
    assert.equal(report.checks.time.ok, false);
    assert.match(report.checks.time.detail, /expired/);
    assert.equal(report.checks.signature.ok, true);
    assert.equal(report.checks.chain.ok, null);
    assert.equal(exitCode, 1);
  });

  it("verifies with a server config's CA and allow-list", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mcompat-wire-"));
    const cfg = join(dir, "server.cfg");
    writeFileSync(cfg, `identity = node1.example.net\nplugin.choria.ssldir = ${dir}\nplugin.choria.security.certname_whitelist = \\.example\\.net$\n`);
    const { report, exitCode } = await decode(request.payload, ["--config", cfg, "--ca", join(wireCertsDir, "ca.pem"), "--now", String(sent)]);
    assert.equal(report.checks.chain.ok, true);
    assert.equal(report.checks.allowlist.ok, false);
    assert.match(report.checks.allowlist.detail, /rip\.mcollective is not on the allow-list \(\\\.example\\\.net\$\)/);
    assert.equal(exitCode, 1);
    assert.ok(!existsSync(join(dir, "choria_security")), "inspection never writes the seen-caller cache");
  });

  it("checks a reply's hash", async () => {
    const { report, exitCode } = await decode(reply.payload);
    assert.equal(report.kind, "reply");
    assert.equal(report.checks.hash.ok, true);
    assert.equal(exitCode, 0);
  });

  it("reports where a damaged payload stops, with exit code 1", async () => {
    const { report, exitCode } = await decode(request.payload.slice(0, 500));
    assert.equal(report.kind, "unknown");
    assert.equal(report.stopped?.layer, "transport");
    assert.equal(exitCode, 1);
  });
});
