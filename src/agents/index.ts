/** Agents implemented in Node: `rpcutil` and `choria_util` (RPC agents) and `discovery` (answers "ping" with "pong"). */
import { choriaUtil } from "./choria_util.js";
import type { NativeAgent } from "./context.js";
import { rpcutil } from "./rpcutil.js";

export type { NativeAgent, NativeContext, AgentMetadata, BrokerLink, DaemonCounters } from "./context.js";
export { RpcError } from "./errors.js";
export { discoveryReply } from "./discovery.js";

/** The native RPC agents by name. */
export function nativeAgents(): Map<string, NativeAgent> {
  return new Map([rpcutil, choriaUtil].map((agent) => [agent.name, agent]));
}

/** Names no libdir agent may take, because the daemon implements them itself. */
export const RESERVED_AGENTS = ["rpcutil", "discovery", "choria_util"];
