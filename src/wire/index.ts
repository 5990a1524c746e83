/** The wire seam: transports and security codecs behind one interface each (types.ts). */
export type * from "./types.js";
