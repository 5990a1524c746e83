/** How a legacy plugin turns Ruby values into bytes: Marshal always for psk, Marshal or YAML for ssl (`plugin.ssl_serializer`). */
import { readMarshal, writeMarshal, DEFAULT_LIMITS, type MarshalLimits } from "./marshal.js";
import type { RValue } from "./ruby.js";

export interface Serializer {
  readonly name: "marshal" | "yaml";
  /** Decodes untrusted bytes; anything outside the allow-list or the limits throws `ProtocolError`. */
  read(bytes: Uint8Array, layer: string): RValue;
  write(value: RValue): Uint8Array;
}

export function marshalSerializer(limits: MarshalLimits = DEFAULT_LIMITS): Serializer {
  return { name: "marshal", read: (bytes, layer) => readMarshal(bytes, layer, limits), write: writeMarshal };
}

export const MARSHAL = marshalSerializer();
