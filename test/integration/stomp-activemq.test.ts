import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../src/transport/port-wait.js";
import type { RunningActiveMq } from "../../src/transport/activemq-broker.js";
import { BrokerUnreachableError } from "../../src/transport/index.js";
import { connectStomp, type StompTransport } from "../../src/transport/stomp/index.js";
import { Deliveries, once } from "../helpers/deliveries.js";
import { testCert } from "../helpers/pki.js";
import { stompSettings, testActiveMq } from "../helpers/stomp-broker.js";

/** Bytes a UTF-8 or C-string path would mangle: NULs, a lone 0xff, an invalid sequence, a Marshal header. */
const BINARY = Uint8Array.from([0x04, 0x08, 0x7b, 0x00, 0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0x00, 0x0a, 0x0d, 0x00]);

describe("STOMP transport against a real ActiveMQ", function () {
  this.timeout(90_000);
  let broker: RunningActiveMq;
  let dir: string;
  const open: StompTransport[] = [];
  const pool = () => [`127.0.0.1:${broker.port}`];
  const track = <T extends StompTransport>(t: T) => (open.push(t), t);
  const daemon = (identity: string, extra: string[] = [], hosts = pool()) =>
    connectStomp(stompSettings("activemq", hosts, extra), { identity, mode: "daemon" }).then(track);
  const client = (extra: string[] = [], hosts = pool(), timeoutMs = 5000) =>
    connectStomp(stompSettings("activemq", hosts, extra), { identity: "mco-client.example.net", mode: "client", timeoutMs }).then(track);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "mcompat-test-activemq-"));
    broker = await testActiveMq({ dir, tls: true });
    console.log(`      (ActiveMQ answered on STOMP after ${broker.startupMs} ms)`);
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.close()));
  });

  after(async () => {
    await broker?.stop();
  });

  it("carries broadcast requests and their replies byte for byte, with the legacy headers", async () => {
    const node = await daemon("node1.example.net");
    const requests = new Deliveries();
    node.subscribe({ kind: "node", collective: "mcollective", identity: "node1.example.net" }, requests.handler);
    node.subscribe({ kind: "agent", collective: "mcollective", agent: "rpcutil" }, requests.handler);
    const mco = await client();
    const inbox = mco.openInbox({ collective: "mcollective", agent: "rpcutil", callerid: "uid=0", seq: 1 });
    assert.equal(inbox.replyTo, `/queue/mcollective.reply.mco-client.example.net_${process.pid}.1`);
    await node.flush();
    mco.publish({ kind: "agent", collective: "mcollective", agent: "rpcutil" }, BINARY, { replyTo: inbox.replyTo, ttl: 60 });

    const request = await requests.nth(0, 5000, "broadcast request");
    assert.deepEqual(Buffer.from(request.body), Buffer.from(BINARY));
    assert.equal(request.replyTo, inbox.replyTo);
    assert.equal(request.headers.destination, "/topic/mcollective.rpcutil.agent");
    assert.equal(request.headers.mc_sender, "mco-client.example.net");
    const timestamp = Number(request.headers.timestamp);
    assert.equal(timestamp % 1000, 0, "legacy timestamps are whole seconds in ms");
    assert.ok(Math.abs(timestamp - Date.now()) < 5000);
    assert.equal(Number(request.headers.expires), timestamp + 70_000, "expires = (now + ttl + 10) * 1000");
    assert.equal(request.headers.mc_identity, undefined);

    const reply = Uint8Array.from([...BINARY].reverse());
    node.publish({ kind: "reply", target: request.replyTo! }, reply, { ttl: 60 });
    const got = await inbox.next(Date.now() + 5000);
    assert.ok(got, "the reply reached the inbox");
    assert.deepEqual(Buffer.from(got.body), Buffer.from(reply));
    assert.equal(got.headers.mc_sender, "node1.example.net");
    assert.equal(got.headers["reply-to"], undefined, "replies carry no reply-to");
    assert.equal(Number(got.headers.expires) - Number(got.headers.timestamp), 70_000);
    inbox.close();
    assert.equal(mco.status().stats.out_msgs, 1);
    assert.equal(node.status().stats.in_msgs, 1);
  });

  it("delivers a direct request to the selected identity only", async () => {
    const node1 = await daemon("node1.example.net");
    const node2 = await daemon("node2.example.net");
    const at1 = new Deliveries();
    const at2 = new Deliveries();
    node1.subscribe({ kind: "node", collective: "mcollective", identity: "node1.example.net" }, at1.handler);
    node2.subscribe({ kind: "node", collective: "mcollective", identity: "node2.example.net" }, at2.handler);
    await Promise.all([node1.flush(), node2.flush()]);
    const mco = await client();
    const inbox = mco.openInbox({ collective: "mcollective", agent: "rpcutil", callerid: "uid=0", seq: 2 });
    mco.publish({ kind: "node", collective: "mcollective", identity: "node2.example.net" }, BINARY, { replyTo: inbox.replyTo, ttl: 60 });

    const direct = await at2.nth(0, 5000, "direct request at node2");
    assert.deepEqual(Buffer.from(direct.body), Buffer.from(BINARY));
    assert.equal(direct.headers.destination, "/queue/mcollective.nodes");
    assert.equal(direct.headers.mc_identity, "node2.example.net");
    // Then one to node1: once it is there, node1 provably saw nothing before it.
    mco.publish({ kind: "node", collective: "mcollective", identity: "node1.example.net" }, Uint8Array.of(1), { replyTo: inbox.replyTo });
    const other = await at1.nth(0, 5000, "direct request at node1");
    assert.deepEqual([...other.body], [1]);
    assert.equal(at1.got.length, 1);
    assert.equal(at2.got.length, 1);
    inbox.close();
  });

  it("fails over to the second pool member when the first is down", async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    const node = await daemon("node3.example.net", [], [dead, ...pool()]);
    assert.equal(node.status().connected, pool()[0]);
    assert.deepEqual(node.status().brokers, [dead, ...pool()]);
    const requests = new Deliveries();
    node.subscribe({ kind: "agent", collective: "mcollective", agent: "discovery" }, requests.handler);
    await node.flush();
    const mco = await client();
    mco.publish({ kind: "agent", collective: "mcollective", agent: "discovery" }, BINARY, { replyTo: "/queue/x" });
    assert.deepEqual(Buffer.from((await requests.nth(0)).body), Buffer.from(BINARY));
  });

  it("a client fails fast, naming every host it tried", async () => {
    const dead = [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`];
    const started = Date.now();
    await assert.rejects(client([], dead, 1500), (err: Error) => {
      assert.ok(err instanceof BrokerUnreachableError, String(err));
      assert.match(err.message, new RegExp(`${dead[0]}.*${dead[1]}`));
      return true;
    });
    assert.ok(Date.now() - started < 4000, "gave up within its timeout");
  });

  it("a client with a wrong password is refused with the broker's reason", async () => {
    const settings = stompSettings("activemq", pool());
    settings.brokers[0].password = "wrong";
    const attempt = connectStomp(settings, { identity: "mco", mode: "client", timeoutMs: 2000 });
    await assert.rejects(attempt, /password is invalid/);
  });

  it("negotiates STOMP 1.1 with heart-beats when heartbeat_interval is set", async () => {
    const settings = stompSettings("activemq", pool(), ["plugin.activemq.heartbeat_interval = 10"]);
    assert.equal(settings.heartbeatInterval, 30, "legacy raises intervals below 30 s to 30 s");
    const node = track(await connectStomp(settings, { identity: "node1.example.net", mode: "daemon" }));
    assert.deepEqual(node.negotiated()?.version, "1.1");
    // ActiveMQ mirrors the CONNECT's 30500,29500.
    assert.equal(node.negotiated()?.heartBeat, "29500,30500");
    const requests = new Deliveries();
    node.subscribe({ kind: "node", collective: "mcollective", identity: "node1.example.net" }, requests.handler);
    await node.flush();
    const mco = await client(["plugin.activemq.heartbeat_interval = 30"]);
    mco.publish({ kind: "node", collective: "mcollective", identity: "node1.example.net" }, BINARY, { replyTo: "/queue/x" });
    const got = await requests.nth(0);
    assert.equal(got.headers.subscription, "mcollective_directed_to_identity");
    assert.deepEqual(Buffer.from(got.body), Buffer.from(BINARY));
  });

  it("keeps an idle 1.1 session alive with heart-beats (ActiveMQ drops silent ones)", async () => {
    // Below the 30 s floor of the config on purpose, so that the broker's inactivity check runs within the test.
    const settings = stompSettings("activemq", pool());
    settings.heartbeatInterval = 2;
    const node = track(await connectStomp(settings, { identity: "node1.example.net", mode: "daemon" }));
    assert.equal(node.negotiated()?.heartBeat, "1500,2500");
    const events: string[] = [];
    node.onStatus((event) => events.push(event));
    const requests = new Deliveries();
    node.subscribe({ kind: "agent", collective: "mcollective", agent: "rpcutil" }, requests.handler);
    await new Promise((r) => setTimeout(r, 8000));
    assert.deepEqual(events, [], "no disconnect while idle");
    const mco = await client();
    mco.publish({ kind: "agent", collective: "mcollective", agent: "rpcutil" }, BINARY, { replyTo: "/queue/x" });
    assert.deepEqual(Buffer.from((await requests.nth(0)).body), Buffer.from(BINARY));
    assert.equal(node.status().stats.reconnects, 0);
  });

  it("speaks STOMP over TLS with client certificates", async () => {
    const tls = await testCert("node1.example.net");
    const ssl = (name: string, file: string) => `plugin.activemq.pool.1.ssl.${name} = ${file}`;
    const extra = ["plugin.activemq.pool.1.ssl = 1", ssl("ca", tls.ca), ssl("cert", tls.cert), ssl("key", tls.key)];
    const hosts = [`127.0.0.1:${broker.sslPort}`];
    const node = await daemon("node1.example.net", extra, hosts);
    const requests = new Deliveries();
    node.subscribe({ kind: "agent", collective: "mcollective", agent: "rpcutil" }, requests.handler);
    await node.flush();
    const mco = await client(extra, hosts);
    mco.publish({ kind: "agent", collective: "mcollective", agent: "rpcutil" }, BINARY, { replyTo: "/queue/x" });
    assert.deepEqual(Buffer.from((await requests.nth(0)).body), Buffer.from(BINARY));
  });

  it("wraps bodies in MIME base64 on the wire with plugin.activemq.base64", async () => {
    const plain = await daemon("node1.example.net");
    const coded = await daemon("node2.example.net", ["plugin.activemq.base64 = 1"]);
    const raw = new Deliveries();
    const decoded = new Deliveries();
    plain.subscribe({ kind: "agent", collective: "mcollective", agent: "rpcutil" }, raw.handler);
    coded.subscribe({ kind: "agent", collective: "mcollective", agent: "rpcutil" }, decoded.handler);
    await Promise.all([plain.flush(), coded.flush()]);
    const mco = await client(["plugin.activemq.base64 = 1"]);
    mco.publish({ kind: "agent", collective: "mcollective", agent: "rpcutil" }, BINARY, { replyTo: "/queue/x" });
    assert.equal(Buffer.from((await raw.nth(0)).body).toString(), Buffer.from(BINARY).toString("base64") + "\n");
    assert.deepEqual(Buffer.from((await decoded.nth(0)).body), Buffer.from(BINARY));
  });

  it("a connected daemon fails over to the next pool member when its broker goes away", async () => {
    const second = await testActiveMq();
    try {
      const node = await daemon("node2.example.net", [], [`127.0.0.1:${second.port}`, ...pool()]);
      assert.equal(node.status().connected, `127.0.0.1:${second.port}`);
      const direct = new Deliveries();
      const broadcast = new Deliveries();
      node.subscribe({ kind: "node", collective: "mcollective", identity: "node2.example.net" }, direct.handler);
      node.subscribe({ kind: "agent", collective: "mcollective", agent: "puppet" }, broadcast.handler);
      const moved = once<string>((cb) => node.onStatus(cb), "reconnect", 30_000);
      await second.stop();
      assert.equal(await moved, pool()[0]);
      await node.flush();
      const mco = await client();
      mco.publish({ kind: "node", collective: "mcollective", identity: "node2.example.net" }, BINARY, { replyTo: "/queue/x" });
      mco.publish({ kind: "agent", collective: "mcollective", agent: "puppet" }, Uint8Array.of(9), { replyTo: "/queue/x" });
      assert.deepEqual(Buffer.from((await direct.nth(0, 10_000, "direct after failover")).body), Buffer.from(BINARY));
      assert.deepEqual([...(await broadcast.nth(0, 10_000, "broadcast after failover")).body], [9]);
    } finally {
      await second.stop();
    }
  });

  it("a daemon reconnects after a broker restart, its subscriptions work again, and a reply made while the broker was down arrives", async () => {
    const node = await daemon("node1.example.net", ["plugin.activemq.max_reconnect_delay = 1"]);
    const inbox = { collective: "mcollective", agent: "rpcutil", callerid: "uid=0", seq: 1 };
    // Closed before the restart: a client reconnecting on its own would read the queue before the one below.
    const asker = await client();
    const replyTo = asker.openInbox(inbox).replyTo;
    await asker.close();
    const direct = new Deliveries();
    const broadcast = new Deliveries();
    node.subscribe({ kind: "node", collective: "mcollective", identity: "node1.example.net" }, direct.handler);
    node.subscribe({ kind: "agent", collective: "mcollective", agent: "rpcutil" }, broadcast.handler);
    const lost = once<string>((cb) => node.onStatus(cb), "disconnect", 30_000);
    await broker.stop();
    await lost;
    assert.equal(node.status().connected, undefined);
    // A reply finished mid-outage waits for the next session; ActiveMQ's reply queue then keeps it for its reader.
    node.publish({ kind: "reply", target: replyTo }, Uint8Array.of(5));
    const back = once<string>((cb) => node.onStatus(cb), "reconnect", 60_000);
    broker = await testActiveMq({ dir, tls: true, port: broker.port, sslPort: broker.sslPort });
    await back;
    assert.equal(node.status().stats.reconnects, 1);
    await node.flush();
    const mco = await client();
    mco.publish({ kind: "agent", collective: "mcollective", agent: "rpcutil" }, BINARY, { replyTo: "/queue/x" });
    mco.publish({ kind: "node", collective: "mcollective", identity: "node1.example.net" }, Uint8Array.of(7), { replyTo: "/queue/x" });
    assert.deepEqual(Buffer.from((await broadcast.nth(0, 10_000, "broadcast after restart")).body), Buffer.from(BINARY));
    assert.deepEqual([...(await direct.nth(0, 10_000, "direct after restart")).body], [7]);
    const held = await mco.openInbox(inbox).next(Date.now() + 10_000);
    assert.deepEqual([...(held?.body ?? [])], [5], "the reply made while the broker was down");
  });
});
