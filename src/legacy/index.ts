/** The legacy MCollective security plugins (`psk`, `ssl`) as `SecurityCodec`s, chosen and keyed by a legacy config. */
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { userInfo } from "node:os";
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from "node:crypto";
import type { Config } from "../config/index.js";
import type { SecurityCodec } from "../wire/types.js";
import { AesCodec } from "./aes.js";
import { PskCodec } from "./psk.js";
import { SslCodec } from "./ssl.js";
import { MARSHAL, type Serializer } from "./serializer.js";
import { YAML_SERIALIZER } from "./yaml.js";

export { AesCodec, bytesToKey, encryptAes, decryptAes, openRequest, type AesOptions } from "./aes.js";
export { PskCodec, pskHash, verifyPsk, type PskOptions } from "./psk.js";
export { SslCodec, checkSignature, type SslOptions } from "./ssl.js";
export { checkCallerid, checkTtl, callerOf, unwrapSecured } from "./checks.js";
export { findLegacyBody, inspectLegacy, inspectionJson, type LegacyInput, type LegacyInspection } from "./inspect.js";
export { readMarshal, writeMarshal, DEFAULT_LIMITS, type MarshalLimits } from "./marshal.js";
export { RString, RFloat, RRegexp, RHash, RSymbol, rsym, type RValue } from "./ruby.js";
export { toPlain, fromPlain } from "./plain.js";
export { marshalSerializer, MARSHAL, type Serializer } from "./serializer.js";
export { YAML_SERIALIZER } from "./yaml.js";
export * from "./envelope.js";

/** The security providers this module implements. */
export const LEGACY_PROVIDERS = ["psk", "ssl", "aes_security"] as const;

/**
 * The codec for `securityprovider` in `config`, as mcollectived (`role` "server") or mco ("client") would key it.
 * Throws for an unknown provider, a missing secret or an unreadable key.
 */
export function legacyCodecFromConfig(config: Config, role: "server" | "client", env: NodeJS.ProcessEnv = process.env): SecurityCodec {
  const provider = config.string("securityprovider").toLowerCase();
  if (provider === "psk") return pskFromConfig(config, env);
  if (provider === "ssl") return sslFromConfig(config, role, env);
  if (provider === "aes_security") return aesFromConfig(config, role);
  throw new Error(`securityprovider "${provider}" is not a legacy security plugin (expected one of: ${LEGACY_PROVIDERS.join(", ")})`);
}

function pskFromConfig(config: Config, env: NodeJS.ProcessEnv): PskCodec {
  const secret = env.MCOLLECTIVE_PSK ?? config.get("plugin.psk");
  if (secret === undefined || secret === "") throw new Error("securityprovider psk needs a secret: set plugin.psk in the config or MCOLLECTIVE_PSK in the environment");
  return new PskCodec({ secret, callerid: pskCallerid(config) });
}

/** `plugin.psk.callertype` as Ruby forms it; anything unknown falls back to uid like Ruby. */
export function pskCallerid(config: Config): string {
  switch (config.string("plugin.psk.callertype", "uid")) {
    case "gid": return `gid=${process.getgid?.() ?? 0}`;
    case "group": return `group=${groupName(process.getgid?.() ?? 0)}`;
    case "user": return `user=${userInfo().username}`;
    case "identity": return `identity=${config.identity}`;
    default: return `uid=${process.getuid?.() ?? 0}`;
  }
}

function groupName(gid: number): string {
  const line = readFileSync("/etc/group", "utf8").split("\n").find((l) => l.split(":")[2] === String(gid));
  if (line === undefined) throw new Error(`plugin.psk.callertype = group: gid ${gid} has no name in /etc/group`);
  return line.split(":")[0];
}

function sslFromConfig(config: Config, role: "server" | "client", env: NodeJS.ProcessEnv): SslCodec {
  const setting = (key: string, envName?: string): string => {
    const value = (envName === undefined ? undefined : env[envName]) ?? config.get(key);
    if (value === undefined || value === "") throw new Error(`securityprovider ssl needs ${key}${envName === undefined ? "" : ` (or ${envName})`} for the ${role}`);
    return value;
  };
  const serializer = serializerNamed(config.string("plugin.ssl_serializer", "marshal"), "plugin.ssl_serializer");
  const enforceTtl = config.get("plugin.ssl.enforce_ttl");
  if (role === "server") {
    const certDir = setting("plugin.ssl_client_cert_dir");
    return new SslCodec({
      privateKey: createPrivateKey(readKey(setting("plugin.ssl_server_private", "MCOLLECTIVE_SSL_PRIVATE"))),
      callerid: `cert=${basename(setting("plugin.ssl_server_public"), ".pem")}`,
      callerPublicKey: callerKeys(certDir),
      ...(enforceTtl !== undefined && { enforceTtl }),
      serializer,
    });
  }
  return new SslCodec({
    privateKey: createPrivateKey(readKey(setting("plugin.ssl_client_private", "MCOLLECTIVE_SSL_PRIVATE"))),
    callerid: `cert=${basename(setting("plugin.ssl_client_public", "MCOLLECTIVE_SSL_PUBLIC"), ".pem")}`,
    serverPublicKey: createPublicKey(readKey(setting("plugin.ssl_server_public"))),
    ...(enforceTtl !== undefined && { enforceTtl }),
    serializer,
  });
}

/** aes_security keyed as a server (`server_private`, callers' keys in `client_cert_dir`) or a client (`client_private`/`client_public`). */
function aesFromConfig(config: Config, role: "server" | "client"): AesCodec {
  const setting = (key: string): string => {
    const value = config.get(key);
    if (value === undefined || value === "") throw new Error(`securityprovider aes_security needs ${key} for the ${role}`);
    return value;
  };
  if (config.bool("plugin.aes.learn_pubkeys", false)) throw new Error("plugin.aes.learn_pubkeys is not supported: install each client's public key in plugin.aes.client_cert_dir");
  const enforceTtl = config.get("plugin.aes.enforce_ttl");
  const common = {
    cipher: config.string("ssl_cipher", "aes-256-cbc"),
    ...(enforceTtl !== undefined && { enforceTtl }),
    serializer: serializerNamed(config.string("plugin.aes.serializer", "marshal"), "plugin.aes.serializer"),
  };
  const callerid = (publicFile: string) => `cert=${certCommonName(readKey(publicFile)) ?? basename(publicFile, ".pem")}`;
  if (role === "client") {
    const privateKeyPem = readKey(setting("plugin.aes.client_private"));
    return new AesCodec({ privateKey: createPrivateKey(privateKeyPem), privateKeyPem, callerid: callerid(setting("plugin.aes.client_public")), ...common });
  }
  const caFile = config.get("plugin.aes.ca_cert");
  return new AesCodec({
    privateKey: createPrivateKey(readKey(setting("plugin.aes.server_private"))),
    callerid: callerid(setting("plugin.aes.server_public")),
    callerPublicKey: callerKeys(setting("plugin.aes.client_cert_dir"), caFile === undefined ? undefined : new X509Certificate(readKey(caFile))),
    ...common,
  });
}

/** The CN of a PEM certificate, or undefined when the PEM is a bare public key. */
function certCommonName(pem: string): string | undefined {
  if (!pem.includes("BEGIN CERTIFICATE")) return undefined;
  return /(?:^|\n)CN=([\w.-]+)/.exec(new X509Certificate(pem).subject)?.[1];
}

function serializerNamed(name: string, key: string): Serializer {
  if (name === "marshal") return MARSHAL;
  if (name === "yaml") return YAML_SERIALIZER;
  throw new Error(`${key} must be marshal or yaml, not "${name}"`);
}

function readKey(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`cannot read ssl key ${file}: ${(err as Error).message}`);
  }
}

/**
 * `<dir>/<name>.pem`, parsed once per name; a missing one is looked for again, it may be installed while the daemon
 * runs. With `ca` (aes_security's `plugin.aes.ca_cert`) only a certificate for CN `name` that the CA issued counts.
 */
function callerKeys(dir: string, ca?: X509Certificate): (name: string) => KeyObject | undefined {
  const cache = new Map<string, KeyObject>();
  return (name) => {
    const cached = cache.get(name);
    if (cached !== undefined) return cached;
    try {
      const pem = readFileSync(join(dir, `${name}.pem`), "utf8");
      if (ca !== undefined && !issuedBy(pem, name, ca)) return undefined;
      const key = createPublicKey(pem);
      cache.set(name, key);
      return key;
    } catch {
      return undefined;
    }
  };
}

function issuedBy(pem: string, name: string, ca: X509Certificate): boolean {
  const cert = new X509Certificate(pem);
  return certCommonName(pem) === name && cert.checkIssued(ca) && cert.verify(ca.publicKey);
}
