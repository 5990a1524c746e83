/** Base64 as the Choria layers carry it: strict on output, strict or Ruby's line-wrapped MIME form on input. */
import { ProtocolError } from "./errors.js";

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Standard padded base64 without line breaks. */
export function encodeBase64(data: string | Uint8Array): string {
  return Buffer.from(data).toString("base64");
}

/** Decodes standard base64, allowing the line breaks Ruby's `Base64.encode64` inserts; `what` names the field in errors. */
export function decodeBase64(text: string, what: string): Buffer {
  const compact = text.includes("\n") ? text.replace(/\r?\n/g, "") : text;
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) {
    throw new ProtocolError(`${what} is not valid base64`, "base64");
  }
  return Buffer.from(compact, "base64");
}
