import assert from "node:assert/strict";
import { Config, ConfigError } from "../../src/config/index.js";
import { namingFor } from "../../src/transport/stomp/destinations.js";
import { stompSettingsFromConfig } from "../../src/transport/stomp/index.js";
import { stompConfigText } from "../helpers/stomp-broker.js";

const read = (text: string, env: NodeJS.ProcessEnv = {}) => stompSettingsFromConfig(Config.fromText(text), "server", env);

describe("STOMP settings from server.cfg / client.cfg", () => {
  it("reads an activemq pool with the legacy defaults", () => {
    const s = read("connector = activemq\nplugin.activemq.pool.size = 2\nplugin.activemq.pool.1.host = a\nplugin.activemq.pool.2.host = b\nplugin.activemq.pool.2.port = 6163\nplugin.activemq.pool.2.user = u\nplugin.activemq.pool.2.password = p\n");
    assert.equal(s.connector, "activemq");
    assert.deepEqual(
      s.brokers.map((b) => [b.host, b.port, b.user, b.password, b.tls]),
      [["a", 61613, "", "", undefined], ["b", 6163, "u", "p", undefined]],
    );
    assert.equal(s.vhost, "mcollective");
    assert.equal(s.heartbeatInterval, 0);
    assert.equal(s.maxHbreadFails, 2);
    assert.deepEqual(s.reconnect, { initialDelayMs: 10, maxDelayMs: 30_000, exponential: true, multiplier: 2, maxAttempts: 0, randomize: false });
    assert.equal(s.base64, false);
    assert.equal(s.priority, 0);
  });

  it("takes STOMP_USER and STOMP_PASSWORD from the environment over the file", () => {
    const s = read(stompConfigText("activemq", ["h:1"]), { STOMP_USER: "env-user", STOMP_PASSWORD: "env-pass" });
    assert.deepEqual([s.brokers[0].user, s.brokers[0].password], ["env-user", "env-pass"]);
  });

  it("raises heartbeat_interval below 30 s to 30 s and reads the options that change the wire", () => {
    const s = read(stompConfigText("activemq", ["h:1"], [
      "plugin.activemq.heartbeat_interval = 5",
      "plugin.activemq.stomp_1_0_fallback = 0",
      "plugin.activemq.base64 = yes",
      "plugin.activemq.priority = 7",
      "plugin.activemq.agents_multiplex = 1",
      "plugin.activemq.initial_reconnect_delay = 0.5",
      "plugin.activemq.max_reconnect_delay = 4",
      "plugin.activemq.use_exponential_back_off = 0",
    ]));
    assert.equal(s.heartbeatInterval, 30);
    assert.equal(s.stomp10Fallback, false);
    assert.equal(s.base64, true);
    assert.equal(s.priority, 7);
    assert.equal(s.agentsMultiplex, true);
    assert.deepEqual([s.reconnect.initialDelayMs, s.reconnect.maxDelayMs, s.reconnect.exponential], [500, 4000, false]);
  });

  it("reads rabbitmq with its vhost default and reply exchange option", () => {
    const s = read("connector = rabbitmq\nplugin.rabbitmq.pool.size = 1\nplugin.rabbitmq.pool.1.host = r\nplugin.rabbitmq.use_reply_exchange = 1\nplugin.rabbitmq.priority = 3\n");
    assert.equal(s.vhost, "/");
    assert.equal(s.useReplyExchange, true);
    assert.equal(s.priority, 0, "the rabbitmq connector sends no priority");
  });

  it("refuses a pool without hosts, another connector, and TLS without cert, key and ca unless ssl.fallback", () => {
    assert.throws(() => read("connector = activemq\n"), ConfigError);
    assert.throws(() => read("connector = activemq\nplugin.activemq.pool.size = 1\n"), /pool\.1\.host/);
    assert.throws(() => read("connector = nats\n"), /not a STOMP connector/);
    const tls = stompConfigText("activemq", ["h:1"], ["plugin.activemq.pool.1.ssl = 1", "plugin.activemq.pool.1.ssl.ca = /nonexistent/ca.pem"]);
    assert.throws(() => read(tls), /cert, key not set/);
    assert.deepEqual(read(tls + "plugin.activemq.pool.1.ssl.fallback = 1\n").brokers[0].tls, { verify: false, ciphers: undefined });
  });
});

describe("STOMP destination naming", () => {
  const now = Date.UTC(2026, 10, 29, 10, 0, 0, 456);
  const send = { identity: "mco.example.net", replyTo: "/queue/r", ttl: 60, now };

  it("activemq: topics per agent, one selector queue for direct requests, priority first when set", () => {
    const naming = namingFor(read(stompConfigText("activemq", ["h:1"], ["plugin.activemq.priority = 4"])));
    assert.deepEqual(naming.subscribeTarget({ kind: "node", collective: "uk", identity: "n1" }, "n1"), {
      destination: "/queue/uk.nodes",
      id: "uk_directed_to_identity",
      headers: { selector: "mc_identity = 'n1'", destination: "/queue/uk.nodes" },
    });
    const direct = naming.sendHeaders({ kind: "node", collective: "uk", identity: "n2" }, send);
    assert.equal(direct.destination, "/queue/uk.nodes");
    const secs = Math.floor(now / 1000);
    assert.deepEqual(Object.entries(direct.headers), [
      ["priority", "4"],
      ["timestamp", String(secs * 1000)],
      ["expires", String((secs + 70) * 1000)],
      ["reply-to", "/queue/r"],
      ["mc_identity", "n2"],
      ["mc_sender", "mco.example.net"],
    ]);
    const reply = naming.sendHeaders({ kind: "reply", target: "/queue/r" }, { ...send, replyTo: undefined });
    assert.deepEqual(Object.keys(reply.headers), ["priority", "timestamp", "expires", "mc_sender"]);
    assert.equal(naming.inboxTarget({ collective: "uk", agent: "rpcutil", callerid: "uid=0", seq: 3 }, "mco", 42).replyTo, "/queue/uk.reply.mco_42.3");
  });

  it("activemq agents_multiplex: one topic for every agent", () => {
    const naming = namingFor(read(stompConfigText("activemq", ["h:1"], ["plugin.activemq.agents_multiplex = 1"])));
    assert.equal(naming.subscribeTarget({ kind: "agent", collective: "c", agent: "x" }, "n").destination, "/topic/c.agents");
  });

  it("rabbitmq: exchanges, temp-queue replies without SUBSCRIBE, relative expiration", () => {
    const naming = namingFor(read(stompConfigText("rabbitmq", ["h:1"])));
    assert.deepEqual(naming.subscribeTarget({ kind: "agent", collective: "c", agent: "rpcutil" }, "n1"), {
      destination: "/exchange/c_broadcast/rpcutil",
      id: "c_broadcast_rpcutil",
      headers: { destination: "/exchange/c_broadcast/rpcutil" },
    });
    assert.equal(naming.subscribeTarget({ kind: "node", collective: "c", identity: "n1" }, "n1").id, "c_n1_directed_to_identity");
    const direct = naming.sendHeaders({ kind: "node", collective: "c", identity: "n2" }, send);
    assert.equal(direct.destination, "/exchange/c_directed/n2");
    assert.deepEqual(Object.entries(direct.headers), [["reply-to", "/queue/r"], ["expiration", "70000"], ["mc_sender", "mco.example.net"]]);
    assert.deepEqual(naming.inboxTarget({ collective: "c", agent: "rpcutil", callerid: "uid=0", seq: 1 }, "mco", 42), {
      replyTo: "/temp-queue/mcollective_reply_rpcutil",
    });
  });
});
