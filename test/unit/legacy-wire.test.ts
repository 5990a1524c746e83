import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { Config } from "../../src/config/index.js";
import { findLegacyBody, inspectLegacy, readOuter, readRequestEnvelope, writeRequestEnvelope } from "../../src/legacy/index.js";

const dir = join(process.cwd(), "fixtures", "wire-legacy");
const mcompat = join(process.cwd(), "bin", "mcompat");
const keys = join(dir, "keys");
const configs = {
  psk: Config.fromText("plugin.psk = legacy-peer-secret\n"),
  ssl: Config.fromText(`plugin.ssl_client_cert_dir = ${keys}\nplugin.ssl_server_public = ${join(keys, "server-public.pem")}\n`),
};

interface Frame {
  file: string;
  command: string;
  body: Buffer;
  frame: Buffer;
}

const frames: Frame[] = readdirSync(dir)
  .filter((f) => f.endsWith(".jsonl"))
  .flatMap((file) =>
    readFileSync(join(dir, file), "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as { command: string; body_b64: string; frame_b64: string })
      .filter((f) => f.command === "SEND" || f.command === "MESSAGE")
      .map((f) => ({ file, command: f.command, body: Buffer.from(f.body_b64, "base64"), frame: Buffer.from(f.frame_b64, "base64") })),
  );

/** When a request or reply was sent (the envelope layer is tested in legacy-codecs). */
const sentAt = (body: Buffer) => readOuter(body).sym("msgtime") as number;

describe("legacy wire decode: finding the body", () => {
  it("takes every golden frame as raw Marshal, a whole STOMP frame, or base64 of either", () => {
    assert.ok(frames.length >= 60);
    for (const f of frames) {
      for (const [input, form] of [
        [f.body, "Marshal body"],
        [f.frame, `STOMP ${f.command} frame`],
        [Buffer.from(f.body.toString("base64")), "base64 of Marshal body"],
        [Buffer.from(f.frame.toString("base64").replace(/.{76}/g, "$&\n")), `base64 of STOMP ${f.command} frame`],
      ] as const) {
        const found = findLegacyBody(input);
        assert.ok(found, `${f.file} as ${form}`);
        assert.equal(found.form, form);
        assert.deepEqual(Buffer.from(found.body), f.body, `${f.file} as ${form}`);
      }
    }
  });

  it("shows STOMP 1.1 headers unescaped and reads the body by content-length, NULs included", () => {
    const frame = Buffer.concat([Buffer.from("MESSAGE\nmessage-id:ID\\cvm-1\\c2\nsubscription:a\\\\b\ncontent-length:5\n\n"), Buffer.from("04085b0000", "hex"), Buffer.from([0])]);
    const found = findLegacyBody(frame)!;
    assert.deepEqual(found.stomp?.headers, { "message-id": "ID:vm-1:2", subscription: "a\\b", "content-length": "5" });
    assert.deepEqual(Buffer.from(found.body), Buffer.from("04085b0000", "hex"));
  });

  it("leaves Choria JSON and anything else to the NATS decoder", () => {
    assert.equal(findLegacyBody(Buffer.from('{"protocol":"choria:transport:1"}')), undefined);
    assert.equal(findLegacyBody(Buffer.from("hello world")), undefined);
  });
});

describe("legacy wire decode: checks", () => {
  it("names the plugin and passes every check of every golden frame with the keys", () => {
    for (const f of frames) {
      const plugin = /-ssl-/.test(f.file) ? "ssl" : "psk";
      const report = inspectLegacy(findLegacyBody(f.frame)!, { now: sentAt(f.body), config: configs[plugin], env: {} });
      assert.equal(report.plugin, plugin, f.file);
      const expected = report.kind === "request" ? ["envelope", plugin === "psk" ? "hash" : "signature", "payload", ...(plugin === "ssl" ? ["signed_ttl"] : []), "callerid", "ttl"] : ["envelope", plugin === "psk" ? "hash" : "signature", "payload"];
      assert.deepEqual(Object.keys(report.checks), expected, f.file);
      for (const [name, check] of Object.entries(report.checks)) assert.equal(check.ok, true, `${f.file} ${name}: ${check.detail}`);
      assert.equal(report.stopped, undefined);
    }
  });

  it("reads an ssl YAML body, as Ruby's Psych wrote it, and passes its checks", () => {
    const yamlDir = join(dir, "yaml");
    const found = findLegacyBody(readFileSync(join(yamlDir, "request.yaml")))!;
    const report = inspectLegacy(found, { now: 1795948013, config: Config.fromText(`plugin.ssl_client_cert_dir = ${yamlDir}\n`), env: {} });
    assert.deepEqual([found.form, report.plugin, report.kind], ["YAML body", "ssl", "request"]);
    for (const [name, check] of Object.entries(report.checks)) assert.equal(check.ok, true, `${name}: ${check.detail}`);
  });

  it("opens an aes_security request with plugin.aes.client_cert_dir and runs its checks", () => {
    const aesDir = join(dir, "aes");
    const found = findLegacyBody(readFileSync(join(aesDir, "request.marshal")))!;
    const report = inspectLegacy(found, { now: 1795948013, config: Config.fromText(`plugin.aes.client_cert_dir = ${aesDir}\n`), env: {} });
    assert.equal(report.plugin, "aes_security");
    assert.deepEqual(Object.keys(report.checks), ["envelope", "decrypt", "payload", "encrypted_ttl", "callerid", "ttl"]);
    for (const [name, check] of Object.entries(report.checks)) assert.equal(check.ok, true, `${name}: ${check.detail}`);
    const closed = inspectLegacy(found, { now: 1795948013, env: {} });
    assert.deepEqual([closed.checks.decrypt.ok, closed.stopped], [null, "the payload is encrypted and cannot be opened here"]);
  });

  it("cannot check a hash or signature without the psk or keys, and says how to give them", () => {
    const psk = frames.find((f) => f.file.startsWith("01"))!;
    assert.deepEqual(inspectLegacy(findLegacyBody(psk.body)!, { now: sentAt(psk.body), env: {} }).checks.hash, { ok: null, detail: "not checked: give --config FILE with plugin.psk, or set MCOLLECTIVE_PSK" });
    const ssl = frames.find((f) => f.file.startsWith("06"))!;
    assert.equal(inspectLegacy(findLegacyBody(ssl.body)!, { now: sentAt(ssl.body), env: {} }).checks.signature.ok, null);
  });

  it("fails the hash of a tampered body, the ttl of an old one, and stops at a foreign type", () => {
    const psk = frames.find((f) => f.file.startsWith("02") && f.command === "SEND")!;
    const env = readRequestEnvelope(readOuter(psk.body));
    const tampered = writeRequestEnvelope({ ...env, body: Buffer.from(env.body).fill(0x46, env.body.length - 1) });
    const report = inspectLegacy(findLegacyBody(tampered)!, { now: env.msgtime + 61, config: configs.psk, env: {} });
    assert.equal(report.checks.hash.ok, false);
    assert.match(report.checks.ttl.detail, /expired: sent 61s ago/);
    const foreign = inspectLegacy({ body: Buffer.from("04086f3a08466f6f00", "hex"), form: "Marshal body" }, { now: 0 });
    assert.match(foreign.stopped!, /envelope cannot be read/);
    assert.match(foreign.checks.envelope.detail, /holds a Object/);
  });
});

describe("mcompat wire decode (the command) on legacy frames", () => {
  const work = mkdtempSync(join(tmpdir(), "mcompat-legacy-wire-"));
  writeFileSync(join(work, "psk.cfg"), "plugin.psk = legacy-peer-secret\n");

  it("a psk STOMP frame with --config: every check passes, exit 0", async () => {
    const f = frames.find((x) => x.file.startsWith("02") && x.command === "MESSAGE")!;
    const run = await execa(mcompat, ["wire", "decode", "--config", join(work, "psk.cfg"), "--now", String(sentAt(f.body))], { input: f.frame, reject: false });
    const report = JSON.parse(run.stdout) as { plugin: string; kind: string; stomp: { headers: Record<string, string> }; checks: Record<string, { ok: boolean }> };
    assert.deepEqual([report.plugin, report.kind, report.stomp.headers["mc_identity"]], ["psk", "request", "node1.example.net"]);
    assert.ok(Object.values(report.checks).every((c) => c.ok === true), run.stdout);
    assert.equal(run.exitCode, 0);
  });

  it("a base64 ssl body whose time is past: the ttl check fails, exit 1", async () => {
    const f = frames.find((x) => x.file.startsWith("07") && x.command === "SEND")!;
    const run = await execa(mcompat, ["wire", "decode", "--now", String(sentAt(f.body) + 600)], { input: f.body.toString("base64"), reject: false });
    const report = JSON.parse(run.stdout) as { plugin: string; checks: Record<string, { ok: boolean | null }> };
    assert.deepEqual([report.plugin, report.checks.signature.ok, report.checks.ttl.ok], ["ssl", null, false]);
    assert.equal(run.exitCode, 1);
  });
});
