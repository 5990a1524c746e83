/** A throwaway certificate authority in the Puppet ssldir layout, made with openssl, for tests and the quickstart. */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface ThrowawayCa {
  ssldir: string;
  caCert: string;
  caKey: string;
}

/** Creates (or reuses) a CA under `<ssldir>/ca` and publishes its cert as `<ssldir>/certs/ca.pem`. */
export async function makeCa(ssldir: string, subject = "mcompat Throwaway CA"): Promise<ThrowawayCa> {
  for (const sub of ["ca", "certs", "private_keys"]) mkdirSync(join(ssldir, sub), { recursive: true, mode: 0o750 });
  const caKey = join(ssldir, "ca", "ca_key.pem");
  const caCert = join(ssldir, "certs", "ca.pem");
  if (!existsSync(caCert)) {
    // Imported here: execa costs a client's start-up dearly and only the CA tooling needs it.
    const { execa } = await import("execa");
    await execa("openssl", ["genrsa", "-traditional", "-out", caKey, "2048"]);
    await execa("openssl", ["req", "-x509", "-new", "-key", caKey, "-sha256", "-days", "3650", "-subj", `/CN=${subject}`, "-out", caCert]);
  }
  return { ssldir, caCert, caKey };
}

/**
 * Issues `certs/<name>.pem` and `private_keys/<name>.pem` signed by the CA, with SAN DNS:<name> plus `altNames`
 * (IPs allowed) and EKU serverAuth+clientAuth, as the Choria certificates are; valid for `days` (-1: already expired).
 */
export async function issueCert(ca: ThrowawayCa, name: string, altNames: string[] = [], days = 3650): Promise<{ cert: string; key: string }> {
  const key = join(ca.ssldir, "private_keys", `${name}.pem`);
  const cert = join(ca.ssldir, "certs", `${name}.pem`);
  if (existsSync(cert) && existsSync(key)) return { cert, key };
  const csr = join(ca.ssldir, "ca", `${name}.csr`);
  const ext = join(ca.ssldir, "ca", `${name}.ext`);
  const sans = [name, ...altNames].map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`));
  writeFileSync(ext, `subjectAltName=${sans.join(",")}\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n`);
  const { execa } = await import("execa");
  await execa("openssl", ["genrsa", "-traditional", "-out", key, "2048"]);
  await execa("openssl", ["req", "-new", "-key", key, "-subj", `/CN=${name}`, "-out", csr]);
  await execa("openssl", ["x509", "-req", "-in", csr, "-CA", ca.caCert, "-CAkey", ca.caKey, "-set_serial", randomSerial(), "-days", String(days), "-sha256", "-extfile", ext, "-out", cert]);
  return { cert, key };
}

/** A random serial, so certificates issued side by side never share (and race on) a serial file. */
function randomSerial(): string {
  return `0x${randomBytes(16).toString("hex")}`;
}
