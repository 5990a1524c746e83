/**
 * Server-side request verification: the caller's certificate chains to the CA, the callerid names the
 * certificate (or the certificate is privileged), the name is on the allow-list, and the signature is good.
 */
import type { KeyObject, X509Certificate } from "node:crypto";
import { verify as verifySignature } from "node:crypto";
import type { DecodedRequest } from "../protocol/index.js";
import { decodeBase64, ProtocolError } from "../protocol/index.js";
import { CallerCertCache } from "./cache.js";
import { allowsClientAuth, certNames, chainToRoots, parsePemChain, validity } from "./certs.js";
import { SecurityError, type SecurityCheck } from "./errors.js";

/** Who sent a verified request. */
export interface VerifiedCaller {
  callerid: string;
  /** The name in the callerid (`choria=<certname>`). */
  certname: string;
  /** The certificate matched a privileged pattern, so it may act for any callerid. */
  privileged: boolean;
}

/** The result of one check, passed or failed, for tools that show every check. */
export interface CheckResult {
  check: SecurityCheck;
  ok: boolean;
  detail: string;
}

export interface VerifierOptions {
  /** PEM of the CA (a bundle may hold several certificates). */
  caPem: string;
  /** Names allowed to call; default `\.mcollective$`, `\.choria$`. */
  allowlist?: NamePattern[];
  /** Certificate names that may act for others; default `\.privileged.mcollective$`, `\.privileged.choria$`. */
  privileged?: NamePattern[];
  /** Folder of the seen-caller certificate cache (legacy `<ssldir>/choria_security`); no cache when omitted. */
  cacheDir?: string;
  /** Hears about problems that do not reject a request (a cache file that could not be written). */
  warn?: (msg: string) => void;
  /** How many bytes of parsed caller certificates to keep in memory (default 8 MiB). */
  maxCachedBytes?: number;
}

/** A caller certificate (with its chain) larger than this is refused unread: real ones are a few KiB. */
export const MAX_PUBCERT_BYTES = 64 * 1024;

/** A pattern for certificate names: a RegExp, or the linear-time kind `verifierFromConfig` compiles. */
export interface NamePattern {
  test(text: string): boolean;
  readonly source: string;
}

export const DEFAULT_ALLOWLIST = [/\.mcollective$/, /\.choria$/];
export const DEFAULT_PRIVILEGED = [/\.privileged.mcollective$/, /\.privileged.choria$/];

const CALLERID = /^[a-z]+=([\w.-]+)$/;

/** What a caller certificate PEM tells us, worked out once per distinct PEM text. */
interface ParsedCaller {
  leaf: X509Certificate;
  publicKey: KeyObject;
  names: string[];
  /** Validity window of every certificate on the path to the CA, intersected. */
  from: number;
  to: number;
  chainError?: SecurityError;
  /** The passing chain result, built once. */
  chainOk: CheckResult;
}

export class RequestVerifier {
  private readonly roots: X509Certificate[];
  private readonly allowlist: NamePattern[];
  private readonly privileged: NamePattern[];
  /** Certificates of requests that verified, by PEM text, oldest use first; only key holders can add to it. */
  private readonly parsed = new Map<string, ParsedCaller>();
  private parsedBytes = 0;
  private readonly maxCachedBytes: number;
  private readonly cache?: CallerCertCache;

  constructor(opts: VerifierOptions) {
    this.roots = parsePemChain(opts.caPem, "CA file");
    this.allowlist = opts.allowlist ?? DEFAULT_ALLOWLIST;
    this.privileged = opts.privileged ?? DEFAULT_PRIVILEGED;
    this.maxCachedBytes = opts.maxCachedBytes ?? 8 * 1024 * 1024;
    if (opts.cacheDir) this.cache = new CallerCertCache(opts.cacheDir, opts.warn);
  }

  /** Verifies a decoded request at `now` (unix seconds) and names its caller; throws SecurityError on the first failed check. */
  verify(req: DecodedRequest, now = Date.now() / 1000): VerifiedCaller {
    const { checks, caller, cert } = this.run(req, now);
    const failed = checks.find((c) => !c.ok);
    if (failed || !caller || !cert) throw new SecurityError(failed?.detail ?? "request could not be verified", failed?.check);
    this.remember(req.pubcert, cert);
    this.cache?.admit(caller.privileged ? cert.names[0] : caller.certname, req.pubcert, cert.leaf);
    return caller;
  }

  /** What the in-memory certificate cache holds. */
  cacheStats(): { certificates: number; bytes: number } {
    return { certificates: this.parsed.size, bytes: this.parsedBytes };
  }

  /** Runs every check and reports each one, without throwing or touching the seen-caller cache (for `mcompat wire decode`). */
  assess(req: DecodedRequest, now = Date.now() / 1000): { checks: CheckResult[]; caller?: VerifiedCaller } {
    const { checks, caller } = this.run(req, now);
    return { checks, caller };
  }

  private run(req: DecodedRequest, now: number): { checks: CheckResult[]; caller?: VerifiedCaller; cert?: ParsedCaller } {
    let cert: ParsedCaller;
    try {
      cert = this.parseCaller(req.pubcert);
    } catch (err) {
      return { checks: [fail(err as Error, "certificate")] };
    }
    const certLabel = cert.names[0] ?? "(no name)";
    const checks: CheckResult[] = [this.checkChain(cert, certLabel, now)];
    const match = CALLERID.exec(req.envelope.callerid);
    const certname = match?.[1] ?? "";
    const privileged = cert.names.some((n) => this.privileged.some((re) => re.test(n)));
    checks.push(checkCallerid(req.envelope.callerid, certname, cert.names, privileged, certLabel));
    checks.push(this.checkAllowlist(certname, privileged));
    checks.push(checkSignature(req, cert.publicKey, certLabel));
    return { checks, caller: { callerid: req.envelope.callerid, certname, privileged }, cert };
  }

  private checkChain(cert: ParsedCaller, label: string, now: number): CheckResult {
    if (cert.chainError) return fail(cert.chainError, "chain");
    if (now < cert.from) return { check: "chain", ok: false, detail: `certificate ${label} is not valid until ${iso(cert.from)}` };
    if (now > cert.to) return { check: "chain", ok: false, detail: `certificate ${label} expired at ${iso(cert.to)}` };
    return cert.chainOk;
  }

  private checkAllowlist(certname: string, privileged: boolean): CheckResult {
    if (privileged) return { check: "allowlist", ok: true, detail: "privileged certificate, allow-list does not apply" };
    if (this.allowlist.some((re) => re.test(certname))) return { check: "allowlist", ok: true, detail: `${certname} is on the allow-list` };
    return {
      check: "allowlist",
      ok: false,
      detail: `caller ${certname || "(none)"} is not on the allow-list (${this.allowlist.map((re) => re.source).join(", ")})`,
    };
  }

  /** Parses and chain-checks a caller PEM, or reuses the result for a PEM text that verified before. */
  private parseCaller(pem: string): ParsedCaller {
    const known = this.parsed.get(pem);
    if (known) {
      this.parsed.delete(pem);
      this.parsed.set(pem, known);
      return known;
    }
    const size = Buffer.byteLength(pem);
    if (size > MAX_PUBCERT_BYTES) throw new SecurityError(`caller certificate (pubcert) is ${size} bytes, more than the ${MAX_PUBCERT_BYTES} allowed`, "certificate");
    const [leaf, ...intermediates] = parsePemChain(pem, "caller certificate (pubcert)");
    const names = certNames(leaf);
    const label = names[0] ?? "(no name)";
    const parsed: ParsedCaller = { leaf, publicKey: leaf.publicKey, names, ...validity(leaf), chainOk: { check: "chain", ok: true, detail: "" } };
    try {
      const path = chainToRoots(leaf, intermediates.filter((c) => c.ca), this.roots, label);
      for (const c of path) {
        const v = validity(c);
        parsed.from = Math.max(parsed.from, v.from);
        parsed.to = Math.min(parsed.to, v.to);
      }
      if (!allowsClientAuth(leaf)) throw new SecurityError(`certificate ${label} is not allowed for client authentication (extended key usage)`, "chain");
      parsed.chainOk.detail = `certificate ${label} is signed by the CA and valid until ${iso(parsed.to)}`;
    } catch (err) {
      parsed.chainError = err as SecurityError;
    }
    return parsed;
  }

  /** Keeps a verified caller's certificate, dropping the least recently used beyond the byte bound. */
  private remember(pem: string, cert: ParsedCaller): void {
    if (this.parsed.has(pem)) return;
    this.parsed.set(pem, cert);
    this.parsedBytes += cachedSize(pem);
    for (const [old] of this.parsed) {
      if (this.parsedBytes <= this.maxCachedBytes) break;
      this.parsed.delete(old);
      this.parsedBytes -= cachedSize(old);
    }
  }
}

// The PEM text, and its parsed certificates and key, taken to be about as large again.
const cachedSize = (pem: string) => 2 * pem.length;

function checkCallerid(callerid: string, certname: string, names: string[], privileged: boolean, label: string): CheckResult {
  if (!certname) return { check: "callerid", ok: false, detail: `callerid ${JSON.stringify(callerid)} is not of the form choria=<certname>` };
  if (privileged) return { check: "callerid", ok: true, detail: `privileged certificate ${label} may act as ${callerid}` };
  if (names.includes(certname)) return { check: "callerid", ok: true, detail: `callerid ${callerid} matches certificate ${label}` };
  return {
    check: "callerid",
    ok: false,
    detail: `callerid ${callerid} does not match the certificate it was sent with (names: ${names.join(", ") || "none"})`,
  };
}

/** Checks only that the request was signed by the key of the certificate it carries (no CA, no names). */
export function selfSignatureCheck(req: DecodedRequest): CheckResult {
  try {
    const [leaf] = parsePemChain(req.pubcert, "caller certificate (pubcert)");
    return checkSignature(req, leaf.publicKey, certNames(leaf)[0] ?? "(no name)");
  } catch (err) {
    return fail(err as Error, "signature");
  }
}

function checkSignature(req: DecodedRequest, key: KeyObject, label: string): CheckResult {
  let signature: Buffer;
  try {
    signature = decodeBase64(req.signature, "request signature");
  } catch (err) {
    if (err instanceof ProtocolError) return { check: "signature", ok: false, detail: err.message };
    throw err;
  }
  let good = false;
  try {
    good = verifySignature("sha256", Buffer.from(req.l3), key, signature);
  } catch {
    good = false;
  }
  return good
    ? { check: "signature", ok: true, detail: `signature made by ${label}'s key` }
    : { check: "signature", ok: false, detail: `signature of request ${req.envelope.requestid} does not verify with the key of certificate ${label}` };
}

function fail(err: Error, check: SecurityCheck): CheckResult {
  return { check: err instanceof SecurityError ? err.check : check, ok: false, detail: err.message };
}

function iso(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString();
}
