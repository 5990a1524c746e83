import assert from "node:assert/strict";
import { join } from "node:path";
import type { RunningBroker } from "../../src/transport/index.js";
import { testBroker } from "../helpers/broker.js";
import { brokerForgets, startFederationBroker, type FederationBrokerProcess } from "../helpers/federation.js";
import { writeClientConfig } from "../helpers/fleet.js";
import { mco, mcoProcess } from "../helpers/mco.js";
import { testCert } from "../helpers/pki.js";
import { connectBroker } from "../../src/transport/index.js";
import { FIXTURES, NATIVE_ONLY, startServer, type ServerNode } from "../helpers/server.js";

/** Two member networks, each on its own broker; `ops` is a subcollective with one node on each side. */
const NODES = [
  { identity: "east1.example.net", network: "east", facts: "node1", collectives: ["mcollective", "ops"] },
  { identity: "east2.example.net", network: "east", facts: "node3", collectives: ["mcollective"] },
  { identity: "west1.example.net", network: "west", facts: "node2", collectives: ["mcollective"] },
  { identity: "west2.example.net", network: "west", facts: "node3", collectives: ["mcollective", "ops"] },
];
const ALL = NODES.map((n) => n.identity).sort();

/** The node names of `mco ping` output. */
const pinged = (stdout: string) => stdout.split("\n").filter((l) => l.includes("time=")).map((l) => l.split(" ")[0]).sort();
/** The senders of `mco rpc --json` output. */
const senders = (stdout: string) => (JSON.parse(stdout) as Array<{ sender: string; statuscode: number }>).map((r) => `${r.sender}:${r.statuscode}`).sort();

describe("federation: two collectives on two brokers joined by two federation broker instances", function () {
  this.timeout(60_000);
  let federation: RunningBroker;
  const members: Record<string, RunningBroker> = {};
  let nodes: ServerNode[] = [];
  let instances: FederationBrokerProcess[] = [];
  let cfg: string;
  const c = () => ["-c", cfg];

  before(async () => {
    [federation, members.east, members.west] = await Promise.all([testBroker({ monitor: true }), testBroker({ monitor: true }), testBroker({ monitor: true })]);
    nodes = await Promise.all(
      NODES.map((n) =>
        startServer({ identity: n.identity, factsFile: join(FIXTURES, "facts", `${n.facts}.yaml`), collectives: n.collectives, extra: NATIVE_ONLY }, members[n.network].port),
      ),
    );
    instances = await Promise.all(["fed1.example.net", "fed2.example.net"].map((id) => startFederationBroker(id, federation, members)));
    // The client knows only the federation network's broker.
    cfg = await writeClientConfig(federation.port, "fed", ["collectives = mcollective,ops", "plugin.choria.federation.collectives = east,west"]);
  });

  after(async () => {
    await Promise.all(instances.map((i) => i.kill("SIGTERM")));
    await Promise.all(nodes.map((n) => n.stop()));
    await Promise.all([federation, ...Object.values(members)].map((b) => b?.stop()));
  });

  it("mco ping from the federation network reaches the nodes of both collectives", async () => {
    const r = await mco(["ping", "-t", "2", ...c()]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(pinged(r.stdout), ALL);
  });

  it("a filtered mco rpc reaches the matching nodes on both sides", async () => {
    const r = await mco(["rpc", "rpcutil", "ping", "-F", "country=de", "--json", ...c()]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(senders(r.stdout), ["east2.example.net:0", "west2.example.net:0"]);
  });

  it("-T selects a subcollective across the federation; CHORIA_FED_COLLECTIVE one member network", async () => {
    const ops = await mco(["ping", "-t", "2", "-T", "ops", ...c()]);
    assert.deepEqual(pinged(ops.stdout), ["east1.example.net", "west2.example.net"]);
    // The real program, reading the variable from its environment.
    const west = await mcoProcess(["ping", "-t", "2", ...c()], { CHORIA_FED_COLLECTIVE: "west" });
    assert.deepEqual(pinged(west.stdout), ["west1.example.net", "west2.example.net"]);
    const unknown = await mco(["ping", "-t", "2", "-T", "nosuch", ...c()]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Unknown collective 'nosuch'/);
  });

  it("a malformed message on the federation network is dropped with a log line saying why", async () => {
    const nc = await connectBroker({ brokers: [{ host: "127.0.0.1", port: federation.port }], tls: await testCert("rogue.mcollective"), name: "rogue", mode: "client" });
    nc.publish("choria.federation.east.federation", '{"protocol":"choria:transport:1","data":"","headers":{"reply-to":"x.reply.1"}}');
    await nc.flush();
    await nc.close();
    const dropped = /WARN dropped a request for east: request has no federation header/;
    for (let i = 0; i < 200 && !instances.some((x) => dropped.test(x.log())); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(instances.some((x) => dropped.test(x.log())), instances.map((x) => x.log()).join("\n"));
    // Both instances still serve.
    assert.deepEqual(pinged((await mco(["ping", "-t", "2", ...c()])).stdout), ALL);
  });

  it("one instance killed (SIGKILL): once the brokers drop it, the other carries every request", async () => {
    await instances[0].kill("SIGKILL");
    await Promise.all([federation, members.east, members.west].map((b) => brokerForgets(b, instances[0].identity)));
    const ping = await mco(["ping", "-t", "2", ...c()]);
    assert.deepEqual(pinged(ping.stdout), ALL);
    const rpc = await mco(["rpc", "rpcutil", "ping", "-F", "role=web", "--json", ...c()]);
    assert.deepEqual(senders(rpc.stdout), ["east2.example.net:0", "west1.example.net:0", "west2.example.net:0"]);
    // A replacement joins the queue groups for the next test.
    instances[0] = await startFederationBroker("fed3.example.net", federation, members);
  });

  it("one instance stopped mid-run (SIGTERM) while requests are in flight: nothing lost", async () => {
    const runs = Promise.all([
      mco(["ping", "-t", "3", ...c()]),
      mco(["rpc", "rpcutil", "ping", "--json", ...c()]),
      mco(["rpc", "rpcutil", "ping", "-F", "country=uk", "--json", ...c()]),
    ]);
    await new Promise((r) => setTimeout(r, 300));
    await instances[1].kill("SIGTERM");
    const [ping, all, uk] = await runs;
    assert.deepEqual(pinged(ping.stdout), ALL);
    assert.deepEqual(senders(all.stdout), ALL.map((n) => `${n}:0`));
    assert.deepEqual(senders(uk.stdout), ["east1.example.net:0", "west1.example.net:0"]);
    assert.match(instances[1].log(), /federation broker fed2\.example\.net stopped: \d+ request\(s\), \d+ reply\(ies\) forwarded, \d+ dropped/);
  });
});
