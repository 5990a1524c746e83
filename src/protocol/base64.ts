/** Base64 as the Choria layers carry it: strict on output, strict or Ruby's line-wrapped MIME form on input. */
import { ProtocolError } from "./errors.js";

const ALPHABET = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") ALPHABET[c.charCodeAt(0)] = 1;
const NEWLINE = 10;
const RETURN = 13;
const PAD = 61;

/** Standard padded base64 without line breaks. */
export function encodeBase64(data: string | Uint8Array): string {
  return Buffer.from(data).toString("base64");
}

/** Decodes standard base64, allowing the line breaks Ruby's `Base64.encode64` inserts; `what` names the field in errors. */
export function decodeBase64(text: string, what: string): Buffer {
  if (!isBase64(text)) throw new ProtocolError(`${what} is not valid base64`, "base64");
  return Buffer.from(text, "base64");
}

/** One pass over the text: alphabet characters, then at most two `=`, a multiple of 4 in all; line breaks skipped. */
function isBase64(text: string): boolean {
  let count = 0;
  let padding = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === NEWLINE || c === RETURN) continue;
    if (c === PAD) padding++;
    else if (padding > 0 || c >= 128 || ALPHABET[c] === 0) return false;
    count++;
  }
  return padding <= 2 && count % 4 === 0;
}
