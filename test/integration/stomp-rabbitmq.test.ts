import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningRabbitMq } from "../../src/transport/rabbitmq-broker.js";
import { connectStomp, type StompTransport } from "../../src/transport/stomp/index.js";
import { Deliveries, once } from "../helpers/deliveries.js";
import { testCert } from "../helpers/pki.js";
import { stompSettings, testRabbitMq } from "../helpers/stomp-broker.js";

const BINARY = Uint8Array.from([0x04, 0x08, 0x7b, 0x00, 0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0x00, 0x0a, 0x0d, 0x00]);

describe("STOMP transport against a real RabbitMQ", function () {
  this.timeout(120_000);
  let broker: RunningRabbitMq;
  let dir: string;
  const open: StompTransport[] = [];
  const pool = () => [`127.0.0.1:${broker.port}`];
  const track = <T extends StompTransport>(t: T) => (open.push(t), t);
  const daemon = (identity: string, extra: string[] = [], hosts = pool()) =>
    connectStomp(stompSettings("rabbitmq", hosts, extra), { identity, mode: "daemon" }).then(track);
  const client = (extra: string[] = [], hosts = pool()) =>
    connectStomp(stompSettings("rabbitmq", hosts, extra), { identity: "mco-client.example.net", mode: "client" }).then(track);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "mcompat-test-rabbitmq-"));
    broker = await testRabbitMq(["mcollective", "uk_collective"], { dir, tls: true });
    console.log(`      (RabbitMQ answered on STOMP after ${broker.startupMs} ms)`);
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.close()));
  });

  after(async () => {
    await broker?.stop();
  });

  it("carries a broadcast through <C>_broadcast and the reply through a temp queue, byte for byte", async () => {
    const node = await daemon("node1.example.net");
    const requests = new Deliveries();
    node.subscribe({ kind: "agent", collective: "mcollective", agent: "rpcutil" }, requests.handler);
    await node.flush();
    const mco = await client();
    const inbox = mco.openInbox({ collective: "mcollective", agent: "rpcutil", callerid: "uid=0", seq: 1 });
    assert.equal(inbox.replyTo, "/temp-queue/mcollective_reply_rpcutil");
    mco.publish({ kind: "agent", collective: "mcollective", agent: "rpcutil" }, BINARY, { replyTo: inbox.replyTo, ttl: 60 });

    const request = await requests.nth(0, 5000, "broadcast request");
    assert.deepEqual(Buffer.from(request.body), Buffer.from(BINARY));
    assert.equal(request.headers.destination, "/exchange/mcollective_broadcast/rpcutil");
    assert.equal(request.headers.expiration, "70000", "expiration = (ttl + 10) * 1000, relative");
    assert.equal(request.headers.mc_sender, "mco-client.example.net");
    assert.match(request.replyTo ?? "", /^\/reply-queue\/amq\.gen-/, "RabbitMQ rewrites the temp-queue reply-to");

    const reply = Uint8Array.from([...BINARY].reverse());
    node.publish({ kind: "reply", target: request.replyTo! }, reply, { ttl: 60 });
    const got = await inbox.next(Date.now() + 5000);
    assert.ok(got, "the reply reached the inbox");
    assert.deepEqual(Buffer.from(got.body), Buffer.from(reply));
    assert.equal(got.headers.subscription, "/temp-queue/mcollective_reply_rpcutil");
    assert.equal(got.headers.mc_sender, "node1.example.net");
    inbox.close();
  });

  it("with use_reply_exchange, replies come through a subscribed mcollective_reply routing key", async () => {
    const node = await daemon("node1.example.net");
    const requests = new Deliveries();
    node.subscribe({ kind: "agent", collective: "mcollective", agent: "rpcutil" }, requests.handler);
    await node.flush();
    const mco = await client(["plugin.rabbitmq.use_reply_exchange = 1"]);
    const inbox = mco.openInbox({ collective: "mcollective", agent: "rpcutil", callerid: "uid=0", seq: 4 });
    assert.equal(inbox.replyTo, `/exchange/mcollective_reply/mco-client.example.net_${process.pid}_4`);
    await mco.flush();
    mco.publish({ kind: "agent", collective: "mcollective", agent: "rpcutil" }, BINARY, { replyTo: inbox.replyTo });
    const request = await requests.nth(0);
    assert.equal(request.replyTo, inbox.replyTo);
    node.publish({ kind: "reply", target: request.replyTo! }, Uint8Array.of(0, 1, 0));
    const got = await inbox.next(Date.now() + 5000);
    assert.deepEqual([...(got?.body ?? [])], [0, 1, 0]);
    inbox.close();
  });

  it("delivers a direct request through <C>_directed to the selected identity only", async () => {
    const node1 = await daemon("node1.example.net");
    const node2 = await daemon("node2.example.net");
    const at1 = new Deliveries();
    const at2 = new Deliveries();
    node1.subscribe({ kind: "node", collective: "uk_collective", identity: "node1.example.net" }, at1.handler);
    node2.subscribe({ kind: "node", collective: "uk_collective", identity: "node2.example.net" }, at2.handler);
    await Promise.all([node1.flush(), node2.flush()]);
    const mco = await client();
    const inbox = mco.openInbox({ collective: "uk_collective", agent: "rpcutil", callerid: "uid=0", seq: 1 });
    mco.publish({ kind: "node", collective: "uk_collective", identity: "node2.example.net" }, BINARY, { replyTo: inbox.replyTo });
    const direct = await at2.nth(0, 5000, "direct request at node2");
    assert.deepEqual(Buffer.from(direct.body), Buffer.from(BINARY));
    assert.equal(direct.headers.destination, "/exchange/uk_collective_directed/node2.example.net");
    assert.equal(direct.headers.mc_identity, undefined, "RabbitMQ routes by key, no mc_identity");
    mco.publish({ kind: "node", collective: "uk_collective", identity: "node1.example.net" }, Uint8Array.of(1), { replyTo: inbox.replyTo });
    assert.deepEqual([...(await at1.nth(0, 5000, "direct request at node1")).body], [1]);
    assert.equal(at1.got.length, 1);
    assert.equal(at2.got.length, 1);
    inbox.close();
  });

  it("negotiates STOMP 1.1 with heart-beats and routes by the legacy subscription ids", async () => {
    const node = await daemon("node1.example.net", ["plugin.rabbitmq.heartbeat_interval = 30"]);
    assert.equal(node.negotiated()?.version, "1.1");
    // RabbitMQ answers in whole seconds (29000,30000); either way both directions beat.
    assert.match(node.negotiated()?.heartBeat ?? "", /^[1-9]\d*,[1-9]\d*$/);
    const requests = new Deliveries();
    node.subscribe({ kind: "node", collective: "mcollective", identity: "node1.example.net" }, requests.handler);
    await node.flush();
    const mco = await client(["plugin.rabbitmq.heartbeat_interval = 30"]);
    mco.publish({ kind: "node", collective: "mcollective", identity: "node1.example.net" }, BINARY, { replyTo: "/temp-queue/mcollective_reply_rpcutil" });
    const got = await requests.nth(0);
    assert.equal(got.headers.subscription, "mcollective_node1.example.net_directed_to_identity");
    assert.deepEqual(Buffer.from(got.body), Buffer.from(BINARY));
  });

  it("speaks STOMP over TLS with client certificates", async () => {
    const tls = await testCert("node2.example.net");
    const ssl = (name: string, file: string) => `plugin.rabbitmq.pool.1.ssl.${name} = ${file}`;
    const extra = ["plugin.rabbitmq.pool.1.ssl = 1", ssl("ca", tls.ca), ssl("cert", tls.cert), ssl("key", tls.key)];
    const hosts = [`127.0.0.1:${broker.sslPort}`];
    const node = await daemon("node2.example.net", extra, hosts);
    const requests = new Deliveries();
    node.subscribe({ kind: "node", collective: "mcollective", identity: "node2.example.net" }, requests.handler);
    await node.flush();
    const mco = await client(extra, hosts);
    mco.publish({ kind: "node", collective: "mcollective", identity: "node2.example.net" }, BINARY, { replyTo: "/temp-queue/mcollective_reply_rpcutil" });
    assert.deepEqual(Buffer.from((await requests.nth(0)).body), Buffer.from(BINARY));
  });

  it("a daemon reconnects after a broker restart and its subscriptions work again", async () => {
    const node = await daemon("node1.example.net", ["plugin.rabbitmq.max_reconnect_delay = 1"]);
    const requests = new Deliveries();
    node.subscribe({ kind: "agent", collective: "mcollective", agent: "rpcutil" }, requests.handler);
    const lost = once<string>((cb) => node.onStatus(cb), "disconnect", 30_000);
    await broker.stop();
    await lost;
    const back = once<string>((cb) => node.onStatus(cb), "reconnect", 90_000);
    broker = await testRabbitMq(["mcollective", "uk_collective"], { dir, tls: true, port: broker.port, sslPort: broker.sslPort });
    await back;
    await node.flush();
    const mco = await client();
    mco.publish({ kind: "agent", collective: "mcollective", agent: "rpcutil" }, BINARY, { replyTo: "/temp-queue/mcollective_reply_rpcutil" });
    assert.deepEqual(Buffer.from((await requests.nth(0, 10_000, "broadcast after restart")).body), Buffer.from(BINARY));
  });
});
