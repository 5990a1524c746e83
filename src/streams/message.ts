/**
 * What a data adapter puts on a stream (protocol.md §8.2), and what an inventory reads back from it. Pure: the
 * registration bodies a node sends (agent list, inventory content, gzipped or not) become one inventory node.
 */
import { gunzipSync } from "node:zlib";
import { decodeReply, decodeRequestLayers, parseJsonExact, stringifyJson } from "../protocol/index.js";
import { isObject } from "../protocol/json.js";

export const OUTPUT_PROTOCOL = "choria:adapters:choria_streams:output:1";

/** The two kinds of message an adapter ingests: requests (registration) or replies. */
export type IngestProtocol = "request" | "reply";

/** One message for the stream: its JSON text, the sender (for `%s` in the topic) and an id unique to it. */
export interface AdapterMessage {
  sender: string;
  requestid: string;
  /** Unique per message (a request id is shared by every reply to it): the stream's de-duplication key. */
  msgid: string;
  json: string;
}

/** The stream record of one ingested message; signatures are not checked (as Choria's adapter), the layers are. */
export function adapterMessage(payload: Uint8Array, protocol: IngestProtocol): AdapterMessage {
  const decoded = protocol === "request" ? decodeRequestLayers(payload) : decodeReply(payload);
  const { senderid: sender, requestid, time } = decoded.envelope;
  const data = decoded.message;
  const json = JSON.stringify({ protocol: OUTPUT_PROTOCOL, data, sender, time: rfc3339(time), requestid });
  return { sender, requestid, msgid: `${requestid}.${sender}`, json };
}

/** Go's RFC 3339 form of a UTC time, without fractions when there are none. */
function rfc3339(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(".000Z", "Z");
}

/** A node as the inventory discovery method reads it (protocol.md §5.5). */
export interface InventoryNode {
  name: string;
  collectives?: string[];
  facts?: Record<string, unknown>;
  classes?: string[];
  agents?: string[];
}

/** A stream record read back: the node it describes and when it was sent; undefined for a record that says nothing of a node. */
export function inventoryRecord(text: string): { node: InventoryNode; time: number } | undefined {
  const record = parseJsonExact(text);
  if (!isObject(record) || record.protocol !== OUTPUT_PROTOCOL || typeof record.sender !== "string" || typeof record.data !== "string") return undefined;
  const node = nodeFromBody(record.sender, parseJsonExact(record.data));
  return node && { node, time: Date.parse(String(record.time)) || 0 };
}

/** The node a registration body describes: the legacy agent list, or Choria's inventory content. */
function nodeFromBody(name: string, body: unknown): InventoryNode | undefined {
  if (Array.isArray(body)) return { name, agents: body.filter((a): a is string => typeof a === "string") };
  if (!isObject(body) || body.protocol !== "choria:registration:inventorycontent:1") return undefined;
  const content = typeof body.zcontent === "string" ? parseJsonExact(gunzipSync(Buffer.from(body.zcontent, "base64")).toString("utf8")) : body.content;
  if (!isObject(content)) return undefined;
  return {
    name,
    collectives: strings(content.collectives),
    facts: isObject(content.facts) ? content.facts : {},
    classes: strings(content.classes),
    // Choria sends each agent's DDL metadata; the legacy list only names.
    agents: (Array.isArray(content.agents) ? content.agents : []).map((a) => (isObject(a) ? a.name : a)).filter((a): a is string => typeof a === "string"),
  };
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

/** An inventory document (protocol.md §5.5) of the newest record per node, nodes sorted by name. */
export function inventoryDocument(records: Iterable<{ node: InventoryNode; time: number }>): { nodes: InventoryNode[] } {
  const newest = new Map<string, { node: InventoryNode; time: number }>();
  for (const record of records) {
    const seen = newest.get(record.node.name);
    if (!seen || record.time >= seen.time) newest.set(record.node.name, record);
  }
  return { nodes: [...newest.values()].map((r) => r.node).sort((a, b) => a.name.localeCompare(b.name)) };
}

/** The document as JSON text with exact integers (facts may carry big ones). */
export function inventoryText(doc: { nodes: InventoryNode[] }): string {
  return stringifyJson(doc, 2);
}
