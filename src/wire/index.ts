/** The wire seam: transports and security codecs behind one interface each (types.ts), chosen by the config. */
export type * from "./types.js";
export { ChoriaCodec } from "./choria.js";
export type { ChoriaCodecOptions } from "./choria.js";
export { connectTransport, codecFromConfig, connectorName } from "./select.js";
export type { TransportOptions } from "./select.js";
