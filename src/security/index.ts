/** Certificates, certnames, request signing and verification, the seen-caller cache, and the throwaway CA. */
export { certname, ssldir, tlsFiles } from "./files.js";
export type { TlsFiles, Role } from "./files.js";
export { makeCa, issueCert } from "./pki.js";
export type { ThrowawayCa } from "./pki.js";
export { SecurityError } from "./errors.js";
export type { SecurityCheck } from "./errors.js";
export { loadSigner, signerFromKey } from "./signer.js";
export type { Signer } from "./signer.js";
export { RequestVerifier, DEFAULT_ALLOWLIST, DEFAULT_PRIVILEGED, selfSignatureCheck } from "./verifier.js";
export type { VerifiedCaller, VerifierOptions, CheckResult } from "./verifier.js";
export { CallerCertCache } from "./cache.js";
export { verifierFromConfig, patterns } from "./config.js";
export { certNames, describeCert, parsePemChain } from "./certs.js";
