import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { loadSigner, RequestVerifier, SecurityError } from "../../src/security/index.js";
import { testCa } from "../helpers/pki.js";
import { signedRequest } from "../helpers/signed.js";

/** An intermediate CA under the run's CA, and a client certificate it issued; files in a fresh folder. */
async function intermediateChain(): Promise<{ dir: string; leaf: string; key: string; intermediate: string; root: string }> {
  const ca = await testCa();
  const dir = mkdtempSync(join(tmpdir(), "mcompat-chain-"));
  const f = (name: string) => join(dir, name);
  writeFileSync(f("int.ext"), "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n");
  writeFileSync(f("leaf.ext"), "subjectAltName=DNS:jack.mcollective\nextendedKeyUsage=clientAuth\n");
  const openssl = (...args: string[]) => execa("openssl", args);
  await openssl("genrsa", "-out", f("int.key"), "2048");
  await openssl("req", "-new", "-key", f("int.key"), "-subj", "/CN=mcompat Test Intermediate", "-out", f("int.csr"));
  await openssl("x509", "-req", "-in", f("int.csr"), "-CA", ca.caCert, "-CAkey", ca.caKey, "-CAcreateserial", "-days", "30", "-sha256", "-extfile", f("int.ext"), "-out", f("int.pem"));
  await openssl("genrsa", "-out", f("leaf.key"), "2048");
  await openssl("req", "-new", "-key", f("leaf.key"), "-subj", "/CN=jack.mcollective", "-out", f("leaf.csr"));
  await openssl("x509", "-req", "-in", f("leaf.csr"), "-CA", f("int.pem"), "-CAkey", f("int.key"), "-CAcreateserial", "-days", "30", "-sha256", "-extfile", f("leaf.ext"), "-out", f("leaf.pem"));
  return { dir, leaf: f("leaf.pem"), key: f("leaf.key"), intermediate: f("int.pem"), root: ca.caCert };
}

function requestWith(certFile: string, key: string) {
  return signedRequest(loadSigner({ certname: "jack.mcollective", cert: certFile, key, ca: "" }));
}

describe("security: certificate chains with an intermediate CA", () => {
  it("accepts a caller whose pubcert carries the intermediate after the leaf", async () => {
    const chain = await intermediateChain();
    const bundle = join(chain.dir, "bundle.pem");
    writeFileSync(bundle, readFileSync(chain.leaf, "utf8") + readFileSync(chain.intermediate, "utf8"));
    const verifier = new RequestVerifier({ caPem: readFileSync(chain.root, "utf8") });
    assert.equal(verifier.verify(requestWith(bundle, chain.key)).certname, "jack.mcollective");

    assert.throws(
      () => verifier.verify(requestWith(chain.leaf, chain.key)),
      (e: unknown) => e instanceof SecurityError && e.check === "chain" && /issuer CN=mcompat Test Intermediate/.test(e.message),
    );
    const viaBundle = new RequestVerifier({ caPem: readFileSync(chain.root, "utf8") + readFileSync(chain.intermediate, "utf8") });
    assert.equal(viaBundle.verify(requestWith(chain.leaf, chain.key)).certname, "jack.mcollective");
  });
});
