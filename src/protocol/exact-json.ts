/**
 * JSON with exact integers: a number beyond 2^53 (a process's rlim of 2^64-1) reads as a BigInt and is written back
 * with every digit, as Ruby and Go read and write it. The one place mcompat reads and writes JSON that carries data.
 */
import { randomUUID } from "node:crypto";

// A string starting with this (unguessable, made afresh per process) stands for the integer whose digits follow it.
const MARK = `bigint-${randomUUID()}:`;
const MARKED = new RegExp(`"${MARK}(-?\\d+)"`, "g");
const LONG_NUMBER = /\d{16,}/;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** JSON.stringify that writes a BigInt as a JSON number with all its digits. */
export function stringifyJson(value: unknown, indent?: number): string {
  let big = false;
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? ((big = true), `${MARK}${v}`) : v), indent);
  return big ? text.replace(MARKED, "$1") : text;
}

/** JSON.parse that reads an integer beyond 2^53 as a BigInt (others as numbers, as JSON.parse does). */
export function parseJsonExact(text: string): unknown {
  if (!LONG_NUMBER.test(text)) return JSON.parse(text);
  let big = false;
  const marked = markBigIntegers(text, () => (big = true));
  const revive = (_key: string, v: unknown) => (typeof v === "string" && v.startsWith(MARK) ? BigInt(v.slice(MARK.length)) : v);
  return big ? JSON.parse(marked, revive) : JSON.parse(text);
}

/** The text with each integer literal beyond 2^53 outside strings turned into a marked string. */
function markBigIntegers(text: string, found: () => void): string {
  let out = "";
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
    } else if (c === "-" || (c >= "0" && c <= "9")) {
      NUMBER.lastIndex = i;
      const number = NUMBER.exec(text)?.[0] ?? c;
      if (/^-?\d+$/.test(number) && !Number.isSafeInteger(Number(number))) {
        out += `${text.slice(at, i)}"${MARK}${number}"`;
        at = i + number.length;
        found();
      }
      i += number.length - 1;
    }
  }
  return out + text.slice(at);
}
