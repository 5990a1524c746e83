/** Which NATS client library the connections use, as `choria_util#info` reports it (read once, by the server only). */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const PACKAGE = "@nats-io/transport-node";

function installedVersion(): string {
  const main = createRequire(import.meta.url).resolve(PACKAGE);
  return (JSON.parse(readFileSync(join(dirname(main), "package.json"), "utf8")) as { version: string }).version;
}

export const NATS_CLIENT = { flavour: PACKAGE, version: installedVersion() };
