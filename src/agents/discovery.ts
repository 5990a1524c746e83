/** The `discovery` agent: not SimpleRPC; a "ping" body gets a "pong" body, anything else no reply. */

/** The reply to a decoded discovery body, or undefined when it asks for nothing we answer. */
export function discoveryReply(message: unknown): "pong" | undefined {
  return message === "ping" ? "pong" : undefined;
}
