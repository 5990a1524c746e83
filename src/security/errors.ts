/** The typed error for a request or certificate that fails a security check. */

/** Which security check failed; stable words for logs, counters and tests. */
export type SecurityCheck = "files" | "key" | "certificate" | "chain" | "callerid" | "allowlist" | "signature" | "cache" | "hash" | "tampered" | "decrypt";

/** A failed security check; `check` names it, the message says what was wrong with which certificate or caller. */
export class SecurityError extends Error {
  constructor(message: string, readonly check: SecurityCheck = "certificate") {
    super(message);
    this.name = "SecurityError";
  }
}
