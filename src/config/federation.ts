/** Which federation networks a client addresses (protocol.md §8.3): `CHORIA_FED_COLLECTIVE`, else the config. */
import type { Config } from "./config.js";

/** The member networks a federated client publishes to; empty means the client is not federated. */
export function federationCollectives(config: Config, env: NodeJS.ProcessEnv = process.env): string[] {
  // The variable wins, and makes an unfederated client federated, as in Choria.
  const fromEnv = (env.CHORIA_FED_COLLECTIVE ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  return fromEnv.length > 0 ? fromEnv : config.list("plugin.choria.federation.collectives");
}
