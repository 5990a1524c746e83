/** The `discovery` agent: not SimpleRPC; a "ping" body gets a "pong" body, anything else no reply. */
import { isDiscoveryPing } from "../protocol/index.js";

/** The reply message for a discovery request body, or undefined when it asks for nothing we answer. */
export function discoveryReply(message: string): string | undefined {
  return isDiscoveryPing(message) ? JSON.stringify("pong") : undefined;
}
