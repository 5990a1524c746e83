/** Picks the transport and the security codec a config names (`connector`, `securityprovider`), as MCollective did. */
import { federationCollectives, federationMiddlewareHosts, middlewareHosts, type Config } from "../config/index.js";
import { loadSigner, tlsFiles, verifierFromConfig, type Role } from "../security/index.js";
import { connectNats } from "../transport/nats.js";
import { FederatedTransport } from "../transport/federated.js";
import { resolveSrv } from "../transport/srv.js";
import { legacyCodecFromConfig, LEGACY_PROVIDERS } from "../legacy/index.js";
import { ChoriaCodec } from "./choria.js";
import type { SecurityCodec, Transport } from "./types.js";

export interface TransportOptions {
  /** `daemon` waits and reconnects forever; `client` fails fast after `timeoutMs`. */
  mode: "daemon" | "client";
  timeoutMs?: number;
  log?: (level: "debug" | "info" | "warn" | "error", msg: string) => void;
  /** Where `CHORIA_FED_COLLECTIVE` is read (a client's environment); process.env by default. */
  env?: NodeJS.ProcessEnv;
}

/** The config's connector, lower-cased; Choria's names for NATS count as `nats`. */
export function connectorName(config: Config): string {
  const name = config.string("connector").toLowerCase();
  return name === "choria" ? "nats" : name;
}

/** Opens the broker connection the config's `connector` names. */
export async function connectTransport(config: Config, role: Role, opts: TransportOptions): Promise<Transport> {
  const connector = connectorName(config);
  const networks = opts.mode === "client" ? federationCollectives(config, opts.env) : [];
  if (networks.length > 0) return connectFederated(config, connector, networks, opts);
  if (connector === "nats") {
    const tls = tlsFiles(config, role);
    const brokers = await middlewareHosts(config, resolveSrv);
    return connectNats({ brokers, tls: { cert: tls.cert, key: tls.key, ca: tls.ca }, name: config.identity, mode: opts.mode, timeoutMs: opts.timeoutMs });
  }
  if (connector === "activemq" || connector === "rabbitmq") {
    // Loaded only for a STOMP config: the NATS client's start-up never pays for the STOMP library.
    const { connectStomp, stompSettingsFromConfig } = await import("../transport/stomp/index.js");
    return connectStomp(stompSettingsFromConfig(config, role), { identity: config.identity, mode: opts.mode, timeoutMs: opts.timeoutMs, log: opts.log });
  }
  throw new Error(`connector = ${connector} is not supported (known: nats, activemq, rabbitmq)`);
}

/** A federated client: its requests go through the federation brokers of each member network (protocol.md §8.3). */
async function connectFederated(config: Config, connector: string, networks: string[], opts: TransportOptions): Promise<Transport> {
  const provider = config.string("securityprovider").toLowerCase();
  if (connector !== "nats" || provider !== "choria") {
    throw new Error(`federation (${networks.join(", ")}) needs connector = nats and securityprovider = choria, not ${connector} and ${provider}`);
  }
  const tls = tlsFiles(config, "client");
  const brokers = await federationMiddlewareHosts(config, resolveSrv);
  const inner = await connectNats({ brokers, tls: { cert: tls.cert, key: tls.key, ca: tls.ca }, name: config.identity, mode: "client", timeoutMs: opts.timeoutMs });
  return new FederatedTransport(inner, networks);
}

/** The security plugin the config's `securityprovider` names; a server's verifies requests, a client's signs them. */
export function codecFromConfig(config: Config, role: Role, warn?: (msg: string) => void): SecurityCodec {
  const provider = config.string("securityprovider").toLowerCase();
  if (provider === "choria") {
    const files = tlsFiles(config, role);
    const signer = loadSigner(files);
    if (role === "client") return new ChoriaCodec({ signer });
    const verifier = verifierFromConfig(config, files, warn);
    return new ChoriaCodec({ signer, verify: (req, now) => verifier.verify(req, now) });
  }
  if ((LEGACY_PROVIDERS as readonly string[]).includes(provider)) return legacyCodecFromConfig(config, role);
  throw new Error(`securityprovider = ${provider} is not supported (known: choria, ${LEGACY_PROVIDERS.join(", ")})`);
}
