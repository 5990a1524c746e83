import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseJsonExact } from "../../src/protocol/index.js";
import type { RunningBroker } from "../../src/transport/index.js";
import { testBroker } from "../helpers/broker.js";
import { writeClientConfig } from "../helpers/fleet.js";
import { mcoProcess } from "../helpers/mco.js";
import { Requester } from "../helpers/requester.js";
import { FIXTURES, startServer, type ServerNode } from "../helpers/server.js";

const MAX_U64 = 2n ** 64n - 1n;
const NODES = { yaml: "exact-yaml.example.net", facter: "exact-facter.example.net", plugin: "exact-plugin.example.net" };

/** A libdir with the fixture agents bignum and factview and the fixture fact source plugin, nothing else. */
function libdirWithFixtures(): string {
  const libdir = mkdtempSync(join(tmpdir(), "mcompat-exact-"));
  const from = join(FIXTURES, "agents", "mcollective");
  mkdirSync(join(libdir, "mcollective", "agent"), { recursive: true });
  for (const file of ["bignum.rb", "bignum.ddl", "factview.rb", "factview.ddl"]) cpSync(join(from, "agent", file), join(libdir, "mcollective", "agent", file));
  cpSync(join(from, "facts"), join(libdir, "mcollective", "facts"), { recursive: true });
  return libdir;
}

describe("one view of facts and exact big integers, Ruby agents to mco --json", function () {
  this.timeout(120_000);
  let broker: RunningBroker;
  let nodes: ServerNode[];
  let client: Requester;
  let clientCfg: string;
  const libdir = libdirWithFixtures();

  before(async () => {
    broker = await testBroker();
    // The fact file is a `puppet facts` dump, the form sites write, holding a 64-bit limit.
    const dump = join(libdir, "puppet-facts.yaml");
    writeFileSync(dump, `name: ${NODES.yaml}\nvalues:\n  big_fact: ${MAX_U64}\n  os:\n    family: Debian\n  role: db\ntimestamp: 2026-11-29 10:00:00 +0000\nexpiration: 2026-11-29 10:30:00 +0000\n`);
    // Beside it a plain YAML fact file: plugin.yaml merges both.
    const plain = join(libdir, "plain-facts.yaml");
    writeFileSync(plain, "country: uk\ntags:\n  - prod\n  - database\n");
    const common = { libdir, extra: { "plugin.mcompat.ruby.workers": "1" } };
    nodes = [
      await startServer({ identity: NODES.yaml, factsFile: dump, ...common, extra: { ...common.extra, "plugin.yaml": `${plain}:${dump}` } }, broker.port),
      await startServer({ identity: NODES.facter, factsFile: dump, ...common, extra: { ...common.extra, factsource: "facter" } }, broker.port),
      await startServer({ identity: NODES.plugin, factsFile: dump, ...common, extra: { ...common.extra, factsource: "fixture" } }, broker.port),
    ];
    client = await Requester.connect(broker.port, Object.values(NODES));
    clientCfg = await writeClientConfig(broker.port, "tester", [`libdir = ${libdir}`]);
  });

  after(async () => {
    await client?.close();
    await Promise.all((nodes ?? []).map((n) => n.stop()));
    await broker?.stop();
  });

  const call = async (node: string, agent: string, action: string, data: Record<string, unknown>) =>
    (await client.request({ agent, action, data, targets: [node], expect: [node] }))[0].rpc!;
  /** What a Ruby agent's MCollective::Facts[fact] gives, and what the server's rpcutil get_fact gives. */
  const bothViews = async (node: string, fact: string) => {
    const ruby = (await call(node, "factview", "get", { fact })).data;
    assert.deepEqual(ruby.from_plugin, ruby.value, "PluginManager['facts_plugin'] and Facts agree");
    return [ruby.value, (await call(node, "rpcutil", "get_fact", { fact })).data.value];
  };
  /** The nodes answering a broadcast with one -F fact rule; waits for `expected`, then for every node's barrier ping. */
  const matching = async (fact: string, value: string, expected: string[]) =>
    (await client.request({ agent: "rpcutil", action: "ping", filter: { fact: [{ fact, operator: "==", value }] }, expect: expected })).map((r) => r.sender).sort();

  it("carries integers beyond 2^53 exactly: Ruby's reply, a request input, a fact, through mco --json", async () => {
    const input = MAX_U64 + 2n;
    const r = await mcoProcess(["rpc", "bignum", "limits", `value=${input}`, "-I", NODES.yaml, "--json", "-c", clientCfg]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /"rlim": ?18446744073709551615\b/);
    const [reply] = parseJsonExact(r.stdout) as Array<{ data: Record<string, unknown> }>;
    assert.deepEqual(reply.data, { rlim: MAX_U64, next: input + 1n, value_class: "Integer", fact: MAX_U64 });
    const fact = await mcoProcess(["rpc", "rpcutil", "get_fact", "fact=big_fact", "-I", NODES.yaml, "--json", "-c", clientCfg]);
    assert.match(fact.stdout, /"value": ?18446744073709551615\b/);
  });

  it("gives a Ruby agent the facts of plain YAML and of a puppet facts dump, merged, as the server's filters see them", async () => {
    assert.deepEqual(await bothViews(NODES.yaml, "country"), ["uk", "uk"]);
    assert.deepEqual(await bothViews(NODES.yaml, "tags.1"), ["database", "database"]);
    assert.deepEqual(await bothViews(NODES.yaml, "os.family"), ["Debian", "Debian"]);
    assert.deepEqual(await bothViews(NODES.yaml, "role"), ["db", "db"]);
    assert.deepEqual(await matching("role", "db", [NODES.yaml]), [NODES.yaml]);
  });

  it("gives a Ruby agent facter's facts when the server reads facter", async () => {
    const family = execFileSync("facter", ["os.family"], { encoding: "utf8" }).trim();
    assert.deepEqual(await bothViews(NODES.facter, "os.family"), [family, family]);
  });

  it("runs a fact source plugin from the libdir for the server, its filters and its Ruby agents alike", async () => {
    assert.deepEqual(await bothViews(NODES.plugin, "answer"), ["42", "42"]);
    assert.deepEqual(await bothViews(NODES.plugin, "nested.level"), ["2", "2"]);
    assert.deepEqual(await matching("role", "custom", [NODES.plugin]), [NODES.plugin]);
  });
});
