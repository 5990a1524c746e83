/** Parsing PEM certificates once and reading what verification needs from them: names, validity, issuer checks. */
import { X509Certificate } from "node:crypto";
import { SecurityError } from "./errors.js";

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;
const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

/** Every certificate in a PEM text, in order (a leaf followed by intermediates, or a CA bundle). */
export function parsePemChain(pem: string, what: string): X509Certificate[] {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw new SecurityError(`${what} contains no PEM certificate`, "certificate");
  return blocks.map((block) => {
    try {
      return new X509Certificate(block);
    } catch (err) {
      throw new SecurityError(`${what} has a certificate that cannot be parsed: ${(err as Error).message}`, "certificate");
    }
  });
}

/** The subject's common name, or undefined. */
export function commonName(cert: X509Certificate): string | undefined {
  return cert.subject.split("\n").find((line) => line.startsWith("CN="))?.slice(3);
}

/** The CN followed by the DNS subject alternative names: the names a certificate may act as. */
export function certNames(cert: X509Certificate): string[] {
  const sans = (cert.subjectAltName ?? "")
    .split(", ")
    .filter((entry) => entry.startsWith("DNS:"))
    .map((entry) => entry.slice(4));
  const cn = commonName(cert);
  return [...new Set(cn === undefined ? sans : [cn, ...sans])];
}

/** Unix seconds from a certificate's notBefore / notAfter text. */
export function validity(cert: X509Certificate): { from: number; to: number } {
  return { from: Date.parse(cert.validFrom) / 1000, to: Date.parse(cert.validTo) / 1000 };
}

/** True when the certificate may be used by a client: no EKU at all, or an EKU that includes clientAuth. */
export function allowsClientAuth(cert: X509Certificate): boolean {
  const eku = cert.keyUsage;
  return eku === undefined || eku.length === 0 || eku.includes(CLIENT_AUTH);
}

/**
 * Finds a path from `leaf` through `intermediates` to one of `roots`, each link checked by issuer name and signature.
 * Returns the certificates of the path (leaf first) or throws SecurityError saying where the chain broke.
 */
export function chainToRoots(leaf: X509Certificate, intermediates: X509Certificate[], roots: X509Certificate[], name: string): X509Certificate[] {
  const path = [leaf];
  let current = leaf;
  for (let depth = 0; depth <= intermediates.length; depth++) {
    const root = roots.find((ca) => issuedBy(current, ca));
    if (root) return [...path, root];
    const next = intermediates.find((ca) => !path.includes(ca) && issuedBy(current, ca));
    if (!next) break;
    path.push(next);
    current = next;
  }
  throw new SecurityError(
    `certificate ${name} (issuer ${current.issuer.replaceAll("\n", ", ")}) is not signed by the configured CA`,
    "chain",
  );
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

/** What an operator wants to know about a certificate, for display. */
export function describeCert(cert: X509Certificate): Record<string, unknown> {
  return {
    subject: cert.subject.replaceAll("\n", ", "),
    issuer: cert.issuer.replaceAll("\n", ", "),
    names: certNames(cert),
    validFrom: new Date(cert.validFrom).toISOString(),
    validTo: new Date(cert.validTo).toISOString(),
    fingerprint256: cert.fingerprint256,
  };
}
