/** Peeling a payload layer by layer without enforcing any rule, for operators looking at what arrived. */
import { decodeBase64 } from "./base64.js";
import { isObject, parseObject, type JsonObject } from "./json.js";

/** Whatever layers could be read, each as parsed, plus where and why peeling stopped. */
export interface PeeledLayers {
  transport?: JsonObject;
  /** L2, the secure request or reply */
  secure?: JsonObject;
  /** L3, the request or reply with its envelope */
  inner?: JsonObject;
  /** L4 as JSON when it parses, else the text as carried */
  body?: unknown;
  stopped?: { layer: string; reason: string };
}

/** Reads as many layers as possible; never throws. */
export function peelLayers(payload: Uint8Array | string): PeeledLayers {
  const out: PeeledLayers = {};
  const text = typeof payload === "string" ? payload : Buffer.from(payload).toString("utf8");
  const step = <T>(layer: string, fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      out.stopped = { layer, reason: (err as Error).message };
      return undefined;
    }
  };
  out.transport = step("transport", () => parseObject(text, "transport"));
  const data = out.transport?.data;
  if (out.transport && typeof data !== "string") out.stopped = { layer: "transport", reason: 'no string field "data"' };
  if (typeof data !== "string") return out;
  out.secure = step("secure", () => parseObject(decodeBase64(data, "transport data").toString("utf8"), "secure layer"));
  const l3 = out.secure?.message;
  if (out.secure && typeof l3 !== "string") out.stopped = { layer: "secure", reason: 'no string field "message"' };
  if (typeof l3 !== "string") return out;
  out.inner = step("inner", () => parseObject(l3, "inner layer"));
  const body = out.inner?.message;
  if (typeof body === "string") out.body = parseOrKeep(body);
  return out;
}

function parseOrKeep(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) || typeof value === "string" ? value : text;
  } catch {
    return text;
  }
}
