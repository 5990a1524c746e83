/** The typed error for a message that breaks a rule of the Choria protocol. */

/** Which protocol rule a rejected message broke; stable words for logs, counters and tests. */
export type ProtocolRule =
  | "size"
  | "encoding"
  | "json"
  | "protocol"
  | "field"
  | "base64"
  | "requestid"
  | "ttl"
  | "filter"
  | "expired"
  | "future"
  | "hash"
  | "body"
  | "federation";

/** A message that breaks a protocol rule; `rule` names the rule, the message says what was wrong with which layer. */
export class ProtocolError extends Error {
  constructor(message: string, readonly rule: ProtocolRule = "field") {
    super(message);
    this.name = "ProtocolError";
  }
}
