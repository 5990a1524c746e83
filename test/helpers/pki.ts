/** A throwaway CA and certificates for one test run, made once and shared by every test file. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { issueCert, makeCa, type ThrowawayCa } from "../../src/security/index.js";

let shared: Promise<ThrowawayCa> | undefined;

/** The run's CA under a temp ssldir; certificates issued with `testCert` land beside it. */
export function testCa(): Promise<ThrowawayCa> {
  shared ??= makeCa(mkdtempSync(join(tmpdir(), "mcompat-test-ssl-")), "mcompat Test CA");
  return shared;
}

/** Cert, key and CA paths for `name`, signed by the run's CA. */
export async function testCert(name: string, altNames: string[] = []): Promise<{ cert: string; key: string; ca: string }> {
  const ca = await testCa();
  const { cert, key } = await issueCert(ca, name, altNames);
  return { cert, key, ca: ca.caCert };
}

/** A certificate for `name` from the run's CA that expired a day ago. */
export async function expiredCert(name: string): Promise<{ cert: string; key: string; ca: string }> {
  const ca = await testCa();
  const { cert, key } = await issueCert(ca, name, [], -1);
  return { cert, key, ca: ca.caCert };
}

/** A certificate for `name` from a CA of its own, which nothing else in the run trusts. */
export async function foreignCert(name: string): Promise<{ cert: string; key: string; ca: string }> {
  const ca = await makeCa(mkdtempSync(join(tmpdir(), "mcompat-foreign-ssl-")), "Foreign CA");
  const { cert, key } = await issueCert(ca, name);
  return { cert, key, ca: ca.caCert };
}
