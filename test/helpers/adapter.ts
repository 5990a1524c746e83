/** A real `mcompat adapter run` process for integration tests. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import type { RunningBroker } from "../../src/transport/index.js";
import { testCert } from "./pki.js";
import { REPO, waitFor } from "./server.js";

/** Starts `mcompat adapter run` with each adapter's settings (keys without `plugin.choria.adapter.<name>.`); resolves once all listen. */
export async function startAdapters(broker: RunningBroker, adapters: Record<string, Record<string, string>>): Promise<{ log(): string; stop(): Promise<void> }> {
  const identity = "adapter.example.net";
  const dir = mkdtempSync(join(tmpdir(), "mcompat-adapter-"));
  const tls = await testCert(identity);
  const logFile = join(dir, "adapter.log");
  const lines = {
    identity,
    logfile: logFile,
    loglevel: "debug",
    "plugin.security.provider": "file",
    "plugin.security.file.certificate": tls.cert,
    "plugin.security.file.key": tls.key,
    "plugin.security.file.ca": tls.ca,
    "plugin.choria.middleware_hosts": `127.0.0.1:${broker.port}`,
    "plugin.choria.adapters": Object.keys(adapters).join(","),
    ...Object.fromEntries(Object.entries(adapters).flatMap(([name, settings]) => Object.entries(settings).map(([k, v]) => [`plugin.choria.adapter.${name}.${k}`, v]))),
  };
  const configFile = join(dir, "adapter.cfg");
  writeFileSync(configFile, Object.entries(lines).map(([k, v]) => `${k} = ${v}`).join("\n") + "\n");
  const child = execa(join(REPO, "bin", "mcompat"), ["adapter", "run", "--config", configFile], { reject: false, all: true });
  let exited = false;
  void child.then(() => (exited = true));
  const log = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
  const count = Object.keys(adapters).length;
  await waitFor(() => (log().match(/ copies /g) ?? []).length === count, () => exited, async () => `adapter did not start:\n${log()}\n${(await child).all}`);
  return {
    log,
    async stop() {
      if (!exited) child.kill("SIGTERM");
      await child;
    },
  };
}
