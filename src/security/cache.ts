/**
 * The legacy cache of seen caller certificates (`<ssldir>/choria_security/public_certs/<name>.pem`): the first
 * certificate seen for a name is kept, and a different one is only accepted when it is newer (the caller has
 * already checked that the CA signed it), so a stolen old certificate cannot displace a renewed one.
 */
import { X509Certificate } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { validity } from "./certs.js";
import { SecurityError } from "./errors.js";

export class CallerCertCache {
  private readonly known = new Map<string, string>();
  private readonly certDir: string;

  /** `dir` is the `choria_security` folder; `warn` hears about cache files that could not be written. */
  constructor(dir: string, private readonly warn: (msg: string) => void = () => {}) {
    this.certDir = join(dir, "public_certs");
  }

  /** Accepts `pem` (already verified against the CA) as the certificate of `name`, or throws SecurityError. */
  admit(name: string, pem: string, cert: X509Certificate): void {
    const cached = this.known.get(name) ?? this.readCached(name);
    if (cached !== undefined && sameCert(cached, pem)) {
      this.known.set(name, cached);
      return;
    }
    if (cached !== undefined && validity(cert).from <= issuedAt(cached)) {
      const file = this.fileFor(name);
      throw new SecurityError(
        `certificate presented for ${name} differs from the one cached in ${file} and is not newer; ` +
          `if the CA or this certificate was regenerated on purpose, remove ${file}`,
        "cache",
      );
    }
    this.known.set(name, pem);
    this.store(name, pem);
  }

  private readCached(name: string): string | undefined {
    try {
      return readFileSync(this.fileFor(name), "utf8");
    } catch {
      return undefined;
    }
  }

  private store(name: string, pem: string): void {
    try {
      mkdirSync(this.certDir, { recursive: true, mode: 0o755 });
      writeFileSync(this.fileFor(name), pem.endsWith("\n") ? pem : `${pem}\n`, { mode: 0o644 });
    } catch (err) {
      this.warn(`could not cache the certificate of ${name} in ${this.certDir}: ${(err as Error).message}`);
    }
  }

  private fileFor(name: string): string {
    return join(this.certDir, `${name}.pem`);
  }
}

/** notBefore of a cached PEM; an unreadable cache file counts as infinitely old so a verified cert replaces it. */
function issuedAt(pem: string): number {
  try {
    return validity(new X509Certificate(pem)).from;
  } catch {
    return -Infinity;
  }
}

function sameCert(a: string, b: string): boolean {
  return a.trim() === b.trim();
}
