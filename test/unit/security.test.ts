import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { decodeRequest, encodeRequest } from "../../src/protocol/index.js";
import { loadSigner, RequestVerifier, SecurityError, type SecurityCheck, type Signer } from "../../src/security/index.js";
import { goldenMessages, wireCertsDir } from "../helpers/golden.js";
import { testCa, testCert } from "../helpers/pki.js";
import { signedRequest } from "../helpers/signed.js";

const goldenRequests = goldenMessages().filter((m) => m.reply !== null);
const goldenCa = readFileSync(join(wireCertsDir, "ca.pem"), "utf8");

function sentAt(l3: string): number {
  return (JSON.parse(l3) as { envelope: { time: number } }).envelope.time;
}

function failsCheck(fn: () => unknown, check: SecurityCheck, words: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SecurityError, `expected SecurityError, got ${String(err)}`);
    assert.equal(err.check, check, err.message);
    assert.match(err.message, words);
    return true;
  });
}

async function signerFor(name: string): Promise<Signer> {
  const files = await testCert(name);
  return loadSigner({ certname: name, ...files });
}

describe("security: golden requests", () => {
  const verifier = new RequestVerifier({ caPem: goldenCa });
  for (const m of goldenRequests) {
    it(`verifies the signature of the request in ${m.file} against the shared certs`, () => {
      const req = decodeRequest(m.payload, sentAt(m.l3));
      assert.deepEqual(verifier.verify(req, sentAt(m.l3)), { callerid: "choria=rip.mcollective", certname: "rip.mcollective", privileged: false });
    });
  }

  it("rejects a golden request whose signed text was altered by one byte", () => {
    const m = goldenRequests[1];
    const req = decodeRequest(m.payload, sentAt(m.l3));
    failsCheck(() => verifier.verify({ ...req, l3: req.l3.replace('"ttl":60', '"ttl":61') }, sentAt(m.l3)), "signature", /does not verify/);
  });
});

describe("security: signing and verifying our own requests", () => {
  let ca: string;
  before(async () => {
    ca = readFileSync((await testCa()).caCert, "utf8");
  });

  it("signs so that openssl verifies the signature independently", async () => {
    const files = await testCert("alice.mcollective");
    const signer = loadSigner({ certname: "alice.mcollective", ...files });
    const req = signedRequest(signer);
    const dir = mkdtempSync(join(tmpdir(), "mcompat-sig-"));
    writeFileSync(join(dir, "l3"), req.l3);
    writeFileSync(join(dir, "sig"), Buffer.from(req.signature, "base64"));
    const { stdout: pub } = await execa("openssl", ["x509", "-pubkey", "-noout", "-in", files.cert]);
    writeFileSync(join(dir, "pub.pem"), pub);
    const { stdout } = await execa("openssl", ["dgst", "-sha256", "-verify", join(dir, "pub.pem"), "-signature", join(dir, "sig"), join(dir, "l3")]);
    assert.equal(stdout.trim(), "Verified OK");
    assert.equal(req.pubcert, readFileSync(files.cert, "utf8").replace(/\n$/, ""));
  });

  it("builds a request with exactly the golden sample's structure", async () => {
    const signer = await signerFor("alice.mcollective");
    const m = goldenRequests[1];
    const ours = signedRequest(signer);
    const keysDeep = (v: unknown): unknown =>
      typeof v === "object" && v !== null && !Array.isArray(v) ? Object.entries(v).map(([k, x]) => [k, keysDeep(x)]) : typeof v;
    const layers = (payload: string, l3: string) => {
      const transport = JSON.parse(payload) as { data: string; headers: unknown };
      const secure = JSON.parse(Buffer.from(transport.data, "base64").toString()) as Record<string, unknown>;
      return [Object.keys(transport), transport.headers && Object.keys(transport.headers), Object.keys(secure), keysDeep(JSON.parse(l3))];
    };
    const ourPayload = encodeRequest({ ...ours, sign: () => ({ signature: ours.signature, pubcert: ours.pubcert }) });
    assert.deepEqual(layers(ourPayload, ours.l3), layers(m.payload, m.l3));
    assert.doesNotMatch(ours.signature, /\n/);
  });

  it("verifies our own request and names the caller", async () => {
    const verifier = new RequestVerifier({ caPem: ca });
    const caller = verifier.verify(signedRequest(await signerFor("alice.mcollective")));
    assert.deepEqual(caller, { callerid: "choria=alice.mcollective", certname: "alice.mcollective", privileged: false });
  });

  it("rejects a bad signature", async () => {
    const verifier = new RequestVerifier({ caPem: ca });
    const req = signedRequest(await signerFor("alice.mcollective"));
    const other = signedRequest(await signerFor("bob.mcollective"));
    failsCheck(() => verifier.verify({ ...req, signature: other.signature }), "signature", /does not verify with the key of certificate alice\.mcollective/);
    failsCheck(() => verifier.verify({ ...req, signature: "not base64!" }), "signature", /not valid base64/);
  });

  it("rejects a certificate from another CA", async () => {
    const verifier = new RequestVerifier({ caPem: goldenCa });
    const req = signedRequest(await signerFor("alice.mcollective"));
    failsCheck(() => verifier.verify(req), "chain", /alice\.mcollective .*not signed by the configured CA/);
  });

  it("rejects a callerid that does not match the certificate", async () => {
    const verifier = new RequestVerifier({ caPem: ca });
    const alice = await signerFor("alice.mcollective");
    failsCheck(() => verifier.verify(signedRequest(alice, "choria=bob.mcollective")), "callerid", /choria=bob\.mcollective does not match/);
    failsCheck(() => verifier.verify(signedRequest(alice, "alice.mcollective")), "callerid", /not of the form choria=<certname>/);
  });

  it("rejects a name that is not on the allow-list, default or configured", async () => {
    const hostSigner = await signerFor("web1.example.net");
    failsCheck(() => new RequestVerifier({ caPem: ca }).verify(signedRequest(hostSigner)), "allowlist", /web1\.example\.net is not on the allow-list/);
    const custom = new RequestVerifier({ caPem: ca, allowlist: [/\.example\.net$/] });
    assert.equal(custom.verify(signedRequest(hostSigner)).certname, "web1.example.net");
  });

  it("lets a privileged certificate act for another caller, but still checks its chain", async () => {
    const admin = await signerFor("ops.privileged.mcollective");
    const caller = new RequestVerifier({ caPem: ca }).verify(signedRequest(admin, "choria=alice.mcollective"));
    assert.deepEqual(caller, { callerid: "choria=alice.mcollective", certname: "alice.mcollective", privileged: true });
    failsCheck(() => new RequestVerifier({ caPem: goldenCa }).verify(signedRequest(admin, "choria=alice.mcollective")), "chain", /not signed/);
  });

  it("rejects a caller certificate outside its validity at the given time", async () => {
    const req = signedRequest(await signerFor("alice.mcollective"));
    failsCheck(() => new RequestVerifier({ caPem: ca }).verify(req, 1_000_000_000), "chain", /not valid until/);
  });

  it("says which file is missing and refuses a key that does not belong to the certificate", async () => {
    const alice = await testCert("alice.mcollective");
    const bob = await testCert("bob.mcollective");
    failsCheck(() => loadSigner({ certname: "x", cert: "/nonexistent/x.pem", key: alice.key, ca: alice.ca }), "files", /certificate \/nonexistent\/x\.pem does not exist/);
    failsCheck(() => loadSigner({ certname: "alice.mcollective", cert: alice.cert, key: bob.key, ca: alice.ca }), "key", /does not belong to certificate/);
  });

  it("reads a PKCS#8 key as well as a PKCS#1 one", async () => {
    const alice = await testCert("alice.mcollective");
    const pkcs8 = join(mkdtempSync(join(tmpdir(), "mcompat-key-")), "key.pem");
    await execa("openssl", ["pkcs8", "-topk8", "-nocrypt", "-in", alice.key, "-out", pkcs8]);
    assert.match(readFileSync(pkcs8, "utf8"), /BEGIN PRIVATE KEY/);
    const signer = loadSigner({ certname: "alice.mcollective", cert: alice.cert, key: pkcs8, ca: alice.ca });
    assert.equal(new RequestVerifier({ caPem: ca }).verify(signedRequest(signer)).certname, "alice.mcollective");
  });
});
