/** Node data on streams (protocol.md §8.2): the data adapter, its settings, and the inventory read back from a stream. */
export { StreamAdapter } from "./adapter.js";
export type { AdapterStats } from "./adapter.js";
export { adapterSettings } from "./settings.js";
export type { AdapterSettings } from "./settings.js";
export { readStreamInventory } from "./inventory.js";
export { adapterMessage, inventoryRecord, inventoryDocument, inventoryText, OUTPUT_PROTOCOL } from "./message.js";
export type { AdapterMessage, IngestProtocol, InventoryNode } from "./message.js";
