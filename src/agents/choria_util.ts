/** The `choria_util` agent a Choria node serves: `info`, how the node is connected and secured. */
import { identityDomain, srvDomain } from "../config/index.js";
// Not through transport/index.js: reading the library's version belongs to the server, not to every mco start.
import { NATS_CLIENT } from "../transport/client-library.js";
import { RECONNECT } from "../transport/index.js";
import type { NativeAgent, NativeContext } from "./context.js";
import { RpcError } from "./errors.js";

function info(ctx: NativeContext): Record<string, unknown> {
  const link = ctx.broker();
  const explicitBrokers = ctx.config.list("plugin.choria.middleware_hosts").length > 0;
  const facts = ctx.facts();
  return {
    // mcompat always signs and verifies with the choria security scheme, over NATS with mutual TLS.
    security: "choria",
    secure_protocol: true,
    connector: "nats",
    connector_tls: true,
    path: process.env.PATH ?? "",
    choria_version: `mcompat ${ctx.version}`,
    client_version: NATS_CLIENT.version,
    client_flavour: NATS_CLIENT.flavour,
    client_options: { servers: link.brokers, name: ctx.identity, tls: true, max_reconnect_attempts: RECONNECT.maxReconnectAttempts, reconnect_time_wait: RECONNECT.reconnectTimeWait / 1000 },
    connected_server: link.connected ?? null,
    client_stats: link.stats,
    facter_domain: typeof facts.domain === "string" ? facts.domain : identityDomain(ctx.identity) ?? null,
    facter_command: ctx.config.get("factsource") === "facter" ? "facter --json" : null,
    srv_domain: srvDomain(ctx.config) ?? null,
    using_srv: !explicitBrokers && ctx.config.bool("plugin.choria.use_srv", true),
    middleware_servers: link.brokers,
  };
}

export const choriaUtil: NativeAgent = {
  name: "choria_util",
  run(action, _data, ctx) {
    if (action === "info") return info(ctx);
    throw new RpcError(2, `Unknown action '${action}' for agent 'choria_util'`);
  },
};
