/**
 * RSA PKCS#1 v1.5 private decryption in JavaScript (node-forge), for aes_security replies only: Node's crypto refuses
 * this padding since CVE-2023-46809, and switching that protection off would weaken every other use in the process.
 * Loaded on first use, so nothing else pays for the library.
 */
import { createRequire } from "node:module";
import type * as Forge from "node-forge";

let forge: typeof Forge | undefined;
const keys = new Map<string, Forge.pki.rsa.PrivateKey>();

/** Opens `data` with the PEM private key; throws when the padding is not valid for this key. */
export function rsaPrivateDecrypt(pem: string, data: Uint8Array): Buffer {
  forge ??= createRequire(import.meta.url)("node-forge") as typeof Forge;
  let key = keys.get(pem);
  if (!key) keys.set(pem, (key = forge.pki.privateKeyFromPem(pem)));
  return Buffer.from(key.decrypt(Buffer.from(data).toString("binary"), "RSAES-PKCS1-V1_5"), "binary");
}
