/** Certificates, certnames, request signing and verification, the seen-caller cache, and the throwaway CA. */
export { certname, ssldir, tlsFiles } from "./files.js";
export type { TlsFiles, Role } from "./files.js";
export { makeCa, issueCert } from "./pki.js";
export type { ThrowawayCa } from "./pki.js";
export { SecurityError } from "./errors.js";
export type { SecurityCheck } from "./errors.js";
export { loadSigner } from "./signer.js";
export type { Signer } from "./signer.js";
export { MAX_PUBCERT_BYTES, RequestVerifier, selfSignatureCheck } from "./verifier.js";
export type { VerifiedCaller, VerifierOptions, CheckResult, NamePattern } from "./verifier.js";
export { CallerCertCache } from "./cache.js";
export { verifierFromConfig } from "./config.js";
export { describeCert, parsePemChain } from "./certs.js";
