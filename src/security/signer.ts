/** Signing requests with the caller's RSA key: PKCS#1 v1.5 over SHA-256 of the exact L3 text. */
import { createPrivateKey, sign, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { parsePemChain } from "./certs.js";
import { SecurityError } from "./errors.js";
import type { TlsFiles } from "./files.js";

/** A caller's signing identity. */
export interface Signer {
  certname: string;
  /** `choria=<certname>` */
  callerid: string;
  /** The certificate PEM as sent in requests, trailing newline removed (as Ruby's `chomp`). */
  pubcert: string;
  sign(l3: string): { signature: string; pubcert: string };
}

/** Reads the caller's certificate and key (PKCS#1 or PKCS#8 PEM) and checks they belong together. */
export function loadSigner(files: TlsFiles): Signer {
  const certPem = readPem(files.cert, "certificate");
  const keyPem = readPem(files.key, "private key");
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw new SecurityError(`private key ${files.key} cannot be read: ${(err as Error).message}`, "key");
  }
  if (key.asymmetricKeyType !== "rsa") {
    throw new SecurityError(`private key ${files.key} is ${key.asymmetricKeyType}, but Choria protocol v1 signs with RSA`, "key");
  }
  const [leaf] = parsePemChain(certPem, `certificate ${files.cert}`);
  if (!leaf.checkPrivateKey(key)) {
    throw new SecurityError(`private key ${files.key} does not belong to certificate ${files.cert}`, "key");
  }
  return signerFromKey(files.certname, certPem, key);
}

/** A signer from an already loaded key and certificate text. */
function signerFromKey(certname: string, certPem: string, key: KeyObject): Signer {
  const pubcert = certPem.replace(/\r?\n$/, "");
  return {
    certname,
    callerid: `choria=${certname}`,
    pubcert,
    sign: (l3) => ({ signature: sign("sha256", Buffer.from(l3), key).toString("base64"), pubcert }),
  };
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : (err as Error).message;
    throw new SecurityError(`${what} ${file} ${reason}; check the certname and the ssldir or plugin.security.file.* settings`, "files");
  }
}
