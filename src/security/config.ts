/** Building the request verifier from the daemon's configuration (`plugin.choria.security.*`). */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Config } from "../config/index.js";
import { SecurityError } from "./errors.js";
import { ssldir, type TlsFiles } from "./files.js";
import { DEFAULT_ALLOWLIST, DEFAULT_PRIVILEGED, RequestVerifier, type NamePattern } from "./verifier.js";

/** A verifier with the config's allow-list and privileged patterns and the seen-caller cache in `<ssldir>/choria_security`. */
export function verifierFromConfig(config: Config, files: TlsFiles, warn?: (msg: string) => void): RequestVerifier {
  let caPem: string;
  try {
    caPem = readFileSync(files.ca, "utf8");
  } catch (err) {
    throw new SecurityError(`CA certificate ${files.ca} cannot be read: ${(err as Error).message}`, "files");
  }
  return new RequestVerifier({
    caPem,
    allowlist: patterns(config, "plugin.choria.security.certname_whitelist") ?? DEFAULT_ALLOWLIST,
    privileged: patterns(config, "plugin.choria.security.privileged_users") ?? DEFAULT_PRIVILEGED,
    cacheDir: join(ssldir(config), "choria_security"),
    warn,
  });
}

/**
 * A comma-separated list of regular expressions, each optionally written as `/.../`; undefined when unset. They are
 * Go (RE2) regexes in Choria, so they compile with `re2js`: the same syntax, and matching time linear in the name a
 * caller chose.
 */
export function patterns(config: Config, key: string): NamePattern[] | undefined {
  const items = config.list(key);
  if (items.length === 0) return undefined;
  const { RE2JS } = createRequire(import.meta.url)("re2js") as typeof import("re2js");
  return items.map((item) => {
    const source = item.length > 1 && item.startsWith("/") && item.endsWith("/") ? item.slice(1, -1) : item;
    try {
      const re = RE2JS.compile(source);
      return { source, test: (text: string) => re.test(text) };
    } catch (err) {
      throw new SecurityError(`${key}: ${JSON.stringify(item)} is not a valid regular expression (${(err as Error).message})`, "files");
    }
  });
}
