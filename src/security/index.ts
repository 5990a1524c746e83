/** Certificates, certnames and the throwaway CA. */
export { certname, ssldir, tlsFiles } from "./files.js";
export type { TlsFiles, Role } from "./files.js";
export { makeCa, issueCert } from "./pki.js";
export type { ThrowawayCa } from "./pki.js";
