import assert from "node:assert/strict";
import { join } from "node:path";
import { encodeRequest, type RequestEnvelope } from "../../src/protocol/index.js";
import type { RunningBroker } from "../../src/transport/index.js";
import { testBroker } from "../helpers/broker.js";
import { goldenMessages, type GoldenMessage } from "../helpers/golden.js";
import { Requester } from "../helpers/requester.js";
import { FIXTURES, startServer, type ServerNode } from "../helpers/server.js";

const NODE = "node1.example.net";

/** The key structure of a JSON value, nested; arrays by their first element. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? [shape(value[0])] : [];
  if (value && typeof value === "object") return Object.entries(value).map(([k, v]) => [k, shape(v)]);
  return value === null ? "null" : typeof value;
}

/** Every layer of a reply payload, parsed. */
function layers(payload: string) {
  const transport = JSON.parse(payload);
  const secure = JSON.parse(Buffer.from(transport.data, "base64").toString());
  const l3 = JSON.parse(secure.message);
  return { transport, secure, l3, body: JSON.parse(l3.message) };
}

describe("mcompat server answers the golden legacy requests in the golden shape", function () {
  this.timeout(60_000);
  let broker: RunningBroker;
  let node: ServerNode;
  let client: Requester;
  const samples = goldenMessages();
  const requests = samples.filter((m) => m.secure.includes("choria:secure:request:1"));

  before(async () => {
    broker = await testBroker();
    node = await startServer({ identity: NODE, factsFile: join(FIXTURES, "facts", "node1.yaml"), classesFile: join(FIXTURES, "facts", "node1.classes.txt") }, broker.port);
    client = await Requester.connect(broker.port, [NODE], "rip.mcollective");
  });

  after(async () => {
    await client?.close();
    await node?.stop();
    await broker?.stop();
  });

  for (const request of requests) {
    const golden = samples.find((m) => m.file === request.file && m.subject === request.reply && m.l3.includes(NODE)) ?? samples.find((m) => m.file === request.file && m.subject === request.reply);
    if (!golden) continue;
    it(`${request.file}: ${request.subject}`, async () => {
      const agent = (JSON.parse(request.l3) as { envelope: RequestEnvelope }).envelope.agent;
      assert.ok(servedAgents().includes(agent), `the node does not serve the ${agent} agent the sample calls; its log:\n${node.log()}`);
      const replies = await replay(request);
      assert.equal(replies.length, 1, "one reply per request");
      const ours = layers(replies[0]);
      const theirs = layers(golden.payload);
      assert.deepEqual(Object.keys(ours.transport), Object.keys(theirs.transport));
      assert.deepEqual(Object.keys(ours.transport.headers), Object.keys(theirs.transport.headers));
      assert.equal(ours.transport.headers.mc_sender, NODE);
      assert.deepEqual(Object.keys(ours.secure), Object.keys(theirs.secure));
      assert.deepEqual(shape(ours.l3.envelope), shape(theirs.l3.envelope));
      assert.equal(ours.l3.envelope.agent, theirs.l3.envelope.agent);
      if (typeof theirs.body === "string") {
        assert.equal(ours.body, theirs.body);
      } else if (request.file.includes("package")) {
        assert.deepEqual(Object.keys(ours.body), Object.keys(theirs.body));
        assert.deepEqual(Object.keys(ours.body.data).sort(), Object.keys(theirs.body.data).sort());
      } else {
        assert.deepEqual(Object.keys(ours.body), Object.keys(theirs.body));
        assert.deepEqual(Object.keys(ours.body.data), Object.keys(theirs.body.data));
        assert.equal(ours.body.statuscode, theirs.body.statuscode);
        assert.equal(ours.body.statusmsg, theirs.body.statusmsg);
      }
    });
  }

  /** The agents the node logged as served (the package sample needs the bundled Ruby package agent). */
  function servedAgents(): string[] {
    return /serving agents: (.*)/.exec(node.log())?.[1].split(", ") ?? [];
  }

  /** Sends the golden request again: same L3 but fresh time, our own reply subject, signed by our rip.mcollective. */
  async function replay(request: GoldenMessage): Promise<string[]> {
    const l3 = JSON.parse(request.l3) as { message: string; envelope: RequestEnvelope };
    const envelope: RequestEnvelope = { ...l3.envelope, time: Math.floor(Date.now() / 1000) };
    const replies = await client.exchange(envelope.collective, [NODE], [NODE], (replyTo) => {
      const payload = encodeRequest({ envelope, message: l3.message, headers: { mc_sender: envelope.senderid, "reply-to": replyTo }, sign: (text) => client.signer.sign(text) });
      client.publishRaw(request.subject.replace(/\.node\..*$/, `.node.${NODE}`), payload);
    });
    return replies.map((r) => r.raw);
  }
});
