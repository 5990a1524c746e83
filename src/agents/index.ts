/** Agents implemented in Node: `rpcutil` (an RPC agent) and `discovery` (answers "ping" with "pong"). */
import type { NativeAgent } from "./context.js";
import { rpcutil } from "./rpcutil.js";

export type { NativeAgent, NativeContext, AgentMetadata, DaemonCounters } from "./context.js";
export { RpcError } from "./errors.js";
export { discoveryReply } from "./discovery.js";

/** The native RPC agents by name. */
export function nativeAgents(): Map<string, NativeAgent> {
  return new Map([[rpcutil.name, rpcutil]]);
}

/** Names no libdir agent may take, because the daemon implements them itself. */
export const RESERVED_AGENTS = ["rpcutil", "discovery", "choria_util"];
