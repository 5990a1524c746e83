import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { decodeRequest } from "../../src/protocol/index.js";
import { connectBroker, type NatsConnection, type RunningBroker } from "../../src/transport/index.js";
import { testBroker } from "../helpers/broker.js";
import { startResponder, writeClientConfig, type Responder } from "../helpers/fleet.js";
import { goldenMessages, type GoldenMessage } from "../helpers/golden.js";
import { mco } from "../helpers/mco.js";
import { testCert } from "../helpers/pki.js";

interface Captured {
  subject: string;
  reply: string | undefined;
  payload: string;
}

/** Key order of every JSON object, depth first, so two documents can be compared for shape. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value !== null && typeof value === "object") return Object.entries(value).map(([k, v]) => [k, shape(v)]);
  return typeof value;
}

const golden = (file: string, n = 0): GoldenMessage => goldenMessages().filter((m) => m.file.startsWith(file))[n];

describe("what the client puts on the wire, compared with the legacy client's golden samples", () => {
  let broker: RunningBroker;
  let spy: NatsConnection;
  let node: Responder;
  let cfg: string;
  const captured: Captured[] = [];
  const callerid = "choria=wire.mcollective";
  const md5 = createHash("md5").update(callerid).digest("hex");

  before(async () => {
    broker = await testBroker();
    cfg = await writeClientConfig(broker.port, "wire");
    node = await startResponder(broker.port, { identity: "node1.example.net", facts: { country: "uk" }, agents: ["rpcutil", "discovery", "package"] });
    spy = await connectBroker({ brokers: [{ host: "127.0.0.1", port: broker.port }], tls: await testCert("spy.mcollective"), name: "spy", mode: "client" });
    spy.subscribe("mcollective.>", {
      callback: (_err, msg) => {
        captured.push({ subject: msg.subject, reply: msg.reply, payload: msg.string() });
      },
    });
    await spy.flush();
  });

  after(async () => {
    await spy?.close();
    await node?.stop();
    await broker?.stop();
  });

  /** Runs mco and returns what it published (not the replies). */
  async function published(argv: string[]): Promise<Captured[]> {
    const from = captured.length;
    const r = await mco([...argv, "-c", cfg]);
    assert.ok(r.code === 0, `${argv.join(" ")}: ${r.stderr}`);
    await spy.flush();
    return captured.slice(from).filter((m) => !m.subject.startsWith("mcollective.reply."));
  }

  function assertSameLayers(ours: Captured, theirs: GoldenMessage): void {
    const transport = JSON.parse(ours.payload);
    const goldenTransport = JSON.parse(theirs.payload);
    assert.deepEqual(Object.keys(transport), Object.keys(goldenTransport), "transport keys and order");
    assert.deepEqual(Object.keys(transport.headers), Object.keys(goldenTransport.headers), "header keys and order");
    const decoded = decodeRequest(ours.payload, Math.floor(Date.now() / 1000));
    assert.deepEqual(shape(JSON.parse(decoded.l3)), shape(JSON.parse(theirs.l3)), "request envelope shape and key order");
    const secure = JSON.parse(Buffer.from(transport.data, "base64").toString("utf8"));
    assert.deepEqual(Object.keys(secure), Object.keys(JSON.parse(theirs.secure)), "secure request keys and order");
    assert.equal(decoded.envelope.callerid, callerid);
    assert.equal(decoded.envelope.senderid, "wire.mcollective");
    assert.equal(decoded.envelope.ttl, 60);
    assert.match(decoded.envelope.requestid, /^[0-9a-f]{32}$/);
    assert.equal(transport.headers.mc_sender, "wire.mcollective");
    assert.equal(transport.headers["reply-to"], ours.reply, "reply-to header equals the NATS reply subject");
    assert.match(ours.reply!, new RegExp(`^mcollective\\.reply\\.${md5}\\.${process.pid}\\.\\d+$`));
  }

  it("mco ping: one broadcast to the discovery agent with the legacy filter and body", async () => {
    const msgs = await published(["ping", "-t", "1"]);
    assert.deepEqual(msgs.map((m) => m.subject), [golden("01").subject]);
    assertSameLayers(msgs[0], golden("01"));
    const ours = decodeRequest(msgs[0].payload, Math.floor(Date.now() / 1000));
    const theirs = JSON.parse(golden("01").l3);
    assert.deepEqual(ours.envelope.filter, theirs.envelope.filter, "agent:[] and no collective key");
    assert.equal(ours.message, golden("01").body);
  });

  it("rpc with a plain -I: one direct request, no discovery, the golden filter and body", async () => {
    const msgs = await published(["rpc", "rpcutil", "ping", "-I", "node1.example.net"]);
    assert.deepEqual(msgs.map((m) => m.subject), [golden("02").subject]);
    assertSameLayers(msgs[0], golden("02"));
    const ours = decodeRequest(msgs[0].payload, Math.floor(Date.now() / 1000));
    const theirs = JSON.parse(golden("02").l3);
    assert.deepEqual(ours.envelope.filter, theirs.envelope.filter);
    assert.equal(ours.message, golden("02").body.replace("choria=rip.mcollective", callerid));
  });

  it("rpc with arguments: data carries them before process_results, as the legacy client sends", async () => {
    const msgs = await published(["rpc", "package", "status", "package=bash", "-I", "node1.example.net"]);
    const ours = decodeRequest(msgs[0].payload, Math.floor(Date.now() / 1000));
    assert.equal(ours.message, golden("03").body.replace("choria=rip.mcollective", callerid));
  });

  it("rpc after mc discovery: the discovery ping carries the agent and the collective, then a direct request", async () => {
    const msgs = await published(["rpc", "rpcutil", "ping", "-F", "country=uk", "--dt", "1", "-t", "1"]);
    assert.equal(msgs[0].subject, "mcollective.broadcast.agent.discovery");
    const discovery = decodeRequest(msgs[0].payload, Math.floor(Date.now() / 1000));
    assert.deepEqual(discovery.envelope.filter, {
      fact: [{ fact: "country", value: "uk", operator: "==" }],
      cf_class: [],
      agent: ["rpcutil"],
      identity: [],
      compound: [],
      collective: "mcollective",
    });
    assert.equal(discovery.message, '"ping"');
    assert.deepEqual(Object.keys(discovery.envelope.filter), ["fact", "cf_class", "agent", "identity", "compound", "collective"]);
    assert.deepEqual(msgs.slice(1).map((m) => m.subject), ["mcollective.node.node1.example.net"]);
    const direct = decodeRequest(msgs[1].payload, Math.floor(Date.now() / 1000));
    assert.deepEqual(direct.envelope.filter, { fact: [{ fact: "country", value: "uk", operator: "==" }], cf_class: [], agent: ["rpcutil"], identity: [], compound: [] });
  });

  it("broadcast requests keep the identity filter; the reply sequence counts up per request", async () => {
    const cfgBroadcast = await writeClientConfig(broker.port, "wire", ["direct_addressing = 0"]);
    const from = captured.length;
    const r = await mco(["rpc", "rpcutil", "ping", "-I", "/node1/", "--dt", "1", "-c", cfgBroadcast]);
    assert.equal(r.code, 0, r.stderr);
    await spy.flush();
    const msgs = captured.slice(from).filter((m) => !m.subject.startsWith("mcollective.reply."));
    assert.deepEqual(msgs.map((m) => m.subject), ["mcollective.broadcast.agent.discovery", "mcollective.broadcast.agent.rpcutil"]);
    const request = decodeRequest(msgs[1].payload, Math.floor(Date.now() / 1000));
    assert.deepEqual(request.envelope.filter.identity, ["/node1/"]);
    const seq = msgs.map((m) => Number(m.reply!.split(".").pop()));
    assert.equal(seq[1], seq[0] + 1);
  });
});
