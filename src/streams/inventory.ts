/** The inventory of a registration stream: every record read once, the newest per node kept (protocol.md §5.5 shape). */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "../transport/index.js";
import { inventoryDocument, inventoryRecord, type InventoryNode } from "./message.js";

/** Records fetched per round trip. */
const BATCH = 1000;

/** Reads `stream` from its first record to the last one there when asked; records that describe no node are skipped. */
export async function readStreamInventory(nc: NatsConnection, stream: string): Promise<{ nodes: InventoryNode[] }> {
  const info = await (await jetstreamManager(nc)).streams.info(stream);
  const last = info.state.last_seq;
  const records: Array<{ node: InventoryNode; time: number }> = [];
  if (info.state.messages === 0) return inventoryDocument(records);
  const consumer = await jetstream(nc).consumers.get(stream);
  for (let seq = 0; seq < last; ) {
    let got = 0;
    for await (const msg of await consumer.fetch({ max_messages: BATCH, expires: 2000 })) {
      got++;
      seq = msg.seq;
      const record = readable(msg.string());
      if (record) records.push(record);
      if (seq >= last) break;
    }
    // Records can age out while being read: an empty fetch means there is nothing more.
    if (got === 0) break;
  }
  return inventoryDocument(records);
}

/** A record, or undefined for one that is not the adapter's JSON. */
function readable(text: string): ReturnType<typeof inventoryRecord> {
  try {
    return inventoryRecord(text);
  } catch {
    return undefined;
  }
}
