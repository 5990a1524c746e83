import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Config } from "../../src/config/index.js";
import {
  CallerCertCache,
  issueCert,
  loadSigner,
  RequestVerifier,
  SecurityError,
  verifierFromConfig,
} from "../../src/security/index.js";
import { wireCertsDir } from "../helpers/golden.js";
import { testCa, testCert } from "../helpers/pki.js";
import { signedRequest as request } from "../helpers/signed.js";

const goldenRip = readFileSync(join(wireCertsDir, "rip.mcollective.pem"), "utf8");

/** A second certificate for `name` from the run's CA, issued after any earlier one, in its own folder. */
async function anotherCert(name: string): Promise<{ cert: string; key: string; ca: string }> {
  const ca = await testCa();
  const dir = mkdtempSync(join(tmpdir(), "mcompat-reissue-"));
  for (const sub of ["ca", "certs", "private_keys"]) mkdirSync(join(dir, sub));
  return { ...(await issueCert({ ...ca, ssldir: dir }, name)), ca: ca.caCert };
}

function cached(dir: string, name: string): string {
  return readFileSync(join(dir, "public_certs", `${name}.pem`), "utf8");
}

describe("security: seen-caller certificate cache", () => {
  it("keeps the first certificate seen for a name and accepts it again", async () => {
    const files = await testCert("carol.mcollective");
    const dir = mkdtempSync(join(tmpdir(), "mcompat-cache-"));
    const verifier = new RequestVerifier({ caPem: readFileSync(files.ca, "utf8"), cacheDir: dir });
    const signer = loadSigner({ certname: "carol.mcollective", ...files });
    verifier.verify(request(signer));
    assert.equal(cached(dir, "carol.mcollective").trim(), readFileSync(files.cert, "utf8").trim());
    assert.equal(verifier.verify(request(signer)).certname, "carol.mcollective");
  });

  it("does not let an older or same-age certificate replace the cached one, even from the right CA", async () => {
    const older = await anotherCert("dave.mcollective");
    const newer = await anotherCert("dave.mcollective");
    const dir = mkdtempSync(join(tmpdir(), "mcompat-cache-"));
    mkdirSync(join(dir, "public_certs"));
    writeFileSync(join(dir, "public_certs", "dave.mcollective.pem"), readFileSync(newer.cert));
    const verifier = new RequestVerifier({ caPem: readFileSync(older.ca, "utf8"), cacheDir: dir });
    const req = request(loadSigner({ certname: "dave.mcollective", ...older }));
    assert.throws(
      () => verifier.verify(req),
      (e: unknown) => e instanceof SecurityError && e.check === "cache" && /differs from the one cached in .*dave\.mcollective\.pem and is not newer/.test(e.message),
    );
    assert.equal(cached(dir, "dave.mcollective"), readFileSync(newer.cert, "utf8"));
  });

  it("lets a newer CA-signed certificate replace a cached older one", async () => {
    const files = await testCert("erin.mcollective");
    const dir = mkdtempSync(join(tmpdir(), "mcompat-cache-"));
    mkdirSync(join(dir, "public_certs"));
    writeFileSync(join(dir, "public_certs", "erin.mcollective.pem"), goldenRip);
    const verifier = new RequestVerifier({ caPem: readFileSync(files.ca, "utf8"), cacheDir: dir });
    verifier.verify(request(loadSigner({ certname: "erin.mcollective", ...files })));
    assert.equal(cached(dir, "erin.mcollective").trim(), readFileSync(files.cert, "utf8").trim());
  });

  it("never caches a certificate that failed verification, and assess() caches nothing", async () => {
    const files = await testCert("frank.mcollective");
    const dir = mkdtempSync(join(tmpdir(), "mcompat-cache-"));
    const signer = loadSigner({ certname: "frank.mcollective", ...files });
    const wrongCa = new RequestVerifier({ caPem: readFileSync(join(wireCertsDir, "ca.pem"), "utf8"), cacheDir: dir });
    assert.throws(() => wrongCa.verify(request(signer)), SecurityError);
    const rightCa = new RequestVerifier({ caPem: readFileSync(files.ca, "utf8"), cacheDir: dir });
    const report = rightCa.assess(request(signer));
    assert.ok(report.checks.every((c) => c.ok));
    assert.ok(!existsSync(join(dir, "public_certs", "frank.mcollective.pem")));
  });

  it("treats an unreadable cache file as replaceable and warns when the folder cannot be written", () => {
    const dir = mkdtempSync(join(tmpdir(), "mcompat-cache-"));
    mkdirSync(join(dir, "public_certs"));
    writeFileSync(join(dir, "public_certs", "x.pem"), "garbage");
    const cert = new X509Certificate(goldenRip);
    new CallerCertCache(dir).admit("x", goldenRip, cert);
    assert.equal(cached(dir, "x"), goldenRip);
    const warnings: string[] = [];
    writeFileSync(join(dir, "blocker"), "a file where the cache folder should be");
    new CallerCertCache(join(dir, "blocker"), (w) => warnings.push(w)).admit("x", goldenRip, cert);
    assert.match(warnings[0] ?? "", /could not cache the certificate of x/);
  });
});

describe("security: verifier from configuration", () => {
  it("uses the configured allow-list and privileged patterns and caches under <ssldir>/choria_security", async () => {
    const files = await testCert("web2.example.net");
    const ssl = mkdtempSync(join(tmpdir(), "mcompat-ssl-"));
    const config = Config.fromText(
      `plugin.choria.ssldir = ${ssl}\nplugin.choria.security.certname_whitelist = /\\.example\\.net$/, \\.mcollective$\nplugin.choria.security.privileged_users = ^root\\.admin$\n`,
    );
    const verifier = verifierFromConfig(config, { certname: "web2.example.net", ...files });
    assert.equal(verifier.verify(request(loadSigner({ certname: "web2.example.net", ...files }))).certname, "web2.example.net");
    assert.ok(existsSync(join(ssl, "choria_security", "public_certs", "web2.example.net.pem")));
  });

  it("names the key of a pattern that is not a regular expression, and a CA file that is missing", async () => {
    const files = await testCert("web2.example.net");
    const bad = Config.fromText("plugin.choria.security.certname_whitelist = (unclosed\n");
    assert.throws(() => verifierFromConfig(bad, { certname: "x", ...files }), /certname_whitelist: "\(unclosed" is not a valid regular expression/);
    assert.throws(() => verifierFromConfig(Config.fromText(""), { ...files, certname: "x", ca: "/nope/ca.pem" }), /CA certificate \/nope\/ca\.pem cannot be read/);
  });
});
