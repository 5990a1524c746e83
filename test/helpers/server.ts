/** Real `mcompat server` processes for integration tests: a server.cfg per node, spawned from ./bin/mcompat. */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa, type ResultPromise } from "execa";
import { testCert } from "./pki.js";

export const REPO = resolve(import.meta.dirname, "../../..");
export const FIXTURES = join(REPO, "fixtures");

/** Config lines that switch the bundled Ruby agents off, for tests of native agents only (no Ruby is started). */
export const NATIVE_ONLY: Record<string, string> = {
  "plugin.package.activate_agent": "0",
  "plugin.service.activate_agent": "0",
  "plugin.puppet.activate_agent": "0",
};

export interface NodeSpec {
  identity: string;
  /** A fact file to copy (e.g. fixtures/facts/node1.yaml); the copy can be edited by the test. */
  factsFile: string;
  classesFile?: string;
  collectives?: string[];
  libdir?: string;
  /** Extra `key = value` lines. */
  extra?: Record<string, string>;
}

export interface ServerNode {
  identity: string;
  dir: string;
  configFile: string;
  factsFile: string;
  logFile: string;
  pid: number;
  /** Sends SIGHUP and waits until the log shows the agents served again. */
  reload(): Promise<void>;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | undefined>;
  log(): string;
}

/** A libdir holding copies of these fixture agents (the fixture folder also has agents that hang on load). */
export function fixtureLibdir(agents: string[]): string {
  const libdir = mkdtempSync(join(tmpdir(), "mcompat-libdir-"));
  mkdirSync(join(libdir, "mcollective", "agent"), { recursive: true });
  for (const agent of agents) {
    for (const ext of ["rb", "ddl"]) copyFileSync(join(FIXTURES, "agents", "mcollective", "agent", `${agent}.${ext}`), join(libdir, "mcollective", "agent", `${agent}.${ext}`));
  }
  return libdir;
}

/** Writes a server.cfg for `spec` against the broker on `port`, with certificates from the run's test CA. */
export async function writeServerConfig(spec: NodeSpec, port: number): Promise<{ dir: string; configFile: string; factsFile: string; logFile: string }> {
  const dir = mkdtempSync(join(tmpdir(), `mcompat-server-${spec.identity}-`));
  const tls = await testCert(spec.identity);
  const factsFile = join(dir, "facts.yaml");
  copyFileSync(spec.factsFile, factsFile);
  const classesFile = join(dir, "classes.txt");
  if (spec.classesFile) copyFileSync(spec.classesFile, classesFile);
  else writeFileSync(classesFile, "");
  const logFile = join(dir, "server.log");
  const libdir = spec.libdir ?? join(dir, "plugins");
  mkdirSync(join(libdir, "mcollective", "agent"), { recursive: true });
  const lines = {
    identity: spec.identity,
    collectives: (spec.collectives ?? ["mcollective"]).join(","),
    libdir,
    logfile: logFile,
    loglevel: "debug",
    "plugin.choria.middleware_hosts": `127.0.0.1:${port}`,
    "plugin.security.provider": "file",
    "plugin.security.file.certificate": tls.cert,
    "plugin.security.file.key": tls.key,
    "plugin.security.file.ca": tls.ca,
    "plugin.choria.ssldir": join(dir, "ssl"),
    factsource: "yaml",
    "plugin.yaml": factsFile,
    classesfile: classesFile,
    ...spec.extra,
  };
  const configFile = join(dir, "server.cfg");
  writeFileSync(configFile, Object.entries(lines).map(([k, v]) => `${k} = ${v}`).join("\n") + "\n");
  return { dir, configFile, factsFile, logFile };
}

/** Starts `./bin/mcompat server` for each spec and waits until every one serves all its agents. */
export async function startServers(specs: NodeSpec[], port: number): Promise<ServerNode[]> {
  return Promise.all(specs.map((spec) => startServer(spec, port)));
}

export async function startServer(spec: NodeSpec, port: number): Promise<ServerNode> {
  const files = await writeServerConfig(spec, port);
  return spawnServer(spec.identity, files);
}

/** Spawns the daemon on an existing config; resolves once its log matches `readyWhen` (all agents served, by default). */
export async function spawnServer(
  identity: string,
  files: { dir: string; configFile: string; factsFile: string; logFile: string },
  readyWhen = /serving agents: /,
  /** The daemon's stderr goes to this file instead of a pipe (read it as `logFile` when the log cannot be). */
  stderrFile?: string,
): Promise<ServerNode> {
  const stderr = stderrFile === undefined ? "pipe" : { file: stderrFile };
  const child: ResultPromise = execa(join(REPO, "bin", "mcompat"), ["server", "--config", files.configFile], { reject: false, stdin: "ignore", stdout: "pipe", stderr, all: true });
  let exited = false;
  void child.then(() => (exited = true));
  const log = () => (existsSync(files.logFile) ? readFileSync(files.logFile, "utf8") : "");
  await waitFor(() => readyWhen.test(log()), () => exited, async () => `server ${identity} did not start:\n${log()}\n${(await child).all}`);
  const node: ServerNode = {
    identity,
    ...files,
    pid: child.pid!,
    log,
    async reload() {
      const before = countOf(log(), /serving agents: /g);
      child.kill("SIGHUP");
      await waitFor(() => countOf(log(), /serving agents: /g) > before, () => exited, async () => `server ${identity} did not reload:\n${log()}`);
    },
    async stop() {
      if (!exited) child.kill("SIGTERM");
      return (await child).exitCode;
    },
  };
  return node;
}

function countOf(text: string, re: RegExp): number {
  return (text.match(re) ?? []).length;
}

/** Polls `ready` until true; fails with `why()` if the process exits or 20 s pass. */
export async function waitFor(ready: () => boolean, exited: () => boolean, why: () => Promise<string>): Promise<void> {
  for (let waited = 0; waited < 20_000; waited += 50) {
    if (ready()) return;
    if (exited()) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (ready()) return;
  throw new Error(await why());
}
