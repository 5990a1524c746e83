/**
 * `stream` (alias `jetstream`): the nodes of a registration stream that a data adapter fills (protocol.md §8.2), read
 * as an inventory and filtered locally like the inventory method (every filter kind, compound included).
 */
import { middlewareHosts, parseBrokerAddress } from "../../config/index.js";
import { ClientError } from "../options.js";
import { selectNodes } from "./inventory.js";
import { discoveryOption, type DiscoveryMethod } from "./types.js";

export const stream: DiscoveryMethod = {
  name: "stream",
  aliases: ["jetstream"],
  capabilities: ["identity", "fact", "class", "agent", "compound"],
  timed: false,
  async discover(ctx) {
    const name = discoveryOption(ctx.options, "stream", true) ?? ctx.config.get("plugin.mcompat.discovery.stream.name") ?? "REGISTRATION";
    // Loaded on use: the JetStream client and the launcher module cost every other mco start.
    const [{ connectBroker, resolveSrv }, { readStreamInventory }] = await Promise.all([import("../../transport/index.js"), import("../../streams/inventory.js")]);
    const listed = ctx.config.list("plugin.mcompat.discovery.stream.servers");
    const brokers = listed.length > 0 ? listed.map(parseBrokerAddress) : await middlewareHosts(ctx.config, resolveSrv);
    const nc = await connectBroker({ brokers, tls: ctx.tls, name: ctx.config.identity, mode: "client", timeoutMs: ctx.timeoutMs });
    try {
      return selectNodes(await readStreamInventory(nc, name), ctx.filter, ctx.collective);
    } catch (err) {
      throw new ClientError(`Cannot read the registration stream ${name}: ${(err as Error).message}`);
    } finally {
      await nc.close();
    }
  },
};
