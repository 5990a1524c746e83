import assert from "node:assert/strict";
import { join } from "node:path";
import { DiscardPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { execa } from "execa";
import { readStreamInventory, OUTPUT_PROTOCOL } from "../../src/streams/index.js";
import { connectBroker, type NatsConnection, type RunningBroker } from "../../src/transport/index.js";
import { startAdapters } from "../helpers/adapter.js";
import { testBroker } from "../helpers/broker.js";
import { writeClientConfig } from "../helpers/fleet.js";
import { mco, mcoProcess } from "../helpers/mco.js";
import { testCert } from "../helpers/pki.js";
import { FIXTURES, NATIVE_ONLY, REPO, startServer, type ServerNode } from "../helpers/server.js";

const NODES = [
  { identity: "node1.example.net", collectives: ["mcollective", "ops"] },
  { identity: "node2.example.net", collectives: ["mcollective"] },
  { identity: "node3.example.net", collectives: ["mcollective"] },
];
const ALL = NODES.map((n) => n.identity);
const STREAM = "REGISTRATION";

describe("registration on a JetStream stream (real nats-server with JetStream)", function () {
  this.timeout(60_000);
  let broker: RunningBroker;
  let adapter: Awaited<ReturnType<typeof startAdapters>>;
  let nodes: ServerNode[] = [];
  let nc: NatsConnection;
  let cfg: string;
  const find = async (...args: string[]) => (await mco(["find", "--dm", "stream", ...args, "-c", cfg])).stdout.trim().split("\n").filter((l) => l !== "").sort();

  before(async () => {
    broker = await testBroker({ jetstream: true });
    adapter = await startAdapters(broker, {
      registration: {
        type: "choria_streams",
        "ingest.topic": "*.broadcast.agent.registration",
        "ingest.protocol": "request",
        "stream.topic": "choria.registration.%s",
        "stream.max_age": "1h",
        "stream.max_bytes": "10000000",
        "stream.max_msgs_per_subject": "3",
      },
      // Replies too, when asked: every reply a node sends, under its own subject.
      replies: { type: "jetstream", "ingest.topic": "mcollective.reply.>", "stream.topic": "choria.replies.%s", "stream.max_age": "10m" },
    });
    nodes = await Promise.all(
      NODES.map((n, i) =>
        startServer(
          {
            identity: n.identity,
            factsFile: join(FIXTURES, "facts", `node${i + 1}.yaml`),
            classesFile: join(FIXTURES, "facts", `node${i + 1}.classes.txt`),
            collectives: n.collectives,
            extra: { ...NATIVE_ONLY, registration: "inventory_content", registerinterval: "1" },
          },
          broker.port,
        ),
      ),
    );
    nc = await connectBroker({ brokers: [{ host: "127.0.0.1", port: broker.port }], tls: await testCert("reader.mcollective"), name: "reader", mode: "client" });
    cfg = await writeClientConfig(broker.port, "streams", ["collectives = mcollective,ops"]);
  });

  after(async () => {
    await nc?.close();
    await Promise.all(nodes.map((n) => n.stop()));
    await adapter?.stop();
    await broker?.stop();
  });

  it("the adapter creates the stream with its limits and fills it with every node's registration", async () => {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(STREAM);
    assert.deepEqual(info.config.subjects, ["choria.registration.>"]);
    assert.equal(info.config.max_age, 3600 * 1e9);
    assert.equal(info.config.max_bytes, 10_000_000);
    assert.equal(info.config.max_msgs_per_subject, 3);
    // Registration runs every second: wait (bounded) until each node has a record.
    for (let i = 0; i < 200 && (await readStreamInventory(nc, STREAM)).nodes.length < ALL.length; i++) await new Promise((r) => setTimeout(r, 100));
    const stored = await jsm.streams.getMessage(STREAM, { last_by_subj: "choria.registration.node2.example.net" });
    assert.ok(stored, "node2 has a record under its own subject");
    const record = JSON.parse(stored.string());
    assert.deepEqual(Object.keys(record), ["protocol", "data", "sender", "time", "requestid"]);
    assert.equal(record.protocol, OUTPUT_PROTOCOL);
    assert.equal(record.sender, "node2.example.net");
    assert.match(record.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(record.requestid, /^[0-9a-f]{32}$/);
    assert.equal(JSON.parse(record.data).protocol, "choria:registration:inventorycontent:1");
  });

  it("the inventory read from the stream (and printed by mcompat adapter inventory) has every node with its facts, classes, agents and collectives", async () => {
    const { nodes: inventory } = await readStreamInventory(nc, STREAM);
    assert.deepEqual(inventory.map((n) => n.name), ALL);
    const node1 = inventory[0];
    assert.deepEqual(node1.collectives, ["mcollective", "ops"]);
    assert.equal(node1.facts?.country, "uk");
    assert.ok(node1.agents?.includes("rpcutil"));
    assert.ok((node1.classes ?? []).length > 0);
    // The same document from the command line, as --dm inventory would read it.
    const printed = await execa(join(REPO, "bin", "mcompat"), ["adapter", "inventory", "--config", cfg]);
    assert.deepEqual((JSON.parse(printed.stdout) as { nodes: Array<{ name: string }> }).nodes.map((n) => n.name), ALL);
  });

  it("--dm stream finds every node, and filters as the nodes would", async () => {
    assert.deepEqual(await find(), ALL);
    assert.deepEqual(await find("-F", "country=uk"), ["node1.example.net", "node2.example.net"]);
    assert.deepEqual(await find("-C", "role::web"), ["node2.example.net", "node3.example.net"]);
    assert.deepEqual(await find("-S", "country=uk and role=db"), ["node1.example.net"]);
    assert.deepEqual(await find("-T", "ops"), ["node1.example.net"]);
    // The bundled program loads the method on use.
    const bundled = await mcoProcess(["find", "--dm", "jetstream", "-c", cfg]);
    assert.deepEqual(bundled.stdout.trim().split("\n").sort(), ALL);
  });

  it("mco rpc with --dm stream calls exactly the nodes the stream names; the replies adapter keeps their answers, at least once", async () => {
    // The REPLIES stream refuses new records for now (one record, at most one, discard new): the adapter must keep trying.
    const jsm = await jetstreamManager(nc);
    await jetstream(nc).publish("choria.replies.placeholder", "{}");
    const open = (await jsm.streams.info("REPLIES")).config;
    await jsm.streams.update("REPLIES", { ...open, max_msgs: 1, discard: DiscardPolicy.New });
    const r = await mco(["rpc", "rpcutil", "ping", "--dm", "stream", "-F", "role=web", "--json", "-c", cfg]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as Array<{ sender: string }>).map((x) => x.sender).sort(), ["node2.example.net", "node3.example.net"]);
    const refused = /adapter replies: stream REPLIES did not take message \w+ from node[23]\.example\.net, trying again/;
    for (let i = 0; i < 200 && !refused.test(adapter.log()); i++) await new Promise((res) => setTimeout(res, 50));
    assert.match(adapter.log(), refused);
    await jsm.streams.update("REPLIES", open);
    const replyOf = async (node: string) => {
      for (let i = 0; i < 100; i++) {
        const stored = await jsm.streams.getMessage("REPLIES", { last_by_subj: `choria.replies.${node}` }).catch(() => null);
        if (stored) return JSON.parse(stored.string());
        await new Promise((res) => setTimeout(res, 50));
      }
      return undefined;
    };
    for (const node of ["node2.example.net", "node3.example.net"]) {
      const record = await replyOf(node);
      assert.equal(record?.sender, node);
      assert.equal(JSON.parse(record.data).statusmsg, "OK");
    }
    const missing = await mco(["find", "--dm", "stream", "--do", "stream=NOSUCH", "-c", cfg]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Cannot read the registration stream NOSUCH/);
  });
});
