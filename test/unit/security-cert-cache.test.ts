import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Config } from "../../src/config/index.js";
import { loadSigner, MAX_PUBCERT_BYTES, RequestVerifier, SecurityError, verifierFromConfig, type Signer } from "../../src/security/index.js";
import { testCa, testCert } from "../helpers/pki.js";
import { signedRequest } from "../helpers/signed.js";

async function signerFor(name: string): Promise<Signer> {
  return loadSigner({ certname: name, ...(await testCert(name)) });
}

const refusedAs = (check: string, words: RegExp) => (err: unknown) => err instanceof SecurityError && err.check === check && words.test(err.message);

describe("security: the caller certificate cache is bounded and holds only callers that verified", () => {
  let ca: string;
  before(async () => {
    ca = readFileSync((await testCa()).caCert, "utf8");
  });

  it("refuses a pubcert over 64 KiB before parsing it", async () => {
    const verifier = new RequestVerifier({ caPem: ca });
    const req = signedRequest(await signerFor("alice.mcollective"));
    const padded = `${req.pubcert}\n${"x".repeat(MAX_PUBCERT_BYTES)}`;
    assert.throws(() => verifier.verify({ ...req, pubcert: padded }), refusedAs("certificate", /pubcert\) is \d+ bytes, more than the 65536 allowed/));
    assert.throws(() => verifier.verify({ ...req, pubcert: "-".repeat(MAX_PUBCERT_BYTES + 1) }), refusedAs("certificate", /more than the 65536 allowed/));
    assert.equal(verifier.verify(req).certname, "alice.mcollective");
  });

  it("keeps no certificate of a request that failed, and one of a request that verified", async () => {
    const verifier = new RequestVerifier({ caPem: ca });
    const alice = signedRequest(await signerFor("alice.mcollective"));
    const bob = signedRequest(await signerFor("bob.mcollective"));
    assert.throws(() => verifier.verify({ ...alice, signature: bob.signature }), refusedAs("signature", /does not verify/));
    assert.throws(() => verifier.verify({ ...alice, pubcert: bob.pubcert }), SecurityError);
    assert.throws(() => new RequestVerifier({ caPem: ca, allowlist: [/^nobody$/] }).verify(alice), refusedAs("allowlist", /not on the allow-list/));
    assert.deepEqual(verifier.cacheStats(), { certificates: 0, bytes: 0 });
    verifier.verify(alice);
    verifier.verify(signedRequest(await signerFor("alice.mcollective")));
    assert.equal(verifier.cacheStats().certificates, 1);
  });

  it("holds at most its byte bound and still verifies every caller", async () => {
    const signers = await Promise.all(["c1", "c2", "c3", "c4", "c5"].map((n) => signerFor(`${n}.mcollective`)));
    const probe = new RequestVerifier({ caPem: ca });
    probe.verify(signedRequest(signers[0]));
    const oneCert = probe.cacheStats().bytes;
    const verifier = new RequestVerifier({ caPem: ca, maxCachedBytes: Math.floor(oneCert * 3.5) });
    for (let round = 0; round < 3; round++) {
      for (const signer of signers) assert.equal(verifier.verify(signedRequest(signer)).certname, signer.callerid.slice("choria=".length));
    }
    const { certificates, bytes } = verifier.cacheStats();
    assert.equal(certificates, 3);
    assert.ok(bytes <= oneCert * 3.5, `${bytes} bytes cached`);
  });
});

describe("security: configured allow-list patterns run in linear time on the name a caller chose", () => {
  it("answers a pattern that backtracks exponentially, against a 5,000-character callerid, as not allowed", async () => {
    const files = await testCert("alice.mcollective");
    const config = Config.fromText("plugin.choria.security.certname_whitelist = ^(a|a)*$\n");
    const verifier = verifierFromConfig(config, { certname: "alice.mcollective", ...files });
    const req = signedRequest(loadSigner({ certname: "alice.mcollective", ...files }), `choria=${"a".repeat(5000)}x`);
    assert.throws(() => verifier.verify(req), SecurityError);
    assert.equal(verifier.assess(req).checks.find((c) => c.check === "allowlist")?.ok, false);
  });

  it("refuses a backreference, as Go's regexp does, naming the key", async () => {
    const files = await testCert("alice.mcollective");
    const config = Config.fromText("plugin.choria.security.privileged_users = ^(\\w+)\\1$\n");
    assert.throws(() => verifierFromConfig(config, { certname: "alice.mcollective", ...files }), /privileged_users: .* is not a valid regular expression/);
  });
});

