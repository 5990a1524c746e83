import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  decodeReply,
  decodeRequest,
  emptyFilter,
  encodeReply,
  encodeRequest,
  encodeRpcReply,
  encodeRpcRequest,
  newRequestId,
  nodeSubject,
  parseRpcReply,
  parseRpcRequest,
  replySubject,
} from "../../src/protocol/index.js";
import { loadSigner, RequestVerifier } from "../../src/security/index.js";
import { connectBroker, type NatsConnection, type RunningBroker } from "../../src/transport/index.js";
import { testBroker } from "../helpers/broker.js";
import { goldenMessages } from "../helpers/golden.js";
import { testCert } from "../helpers/pki.js";

describe("protocol over a real TLS nats-server", () => {
  let broker: RunningBroker;
  let client: NatsConnection;
  let node: NatsConnection;

  before(async () => {
    broker = await testBroker();
    const brokers = [{ host: "127.0.0.1", port: broker.port }];
    client = await connectBroker({ brokers, tls: await testCert("grace.mcollective"), name: "grace", mode: "client" });
    node = await connectBroker({ brokers, tls: await testCert("node9.example.net"), name: "node9.example.net", mode: "client" });
  });

  after(async () => {
    await client?.close();
    await node?.close();
    await broker?.stop();
  });

  it("carries a golden payload byte for byte, and it still decodes", async () => {
    const m = goldenMessages().find((g) => g.reply !== null)!;
    const sub = node.subscribe("golden.test", { max: 1 });
    // The subscription is on another connection: it must reach the broker before the publish does.
    await node.flush();
    client.publish("golden.test", m.payload);
    for await (const msg of sub) {
      assert.equal(msg.string(), m.payload);
      const time = (JSON.parse(m.l3) as { envelope: { time: number } }).envelope.time;
      assert.equal(decodeRequest(msg.data, time).l3, m.l3);
    }
  });

  it("a signed request reaches a node, is verified, and its reply comes back on reply-to", async () => {
    const files = await testCert("grace.mcollective");
    const signer = loadSigner({ certname: "grace.mcollective", ...files });
    const verifier = new RequestVerifier({ caPem: readFileSync(files.ca, "utf8") });
    const inbox = replySubject("mcollective", signer.callerid, process.pid, 1);

    const requests = node.subscribe(nodeSubject("mcollective", "node9.example.net"), { max: 1 });
    const served = (async () => {
      for await (const msg of requests) {
        const now = Math.floor(Date.now() / 1000);
        const req = decodeRequest(msg.data, now);
        const caller = verifier.verify(req, now);
        const body = parseRpcRequest(req.message);
        const message = encodeRpcReply({ statuscode: 0, statusmsg: "OK", data: { caller: caller.callerid, action: body.action } });
        const envelope = { senderid: "node9.example.net", requestid: req.envelope.requestid, agent: req.envelope.agent, time: now };
        node.publish(req.headers["reply-to"]!, encodeReply({ envelope, message, headers: { mc_sender: "node9.example.net" } }));
      }
    })();

    // Flushed, or the request can reach the broker before the node's subscription and come back as "no responders".
    await node.flush();
    const replies = client.subscribe(inbox, { max: 1 });
    const requestid = newRequestId();
    const now = Math.floor(Date.now() / 1000);
    const payload = encodeRequest({
      envelope: { requestid, senderid: "grace", callerid: signer.callerid, filter: emptyFilter(), collective: "mcollective", agent: "rpcutil", ttl: 60, time: now },
      message: encodeRpcRequest({ agent: "rpcutil", action: "ping", caller: signer.callerid, data: {} }),
      headers: { mc_sender: "grace", "reply-to": inbox },
      sign: (l3) => signer.sign(l3),
    });
    client.publish(nodeSubject("mcollective", "node9.example.net"), payload, { reply: inbox });
    for await (const msg of replies) {
      const reply = decodeReply(msg.data);
      assert.equal(reply.envelope.requestid, requestid);
      assert.equal(reply.headers.mc_sender, "node9.example.net");
      assert.deepEqual(parseRpcReply(reply.message), { statuscode: 0, statusmsg: "OK", data: { caller: "choria=grace.mcollective", action: "ping" } });
    }
    await served;
  });
});
