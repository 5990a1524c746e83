/** A real `mcompat adapter run` process for integration tests. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import type { RunningBroker } from "../../src/transport/index.js";
import { testCert } from "./pki.js";
import { REPO, waitFor } from "./server.js";

/** Starts the adapter with `settings` (`plugin.choria.adapter.<name>.` keys without the prefix); resolves once it listens. */
export async function startAdapter(name: string, broker: RunningBroker, settings: Record<string, string>): Promise<{ log(): string; stop(): Promise<void> }> {
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
    "plugin.choria.adapters": name,
    ...Object.fromEntries(Object.entries(settings).map(([k, v]) => [`plugin.choria.adapter.${name}.${k}`, v])),
  };
  const configFile = join(dir, "adapter.cfg");
  writeFileSync(configFile, Object.entries(lines).map(([k, v]) => `${k} = ${v}`).join("\n") + "\n");
  const child = execa(join(REPO, "bin", "mcompat"), ["adapter", "run", "--config", configFile], { reject: false, all: true });
  let exited = false;
  void child.then(() => (exited = true));
  const log = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
  await waitFor(() => / copies /.test(log()), () => exited, async () => `adapter did not start:\n${log()}\n${(await child).all}`);
  return {
    log,
    async stop() {
      if (!exited) child.kill("SIGTERM");
      await child;
    },
  };
}
