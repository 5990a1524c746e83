/** Strict JSON reading for the protocol layers: every layer must be a JSON object with the expected `protocol`. */
import { ProtocolError } from "./errors.js";
import { parseJsonExact, stringifyJson } from "./exact-json.js";

export type JsonObject = Record<string, unknown>;

/** Parses `text` as a JSON object, integers beyond 2^53 exact (BigInt); `layer` names the layer in errors. */
export function parseObject(text: string, layer: string): JsonObject {
  let value: unknown;
  try {
    value = parseJsonExact(text);
  } catch (err) {
    throw new ProtocolError(`${layer} is not valid JSON (${(err as Error).message})`, "json");
  }
  if (!isObject(value)) throw new ProtocolError(`${layer} is JSON but not an object`, "json");
  return value;
}

/** Parses a layer and checks its `protocol` discriminator. */
export function parseLayer(text: string, protocol: string, layer: string): JsonObject {
  const obj = parseObject(text, layer);
  if (obj.protocol !== protocol) {
    throw new ProtocolError(`${layer} has protocol ${stringifyJson(obj.protocol)}, expected "${protocol}"`, "protocol");
  }
  return obj;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A required non-empty string field. */
export function requireString(obj: JsonObject, key: string, layer: string): string {
  const value = obj[key];
  if (typeof value !== "string" || value === "") {
    throw new ProtocolError(`${layer} field "${key}" must be a non-empty string`, "field");
  }
  return value;
}

/** A required integer field. */
export function requireInteger(obj: JsonObject, key: string, layer: string): number {
  const value = obj[key];
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new ProtocolError(`${layer} field "${key}" must be an integer`, "field");
  }
  return value;
}

/** A required JSON object field. */
export function requireObject(obj: JsonObject, key: string, layer: string): JsonObject {
  const value = obj[key];
  if (!isObject(value)) throw new ProtocolError(`${layer} field "${key}" must be an object`, "field");
  return value;
}

/** How deep a message's values may nest: legacy Marshal bodies are read with the same bound. */
export const MAX_NESTING = 64;

/**
 * Throws a ProtocolError (`size`) when `value` nests arrays or objects deeper than `max` levels: everything that later
 * walks request data (validation, audit, Ruby frames) recurses, so depth is bounded once, here. Walks without recursion.
 */
export function checkNesting(value: unknown, layer: string, max = MAX_NESTING): void {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== "object" || node === null) continue;
    if (depth >= max) throw new ProtocolError(`${layer} nests deeper than ${max} levels`, "size");
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
}

