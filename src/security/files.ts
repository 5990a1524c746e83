/** Where a node's or a client's certificate, key and CA live: Puppet ssldir layout or explicit file paths. */
import { homedir, userInfo } from "node:os";
import { join } from "node:path";
import type { Config } from "../config/index.js";

export interface TlsFiles {
  certname: string;
  cert: string;
  key: string;
  ca: string;
}

export type Role = "server" | "client";

/**
 * The certname: `MCOLLECTIVE_CERTNAME` if set; else the config identity for a server or a root client;
 * else `$USER.mcollective` for a non-root client (Choria's rule).
 */
export function certname(config: Config, role: Role, env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? 0): string {
  if (env.MCOLLECTIVE_CERTNAME) return env.MCOLLECTIVE_CERTNAME;
  if (role === "client" && uid !== 0) return `${env.USER ?? userInfo().username}.mcollective`;
  return config.identity;
}

/** Puppet's ssldir: `plugin.choria.ssldir`, else Puppet's default for root or for a user. */
export function ssldir(config: Config, uid = process.getuid?.() ?? 0): string {
  return config.get("plugin.choria.ssldir") ?? (uid === 0 ? "/etc/puppetlabs/puppet/ssl" : join(homedir(), ".puppetlabs/etc/puppet/ssl"));
}

/** The TLS files to use, from `plugin.security.file.*` when the provider is `file`, else from the ssldir. */
export function tlsFiles(config: Config, role: Role, env: NodeJS.ProcessEnv = process.env): TlsFiles {
  const name = certname(config, role, env);
  if (config.get("plugin.security.provider") === "file") {
    return {
      certname: name,
      cert: config.string("plugin.security.file.certificate"),
      key: config.string("plugin.security.file.key"),
      ca: config.string("plugin.security.file.ca"),
    };
  }
  const dir = ssldir(config);
  return {
    certname: name,
    cert: join(dir, "certs", `${name}.pem`),
    key: join(dir, "private_keys", `${name}.pem`),
    ca: join(dir, "certs", "ca.pem"),
  };
}
