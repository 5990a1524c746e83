import assert from "node:assert/strict";
import { join } from "node:path";
import type { RunningBroker } from "../../src/transport/index.js";
import { testBroker } from "../helpers/broker.js";
import { writeClientConfig } from "../helpers/fleet.js";
import { mco, mcoProcess } from "../helpers/mco.js";
import { FIXTURES, fixtureLibdir, startServer, type ServerNode } from "../helpers/server.js";

const IDS = ["node1.example.net", "node2.example.net", "node3.example.net"];

describe("mco against three real `mcompat server` daemons (Ruby agents included)", function () {
  this.timeout(60_000);
  let broker: RunningBroker;
  let nodes: ServerNode[];
  let cfg: string;
  const c = () => ["-c", cfg];

  before(async () => {
    broker = await testBroker();
    const libdir = fixtureLibdir(["echo"]);
    nodes = [];
    for (const [i, identity] of IDS.entries()) {
      const n = i + 1;
      nodes.push(
        await startServer(
          { identity, factsFile: join(FIXTURES, "facts", `node${n}.yaml`), classesFile: join(FIXTURES, "facts", `node${n}.classes.txt`), libdir },
          broker.port,
        ),
      );
    }
    cfg = await writeClientConfig(broker.port, "fleet", [`libdir = ${libdir}`, "plugin.choria.discovery.broadcast.windowed_timeout = 1"]);
  });

  after(async () => {
    await Promise.all((nodes ?? []).map((n) => n.stop()));
    await broker?.stop();
  });

  it("mco ping: every daemon answers, exit 0", async () => {
    const r = await mco(["ping", "-t", "2", ...c()]);
    assert.equal(r.code, 0);
    assert.deepEqual(
      r.stdout.split("\n").filter((l) => l.includes("time=")).map((l) => l.split(" ")[0]).sort(),
      IDS,
    );
    assert.match(r.stdout, /---- ping statistics ----\n3 replies max: /);
  });

  it("mco find with -F, -C, -A, -S and -I selects as the daemons' filters do", async () => {
    const find = async (...args: string[]) => (await mco(["find", ...args, ...c()])).stdout.trim().split("\n").filter((l) => l !== "").sort();
    assert.deepEqual(await find("-F", "country=uk"), ["node1.example.net", "node2.example.net"]);
    assert.deepEqual(await find("-C", "role::web"), ["node2.example.net", "node3.example.net"]);
    assert.deepEqual(await find("-S", "country=uk and role=db"), ["node1.example.net"]);
    assert.deepEqual(await find("-A", "echo", "-F", "country=de"), ["node3.example.net"]);
    assert.deepEqual(await find("-I", "/node[12]/"), ["node1.example.net", "node2.example.net"]);
    const none = await mco(["find", "-F", "country=xx", "--dt", "1", ...c()]);
    assert.equal(none.code, 1);
  });

  it("filters written with Ruby regex syntax select on the daemons as on a legacy fleet", async () => {
    const find = async (...args: string[]) => (await mco(["find", ...args, ...c()])).stdout.trim().split("\n").filter((l) => l !== "").sort();
    assert.deepEqual(await find("-F", "role=/\\Adb\\z/"), ["node1.example.net"]);
    assert.deepEqual(await find("-S", "not role=/\\Adb/"), ["node2.example.net", "node3.example.net"]);
    assert.deepEqual(await find("-I", "/\\Anode[[:digit:]]\\.example\\.net\\z/", "-C", "/\\Arole::web\\z/"), ["node2.example.net", "node3.example.net"]);
  });

  it("mco rpc rpcutil ping: labelled blocks for every node, summary, exit 0", async () => {
    const r = await mco(["rpc", "rpcutil", "ping", ...c()]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "Discovering hosts using the mc method for 2 second(s) .... 3\n");
    assert.equal((r.stdout.match(/\n {3}Timestamp: \d+\n/g) ?? []).length, 3);
    assert.match(r.stdout, /\n\n\nFinished processing 3 \/ 3 hosts in [\d.]+ ms\n\n$/);
  });

  it("a Ruby agent through the workers: arguments typed by the DDL, reply labelled", async () => {
    const r = await mco(["rpc", "echo", "echo", "message=hello", "-I", "node2.example.net", ...c()]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /\nnode2\.example\.net {24}\n/);
    assert.match(r.stdout, / Message: hello\n/);
    assert.match(r.stdout, / Caller: choria=fleet\.mcollective\n/);
  });

  it("a failing action: exit 2 with mco's status text and message", async () => {
    const r = await mco(["rpc", "rpcutil", "get_config_item", "item=nosuchitem", "-I", "node1.example.net", ...c()]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stdout, /\nnode1\.example\.net {24}Request Aborted\n {3}Unknown config property nosuchitem\n/);
  });

  it("a silent node: listed under 'No response from:', exit 0", async () => {
    const r = await mco(["rpc", "rpcutil", "ping", "-I", "node1.example.net", "-I", "gone.example.net", "-t", "1", ...c()]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Finished processing 1 \/ 2 hosts in [\d.]+ ms\n\nNo response from:\n\n {4}gone\.example\.net/);
  });

  it("nothing discovered: exit 1; --json still prints []", async () => {
    const r = await mco(["rpc", "rpcutil", "ping", "-F", "country=xx", "--json", "--dt", "1", ...c()]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "[]\n");
  });

  it("--json from real daemons carries the reply data", async () => {
    const r = await mco(["rpc", "rpcutil", "get_fact", "fact=country", "-j", "--sort", ...c()]);
    const parsed = JSON.parse(r.stdout) as Array<{ sender: string; data: { value: unknown } }>;
    assert.deepEqual(parsed.map((p) => [p.sender, p.data.value]), [
      ["node1.example.net", "uk"],
      ["node2.example.net", "uk"],
      ["node3.example.net", "de"],
    ]);
  });

  it("the real bin/mco process drives a daemon end to end", async () => {
    const r = await mcoProcess(["rpc", "rpcutil", "ping", "-I", "node3.example.net", "-c", cfg]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Finished processing 1 \/ 1 hosts/);
  });
});
