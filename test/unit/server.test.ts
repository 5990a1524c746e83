import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nativeAgents, RpcError, type NativeContext } from "../../src/agents/index.js";
import { Config } from "../../src/config/index.js";
import { createLogger } from "../../src/server/index.js";
import { ClassesFile, YamlFacts } from "../../src/server/facts.js";
import { agentDirs, findAgentFiles, resolveAgents } from "../../src/server/registry.js";

const quiet = createLogger({ level: "fatal" });

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "mcompat-server-unit-"));
}

function write(path: string, text: string): string {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  return path;
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("server: facts and classes", () => {
  it("merges several YAML fact files, a later file's keys winning, nested hashes kept", () => {
    const dir = tempDir();
    const a = write(join(dir, "a.yaml"), "country: uk\nos:\n  family: Debian\n");
    const b = write(join(dir, "b.yaml"), "country: de\nrole: web\n");
    assert.deepEqual(new YamlFacts([a, b], quiet).facts(), { country: "de", os: { family: "Debian" }, role: "web" });
  });

  it("reads the facts of a `puppet facts` dump from under values, and leaves a fact named values alone", () => {
    const dir = mkdtempSync(join(tmpdir(), "facts-"));
    const dump = write(join(dir, "dump.yaml"), "name: web1.example.net\nvalues:\n  country: uk\n  os: {family: Debian}\ntimestamp: '2026-11-22T01:00:00Z'\nexpiration: '2026-11-22T01:30:00Z'\n");
    assert.deepEqual(new YamlFacts([dump], quiet).facts(), { country: "uk", os: { family: "Debian" } });
    const plain = write(join(dir, "plain.yaml"), "name: web1\nvalues: {a: 1}\nrole: db\n");
    assert.deepEqual(new YamlFacts([plain], quiet).facts(), { name: "web1", values: { a: 1 }, role: "db" });
  });

  it("reads a fact file again when it changes, looking at it once per turn of the event loop", async () => {
    const dir = tempDir();
    const file = write(join(dir, "facts.yaml"), "role: db\n");
    const facts = new YamlFacts([file], quiet);
    assert.equal(facts.facts().role, "db");
    writeFileSync(file, "role: web\nteam: ops\n");
    // Requests handled in the same turn share one look at the file.
    assert.equal(facts.facts().role, "db");
    await nextTurn();
    assert.deepEqual(facts.facts(), { role: "web", team: "ops" });
  });

  it("keeps the last good facts when a file stops parsing, and says why", async () => {
    const dir = tempDir();
    const file = write(join(dir, "facts.yaml"), "role: db\n");
    const lines: string[] = [];
    const facts = new YamlFacts([file], { ...quiet, error: (m: string) => lines.push(m) });
    facts.facts();
    writeFileSync(file, "role: [unclosed\n");
    await nextTurn();
    assert.deepEqual(facts.facts(), { role: "db" });
    assert.match(lines.join("\n"), /cannot parse fact file .*facts\.yaml/);
  });

  it("keeps the last good facts when the files hold none (one caught truncated while it is rewritten), as the legacy daemon did", async () => {
    const dir = tempDir();
    const file = write(join(dir, "facts.yaml"), "role: db\n");
    const lines: string[] = [];
    const facts = new YamlFacts([file], { ...quiet, error: (m: string) => lines.push(m) });
    facts.facts();
    writeFileSync(file, "");
    await nextTurn();
    assert.deepEqual(facts.facts(), { role: "db" });
    assert.match(lines.join("\n"), /facts not reloaded, keeping the previous ones: the fact files .*facts\.yaml hold no facts/);
    writeFileSync(file, "role: web\n");
    await nextTurn();
    assert.deepEqual(facts.facts(), { role: "web" });
  });

  it("reads classes one per line, skipping blank lines", () => {
    const dir = tempDir();
    const file = write(join(dir, "classes.txt"), "role::web\n\n  nginx  \n");
    assert.deepEqual(new ClassesFile(file, quiet).classes(), ["role::web", "nginx"]);
    assert.deepEqual(new ClassesFile(join(dir, "missing.txt"), quiet).classes(), []);
  });
});

describe("server: logger", () => {
  it("writes lines at or above the configured level to the logfile", () => {
    const file = join(tempDir(), "server.log");
    const log = createLogger({ file, level: "warn", now: () => new Date("2026-01-02T03:04:05Z") });
    log.info("not shown");
    log.warn("shown");
    assert.equal(readFileSync(file, "utf8"), "2026-01-02T03:04:05.000Z WARN shown\n");
  });
});

describe("server: agent files", () => {
  it("finds agents in libdir and Forge-module layouts, the first file of each kind winning", () => {
    const lib = tempDir();
    write(join(lib, "mcollective", "agent", "echo.ddl"), "");
    write(join(lib, "mcollective", "agent", "echo.rb"), "");
    write(join(lib, "site_pkg", "files", "mcollective", "agent", "pkg.json"), "{}");
    write(join(lib, "site_pkg", "files", "mcollective", "agent", "pkg.rb"), "");
    write(join(lib, "site_pkg", "files", "mcollective", "agent", "echo.rb"), "");
    write(join(lib, "site_pkg", "files", "mcollective", "agent", "README.md"), "");
    const found = findAgentFiles(agentDirs([lib]));
    assert.equal(found.get("echo")?.rb, join(lib, "mcollective", "agent", "echo.rb"));
    assert.equal(found.get("pkg")?.ddlFile, join(lib, "site_pkg", "files", "mcollective", "agent", "pkg.json"));
    assert.equal(found.has("README"), false);
  });
});

describe("server: which agents serve", () => {
  const ddl = (name: string) => `metadata :name => "${name}", :description => "d", :author => "a", :license => "l", :version => "1", :url => "u", :timeout => 5\naction "go", :description => "go" do\nend\n`;

  it("serves agents with a DDL and an implementation, and says why the others are left out", () => {
    const lib = tempDir();
    const dir = join(lib, "mcollective", "agent");
    write(join(dir, "good.ddl"), ddl("good"));
    write(join(dir, "good.rb"), "");
    write(join(dir, "lonely.ddl"), ddl("lonely"));
    write(join(dir, "nodl.rb"), "");
    write(join(dir, "garbage.ddl"), "metadata :name =>");
    write(join(dir, "garbage.rb"), "");
    write(join(dir, "off.ddl"), ddl("off"));
    write(join(dir, "off.rb"), "");
    write(join(dir, "discovery.rb"), "");
    const config = Config.fromText("plugin.off.activate_agent = 0\n");
    const { agents, problems } = resolveAgents(config, findAgentFiles([dir]), ["rpcutil", "discovery"]);
    assert.deepEqual(agents.map((a) => `${a.name}:${a.kind}`), ["discovery:native", "good:ruby"]);
    const why = Object.fromEntries(problems.map((p) => [p.agent, p.reason]));
    assert.match(why.lonely, /has no implementation \(lonely\.rb not found\)/);
    assert.match(why.nodl, /no DDL file/);
    assert.match(why.garbage, /cannot read DDL .*garbage\.ddl/);
    assert.match(why.off, /deactivated by activate_agent/);
    assert.equal(why.discovery, undefined, "a native agent's Ruby file is no problem");
  });
});

describe("native agents: rpcutil and choria_util", () => {
  const config = Config.fromText("identity = n1.example.net\ncollectives = a,b\nplugin.x.y = 1\n");
  const ctx: NativeContext = {
    identity: "n1.example.net",
    config,
    configFile: "/etc/server.cfg",
    version: "9.9.9",
    pid: 42,
    startTime: 100,
    now: () => 160,
    facts: () => ({ country: "uk", os: { family: "Debian" } }),
    classes: () => ["role::web"],
    agents: () => [{ agent: "rpcutil", metadata: { name: "rpcutil", description: "d", author: "a", license: "l", version: "1", url: "u", timeout: 2 } }],
    counters: () => ({ total: 5, validated: 4, unvalidated: 1, filtered: 1, passed: 3, ttlexpired: 0, replies: 3 }),
    dataPlugins: () => ["fstat", "agent"],
    queryData: async (source) => (source === "agent" ? { loaded: true } : undefined),
    broker: () => ({ connected: "b1.example.net:4222", brokers: ["b1.example.net:4222", "b2.example.net:4222"], stats: { in_msgs: 7, out_msgs: 5, in_bytes: 700, out_bytes: 500, reconnects: 1 } }),
  };
  const rpcutil = nativeAgents().get("rpcutil")!;
  const run = (action: string, data: Record<string, unknown> = {}) => rpcutil.run(action, data, ctx);

  it("answers ping with the time", async () => {
    assert.deepEqual(await run("ping"), { pong: 160 });
  });

  it("reads facts by dot path", async () => {
    assert.deepEqual(await run("get_fact", { fact: "os.family" }), { fact: "os.family", value: "Debian" });
    assert.deepEqual(await run("get_facts", { facts: "country,missing" }), { values: { country: "uk", missing: null } });
  });

  it("reports the daemon's counters and collectives", async () => {
    const stats = await run("daemon_stats");
    assert.equal(stats.total, 5);
    assert.equal(stats.pid, 42);
    assert.deepEqual(await run("collective_info"), { main_collective: "a", collectives: ["a", "b"] });
    assert.deepEqual((await run("inventory")).data_plugins, ["agent", "fstat"]);
  });

  it("reads config items, plugin keys with or without the prefix, and rejects unknown ones with code 1", async () => {
    assert.deepEqual(await run("get_config_item", { item: "identity" }), { item: "identity", value: "n1.example.net" });
    assert.deepEqual(await run("get_config_item", { item: "x.y" }), { item: "x.y", value: "1" });
    await assert.rejects(async () => run("get_config_item", { item: "nosuch" }), (err: RpcError) => err.statuscode === 1 && err.message === "Unknown config property nosuch");
  });

  it("runs data plugins for get_data, code 1 for an unknown one", async () => {
    assert.deepEqual(await run("get_data", { source: "agent", query: "rpcutil" }), { loaded: true });
    await assert.rejects(async () => run("get_data", { source: "nope" }), /Unknown data plugin nope/);
  });

  it("choria_util info reports the security, the broker link and the SRV settings", async () => {
    const choriaUtil = nativeAgents().get("choria_util")!;
    const info = await choriaUtil.run("info", {}, ctx);
    assert.equal(info.security, "choria");
    assert.equal(info.connector_tls, true);
    assert.equal(info.choria_version, "mcompat 9.9.9");
    assert.equal(info.client_flavour, "@nats-io/transport-node");
    assert.match(String(info.client_version), /^\d+\.\d+\.\d+/);
    assert.equal(info.connected_server, "b1.example.net:4222");
    assert.deepEqual(info.middleware_servers, ["b1.example.net:4222", "b2.example.net:4222"]);
    assert.deepEqual(info.client_stats, { in_msgs: 7, out_msgs: 5, in_bytes: 700, out_bytes: 500, reconnects: 1 });
    // No facter fact source and no domain fact: the domain comes from the identity, as does the SRV domain.
    assert.equal(info.facter_domain, "example.net");
    assert.equal(info.facter_command, null);
    assert.equal(info.srv_domain, "example.net");
    assert.equal(info.using_srv, true);
    const fixed = await choriaUtil.run("info", {}, { ...ctx, config: Config.fromText("identity = n1.example.net\nplugin.choria.middleware_hosts = b1:4222\n") });
    assert.equal(fixed.using_srv, false);
    await assert.rejects(async () => choriaUtil.run("machine_states", {}, ctx), (err: RpcError) => err.statuscode === 2);
  });
});
