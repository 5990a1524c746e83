/**
 * The RPC client library behind `mco`, usable from scripts:
 *
 *   const client = new RpcClient(loadConfig(findConfigFile("client")), { filter: { facts: ["country=uk"] } });
 *   const call = client.call("rpcutil", "ping", {}, { agentTimeoutSec: 10 });
 *   for await (const r of call) console.log(r.sender, r.statuscode, r.data);
 *   console.log(call.stats.noResponse, haltCode(call.stats));
 *   await client.close();
 */
export { RpcClient } from "./rpc-client.js";
export type { CallOptions, Discovery, PingReply, RpcCall } from "./rpc-client.js";
export { ClientError, resolveSettings } from "./options.js";
export type { ClientOptions, ResolvedSettings } from "./options.js";
export type { RpcResult, RejectedReply } from "./collector.js";
export { ReplyCollector, rpcReader, pongReader } from "./collector.js";
export { emptyStats, haltCode } from "./stats.js";
export type { RpcStats } from "./stats.js";
export { RequestFactory, broadcastFilter, directFilter, discoveryFilter } from "./request.js";
export type { OutgoingRequest } from "./request.js";
export { discoveryMethod, discoveryMethodNames, checkCapabilities, parseNodeList, nodeQuery, parseInventory, selectNodes } from "./discovery/index.js";
export type { DiscoveryContext, DiscoveryMethod, DiscoveryNetwork, FilterCapability } from "./discovery/index.js";
export { limitCount, pickNodes, batches } from "./limit.js";
export { loadAgentDdl, agentDdlCandidates, BUNDLED_DDL_DIR } from "./ddl-files.js";
