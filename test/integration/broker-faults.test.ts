import assert from "node:assert/strict";
import { join } from "node:path";
import type { RunningBroker } from "../../src/transport/index.js";
import { testBroker, testCluster, type TestCluster } from "../helpers/broker.js";
import { writeClientConfig } from "../helpers/fleet.js";
import { legacyWireLines, writeLegacyClientConfig, type LegacyWire } from "../helpers/legacy.js";
import { mcoProcess } from "../helpers/mco.js";
import { report } from "../helpers/observer.js";
import { Requester } from "../helpers/requester.js";
import { tcpRelay } from "../helpers/relay.js";
import { testActiveMq, testRabbitMq } from "../helpers/stomp-broker.js";
import { FIXTURES, fixtureLibdir, NATIVE_ONLY, spawnServer, startServer, waitFor, writeServerConfig, type ServerNode } from "../helpers/server.js";

const IDS = ["routed1.example.net", "routed2.example.net"];

/** The client port of the broker a daemon is on now, from its last `connected to` / `reconnected to` line. */
function brokerPort(node: ServerNode): number {
  const seen = [...node.log().matchAll(/connected to 127\.0\.0\.1:(\d+)/g)];
  return Number(seen.at(-1)![1]);
}

const sawLine = (node: ServerNode, re: RegExp, what: string) => waitFor(() => re.test(node.log()), () => false, async () => `${node.identity} ${what}:\n${node.log()}`);

describe("a 3-broker NATS cluster losing a member: servers and clients fail over, nothing accepted is lost", function () {
  this.timeout(90_000);
  let cluster: TestCluster;
  let nodes: ServerNode[];
  const clients: Requester[] = [];

  before(async () => {
    cluster = await testCluster(3);
    const hosts = cluster.ports.map((p) => `127.0.0.1:${p}`).join(",");
    const libdir = fixtureLibdir(["faults"]);
    nodes = await Promise.all(
      IDS.map((identity, i) => startServer({ identity, factsFile: join(FIXTURES, "facts", `node${i + 1}.yaml`), libdir, extra: { ...NATIVE_ONLY, "plugin.choria.middleware_hosts": hosts } }, cluster.ports[0])),
    );
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all((nodes ?? []).map((n) => n.stop()));
    await cluster?.stop();
  });

  const connect = async (ports: number[]) => {
    const client = await Requester.connect(ports, IDS);
    clients.push(client);
    return client;
  };
  const discover = async (client: Requester) => (await client.request({ agent: "discovery", message: JSON.stringify("ping"), expect: IDS })).map((r) => r.sender).sort();

  it("a server whose broker is killed mid-request reconnects to another member, and its reply still reaches the caller", async () => {
    const [a] = nodes;
    const dead = cluster.ports.indexOf(brokerPort(a));
    const caller = await connect([cluster.ports[(dead + 1) % 3]]);
    const start = performance.now();
    const pending = caller.request({ agent: "faults", action: "nap", data: { seconds: 3 }, targets: [a.identity], expect: [a.identity] });
    await sawLine(a, /running faults#nap/, "did not start the nap");
    await cluster.kill(dead);
    const [reply] = await pending;
    const replyMs = Math.round(performance.now() - start);
    assert.equal(reply.rpc?.statuscode, 0);
    assert.equal(reply.rpc?.data.status, "rested");
    await sawLine(a, /reconnected to 127\.0\.0\.1:\d+; subscriptions restored/, "did not reconnect");
    assert.notEqual(brokerPort(a), cluster.ports[dead]);
    assert.deepEqual(await discover(caller), IDS);
    report("cluster member killed mid-request (server side)", { tried: 1, outcome: "reply delivered after failover", replyMs, napMs: 3000 });
    await cluster.restart(dead);
  });

  it("a client whose broker is killed reconnects to another member and is answered there", async () => {
    // A client on a member no daemon uses, listing all three; the connection picks one at random.
    const free = cluster.ports.filter((p) => !nodes.some((n) => brokerPort(n) === p));
    let client: Requester | undefined;
    for (let tries = 0; tries < 40 && client === undefined; tries++) {
      const candidate = await Requester.connect(cluster.ports, IDS);
      if (free.includes(Number(candidate.server().split(":")[1]))) client = candidate;
      else await candidate.close();
    }
    assert.ok(client, "no connection landed on a member free of daemons");
    clients.push(client);
    const lost = client.server();
    const dead = cluster.ports.indexOf(Number(lost.split(":")[1]));
    const start = performance.now();
    await cluster.kill(dead);
    await waitFor(() => client.server() !== lost, () => false, async () => `the client stayed on ${lost}`);
    assert.deepEqual(await discover(client), IDS);
    report("cluster member killed (client side)", { tried: 1, outcome: "reconnected to another member, answered", answeredMs: Math.round(performance.now() - start) });
    await cluster.restart(dead);
  });

  it("mco listing every member, one of them dead, reaches every node", async () => {
    const dead = cluster.ports.findIndex((p) => !nodes.some((n) => brokerPort(n) === p));
    await cluster.kill(dead);
    const cfg = await writeClientConfig([cluster.ports[dead], ...cluster.ports.filter((_, i) => i !== dead)]);
    const run = await mcoProcess(["rpc", "rpcutil", "ping", "-I", IDS[0], "-I", IDS[1], "--json", "-c", cfg]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual((JSON.parse(run.stdout) as Array<{ sender: string }>).map((r) => r.sender).sort(), IDS);
    report("cluster member dead, mco lists it", { tried: 1, outcome: "served by the others" });
    await cluster.restart(dead);
  });
});

describe("the only broker killed mid-request: the client says what it did not get, the server comes back", function () {
  this.timeout(60_000);
  const identity = "alone.example.net";
  let broker: RunningBroker;
  let node: ServerNode;
  let cfg: string;
  const libdir = fixtureLibdir(["faults"]);

  before(async () => {
    broker = await testBroker();
    node = await startServer({ identity, factsFile: join(FIXTURES, "facts", "node1.yaml"), libdir, extra: NATIVE_ONLY }, broker.port);
    // The client reads the agent's DDL to type seconds=2 as an Integer, as mco did.
    cfg = await writeClientConfig(broker.port, "tester", [`libdir = ${libdir}`]);
  });

  after(async () => {
    await node?.stop();
    await broker?.stop();
  });

  it("holds a reply finished while its broker connection is down and sends it once reconnected", async () => {
    const relay = await tcpRelay(broker.port);
    const files = await writeServerConfig({ identity: "relayed.example.net", factsFile: join(FIXTURES, "facts", "node2.yaml"), libdir, extra: { ...NATIVE_ONLY, "plugin.choria.middleware_hosts": `127.0.0.1:${relay.port}` } }, relay.port);
    const relayed = await spawnServer("relayed.example.net", files);
    const client = await Requester.connect(broker.port, [relayed.identity]);
    try {
      const pending = client.request({ agent: "faults", action: "nap", data: { seconds: 1 }, targets: [relayed.identity], expect: [relayed.identity] });
      await sawLine(relayed, /running faults#nap/, "did not start the nap");
      await relay.cut();
      await sawLine(relayed, /lost the broker connection/, "did not notice the cut");
      // The nap ends while the connection is down: its reply is published then, and must wait for the next connection.
      await new Promise((r) => setTimeout(r, 3000));
      await relay.mend();
      const [reply] = await pending;
      assert.equal(reply.rpc?.data.status, "rested");
      assert.match(relayed.log(), /reconnected to/);
      report("reply finished while the broker connection was down", { tried: 1, outcome: "held, sent on reconnect" });
    } finally {
      await client.close();
      await relayed.stop();
      await relay.close();
    }
  });

  it("mco reports the node that did not answer, with exit code 4 (no discovery, no replies); once the broker is back the node resubscribes and serves", async () => {
    const port = broker.port;
    const call = mcoProcess(["rpc", "faults", "nap", "seconds=2", "-I", identity, "-t", "4", "-c", cfg]);
    await sawLine(node, /running faults#nap/, "did not start the nap");
    process.kill(broker.pid, "SIGKILL");
    await broker.stop();
    const cut = await call;
    assert.equal(cut.code, 4, cut.stdout + cut.stderr);
    assert.match(cut.stdout, new RegExp(`No response from:\\s+${identity.replaceAll(".", "\\.")}`));
    broker = await testBroker({ port });
    await sawLine(node, /reconnected to 127\.0\.0\.1:\d+; subscriptions restored/, "did not reconnect");
    const back = await mcoProcess(["rpc", "faults", "ok", "-I", identity, "--json", "-c", cfg]);
    assert.equal(back.code, 0, back.stderr);
    assert.equal((JSON.parse(back.stdout) as Array<{ data: { status: string } }>)[0].data.status, "alive");
    report("only broker killed mid-request", { tried: 1, outcome: "mco: No response from, exit 4; served after restart" });
  });
});

type StompBroker = { port: number; stop(): Promise<void> };

// ActiveMQ keeps a reply queue through its restart; RabbitMQ's reply temp-queue dies with the connection that made it.
const RESTARTED: Array<{ connector: LegacyWire["connector"]; name: string; start(port?: number): Promise<StompBroker>; delivered: boolean }> = [
  { connector: "activemq", name: "ActiveMQ", start: (port) => testActiveMq({ port }), delivered: true },
  { connector: "rabbitmq", name: "RabbitMQ", start: (port) => testRabbitMq(["mcollective"], { port }), delivered: false },
];

for (const { connector, name, start, delivered } of RESTARTED) {
  describe(`${name} restarted mid-request (psk): a whole daemon and mco`, function () {
    this.timeout(90_000);
    const identity = "stomped.example.net";
    let broker: StompBroker;
    let node: ServerNode;
    let cfg: string;

    before(async () => {
      broker = await start();
      const wire: LegacyWire = { connector, port: broker.port, security: "psk" };
      const libdir = fixtureLibdir(["faults"]);
      const quick = { [`plugin.${connector}.max_reconnect_delay`]: "1" };
      const files = await writeServerConfig({ identity, factsFile: join(FIXTURES, "facts", "node1.yaml"), libdir, extra: { ...NATIVE_ONLY, ...legacyWireLines(wire), ...quick } }, broker.port);
      node = await spawnServer(identity, files);
      // A connect_timeout far beyond mcoProcess's 60 s: a timer left behind by a failed attempt would hold mco past it.
      cfg = writeLegacyClientConfig("mco-client.example.net", wire, { libdir, ...quick, [`plugin.${connector}.connect_timeout`]: "300" });
    });

    after(async () => {
      await node?.stop();
      await broker?.stop();
    });

    const outcome = delivered ? "the reply made while the broker restarts reaches mco through its reply queue" : "the reply is lost with its temp-queue, mco reports the node missing (exit 4)";
    it(`${outcome}, and mco exits; the daemon serves again`, async () => {
      const call = mcoProcess(["rpc", "faults", "nap", "seconds=3", "-I", identity, "-t", "8", "--json", "--config", cfg]);
      await sawLine(node, /running faults#nap/, "did not start the nap");
      const port = broker.port;
      await broker.stop();
      broker = await start(port);
      const run = await call;
      const replies = JSON.parse(run.stdout || "[]") as Array<{ data: { status: string } }>;
      assert.deepEqual([run.code, replies.map((r) => r.data.status)], delivered ? [0, ["rested"]] : [4, []], run.stdout + run.stderr);
      await sawLine(node, /reconnected to/, "did not reconnect");
      const again = await mcoProcess(["rpc", "faults", "ok", "-I", identity, "--json", "--config", cfg]);
      assert.equal(again.code, 0, again.stderr);
      report(`${name} restarted mid-request`, { tried: 1, outcome: delivered ? "reply delivered; mco exits" : "reported missing, exit 4; served after" });
    });
  });
}
