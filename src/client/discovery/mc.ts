/** `mc`: broadcast a discovery ping and collect who answers within the discovery timeout. */
import type { DiscoveryMethod } from "./types.js";

export const mc: DiscoveryMethod = {
  name: "mc",
  aliases: ["broadcast"],
  capabilities: ["identity", "fact", "class", "agent", "compound"],
  timed: true,
  discover: (ctx) =>
    ctx.network.ping(
      { ...ctx.filter, collective: ctx.collective },
      { timeoutMs: ctx.timeoutMs, windowMs: ctx.windowMs, stopAfter: ctx.stopAfter },
    ),
};
