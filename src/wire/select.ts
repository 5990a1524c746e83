/** Picks the transport and the security codec a config names (`connector`, `securityprovider`), as MCollective did. */
import { middlewareHosts, type Config } from "../config/index.js";
import { loadSigner, tlsFiles, verifierFromConfig, type Role } from "../security/index.js";
import { connectNats } from "../transport/nats.js";
import { legacyCodecFromConfig, LEGACY_PROVIDERS } from "../legacy/index.js";
import { ChoriaCodec } from "./choria.js";
import type { SecurityCodec, Transport } from "./types.js";

export interface TransportOptions {
  /** `daemon` waits and reconnects forever; `client` fails fast after `timeoutMs`. */
  mode: "daemon" | "client";
  timeoutMs?: number;
  log?: (level: "debug" | "info" | "warn" | "error", msg: string) => void;
}

/** The config's connector, lower-cased; Choria's names for NATS count as `nats`. */
export function connectorName(config: Config): string {
  const name = config.string("connector").toLowerCase();
  return name === "choria" ? "nats" : name;
}

/** Opens the broker connection the config's `connector` names. */
export async function connectTransport(config: Config, role: Role, opts: TransportOptions): Promise<Transport> {
  const connector = connectorName(config);
  if (connector === "nats") {
    const tls = tlsFiles(config, role);
    // node:dns loads only when SRV records are looked up: start-up time is most of a direct mco call.
    const brokers = await middlewareHosts(config, async (name) => (await import("node:dns/promises")).resolveSrv(name));
    return connectNats({ brokers, tls: { cert: tls.cert, key: tls.key, ca: tls.ca }, name: config.identity, mode: opts.mode, timeoutMs: opts.timeoutMs });
  }
  if (connector === "activemq" || connector === "rabbitmq") {
    // Loaded only for a STOMP config: the NATS client's start-up never pays for the STOMP library.
    const { connectStomp, stompSettingsFromConfig } = await import("../transport/stomp/index.js");
    return connectStomp(stompSettingsFromConfig(config, role), { identity: config.identity, mode: opts.mode, timeoutMs: opts.timeoutMs, log: opts.log });
  }
  throw new Error(`connector = ${connector} is not supported (known: nats, activemq, rabbitmq)`);
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
