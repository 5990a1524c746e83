import assert from "node:assert/strict";
import {
  broadcastSubject,
  decodeReply,
  decodeRequest,
  emptyFilter,
  encodeReply,
  encodeRequest,
  encodeRequestL3,
  newRequestId,
  nodeSubject,
  ProtocolError,
  replyHash,
  replySubject,
  type DecodedRequest,
  type ProtocolRule,
} from "../../src/protocol/index.js";
import { goldenMessages, type GoldenMessage } from "../helpers/golden.js";

const golden = goldenMessages();
const requests = golden.filter((m) => m.reply !== null);
const replies = golden.filter((m) => m.reply === null);

/** The time a golden request was sent, read without our decoder. */
function sentAt(m: GoldenMessage): number {
  return (JSON.parse(m.l3) as { envelope: { time: number } }).envelope.time;
}

function rejects(fn: () => unknown, rule: ProtocolRule, words: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ProtocolError, `expected ProtocolError, got ${String(err)}`);
    assert.equal(err.rule, rule, err.message);
    assert.match(err.message, words);
    return true;
  });
}

describe("protocol: golden samples", () => {
  it("has the samples", () => {
    assert.ok(requests.length >= 4 && replies.length >= 4);
  });

  for (const m of requests) {
    it(`decodes the request in ${m.file} layer by layer`, () => {
      const req = decodeRequest(Buffer.from(m.payload), sentAt(m));
      assert.equal(req.l3, m.l3);
      assert.equal(req.message, m.body);
      assert.deepEqual(req.headers, { mc_sender: "vm", "reply-to": m.reply });
      const l2 = JSON.parse(m.secure) as { signature: string; pubcert: string };
      assert.equal(req.signature, l2.signature);
      assert.equal(req.pubcert, l2.pubcert);
      assert.equal(req.envelope.callerid, "choria=rip.mcollective");
      assert.equal(req.envelope.ttl, 60);
    });

    it(`re-encodes the request in ${m.file} to the same L3 bytes and the same data`, () => {
      const req = decodeRequest(m.payload, sentAt(m));
      assert.equal(encodeRequestL3(req.envelope, req.message), m.l3);
      const again = encodeRequest({ ...req, sign: () => ({ signature: req.signature, pubcert: req.pubcert }) });
      assert.deepEqual(decodeRequest(again, sentAt(m)), req);
    });
  }

  for (const m of replies) {
    it(`decodes the reply in ${m.file} and checks its hash`, () => {
      const reply = decodeReply(m.payload);
      assert.equal(reply.l3, m.l3);
      assert.equal(reply.message, m.body);
      assert.equal(reply.headers.mc_sender, reply.envelope.senderid);
      assert.equal(reply.hash, replyHash(m.l3));
    });

    it(`re-encodes the reply in ${m.file} to the exact secure layer`, () => {
      const reply = decodeReply(m.payload);
      const again = encodeReply(reply);
      const data = (JSON.parse(again) as { data: string }).data;
      assert.doesNotMatch(data, /\n/);
      assert.equal(Buffer.from(data, "base64").toString(), m.secure);
      assert.deepEqual(decodeReply(again), reply);
    });
  }

  it("names subjects as the legacy client and servers do", () => {
    const [discovery, direct] = requests;
    const d = decodeRequest(discovery.payload, sentAt(discovery));
    assert.equal(broadcastSubject(d.envelope.collective, d.envelope.agent), discovery.subject);
    assert.equal(nodeSubject("mcollective", "node1.example.net"), direct.subject);
    assert.equal(replySubject("mcollective", "choria=rip.mcollective", 12325, 1), direct.reply);
  });
});

describe("protocol: transport headers", () => {
  it("carries federation and seen-by headers through decode and re-encode untouched", () => {
    const m = requests[1];
    const req = decodeRequest(m.payload, sentAt(m));
    const headers = {
      "seen-by": [["nats://a:4222", "fed1", "nats://b:4222"]],
      federation: { req: req.envelope.requestid, "reply-to": "mcollective.reply.x.1.1", target: ["mcollective.node.node1.example.net"], extra: { kept: true } },
      mc_sender: "vm",
      "reply-to": "choria.federation.dc1.collective",
    };
    const payload = encodeRequest({ ...req, headers, sign: () => ({ signature: req.signature, pubcert: req.pubcert }) });
    assert.ok(payload.includes('"headers":{"mc_sender":"vm","reply-to":"choria.federation.dc1.collective","seen-by"'), payload.slice(-400));
    assert.deepEqual(decodeRequest(payload, sentAt(m)).headers, headers);
    const reply = decodeReply(replies[1].payload);
    assert.deepEqual(decodeReply(encodeReply({ ...reply, headers: { mc_sender: "node1", federation: headers.federation } })).headers.federation, headers.federation);
  });
});

describe("protocol: request ids and filters", () => {
  it("makes 32 lowercase hex request ids, all different", () => {
    const ids = new Set(Array.from({ length: 1000 }, newRequestId));
    assert.equal(ids.size, 1000);
    for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/);
  });

  it("writes a filter in wire key order whatever order it was built in", () => {
    const envelope = baseEnvelope();
    envelope.filter = {
      compound: [[{ statement: "country=uk" }, { and: "and" }, { statement: "role=db" }]],
      identity: ["node1.example.net"],
      agent: ["rpcutil"],
      cf_class: ["role::web"],
      fact: [{ operator: "==", value: "uk", fact: "country" } as never],
    };
    const l3 = encodeRequestL3(envelope, "{}");
    assert.ok(
      l3.includes(
        '"filter":{"fact":[{"fact":"country","value":"uk","operator":"=="}],"cf_class":["role::web"],"agent":["rpcutil"],' +
          '"identity":["node1.example.net"],"compound":[[{"statement":"country=uk"},{"and":"and"},{"statement":"role=db"}]]}',
      ),
      l3,
    );
  });
});

function baseEnvelope(over: Partial<DecodedRequest["envelope"]> = {}): DecodedRequest["envelope"] {
  return {
    requestid: "4ce10d218d7f5f33bde363d8807ec8a1",
    senderid: "vm",
    callerid: "choria=rip.mcollective",
    filter: emptyFilter(),
    collective: "mcollective",
    agent: "rpcutil",
    ttl: 60,
    time: 1_800_000_000,
    ...over,
  };
}

/** A request payload built from an L3 text we control, as a sender would publish it. */
function payloadWithL3(l3: string): string {
  const secure = JSON.stringify({ protocol: "choria:secure:request:1", message: l3, signature: "c2ln", pubcert: "cert" });
  return JSON.stringify({ protocol: "choria:transport:1", data: Buffer.from(secure).toString("base64"), headers: {} });
}

function payloadWithEnvelope(envelope: Record<string, unknown>): string {
  return payloadWithL3(JSON.stringify({ protocol: "choria:request:1", message: "{}", envelope }));
}

describe("protocol: rejections say which rule", () => {
  const now = 1_800_000_000;
  const good = () => ({ ...baseEnvelope() }) as Record<string, unknown>;

  it("accepts the baseline message", () => {
    assert.equal(decodeRequest(payloadWithEnvelope(good()), now).envelope.agent, "rpcutil");
  });

  it("rejects an expired request and one from the future, at the edges of the symmetric window", () => {
    assert.equal(decodeRequest(payloadWithEnvelope({ ...good(), time: now - 60 }), now).envelope.time, now - 60);
    assert.equal(decodeRequest(payloadWithEnvelope({ ...good(), time: now + 60 }), now).envelope.time, now + 60);
    rejects(() => decodeRequest(payloadWithEnvelope({ ...good(), time: now - 61 }), now), "expired", /expired.*61s ago/);
    rejects(() => decodeRequest(payloadWithEnvelope({ ...good(), time: now + 61 }), now), "future", /from the future/);
  });

  it("rejects a ttl below 30 seconds", () => {
    rejects(() => decodeRequest(payloadWithEnvelope({ ...good(), ttl: 29 }), now), "ttl", /ttl 29 is below the minimum of 30/);
  });

  it("rejects a request id that is not 32 hex characters", () => {
    rejects(() => decodeRequest(payloadWithEnvelope({ ...good(), requestid: "abc" }), now), "requestid", /"abc" is not 32 hex/);
    rejects(() => decodeRequest(payloadWithEnvelope({ ...good(), requestid: "z".repeat(32) }), now), "requestid", /32 hex/);
  });

  it("rejects a filter without its arrays", () => {
    const { compound: _drop, ...filter } = emptyFilter();
    rejects(() => decodeRequest(payloadWithEnvelope({ ...good(), filter }), now), "filter", /array "compound"/);
    rejects(() => decodeRequest(payloadWithEnvelope({ ...good(), filter: null }), now), "filter", /must be an object/);
    rejects(
      () => decodeRequest(payloadWithEnvelope({ ...good(), filter: { ...emptyFilter(), fact: [{ fact: "a", operator: "~", value: "b" }] } }), now),
      "filter",
      /fact entry/,
    );
  });

  it("rejects missing or mistyped envelope fields", () => {
    const { callerid: _c, ...noCaller } = good();
    rejects(() => decodeRequest(payloadWithEnvelope(noCaller), now), "field", /"callerid" must be a non-empty string/);
    rejects(() => decodeRequest(payloadWithEnvelope({ ...good(), time: "now" }), now), "field", /"time" must be an integer/);
  });

  it("rejects malformed base64 in transport data", () => {
    const payload = JSON.stringify({ protocol: "choria:transport:1", data: "eyJwcm90b2NvbCI6!!!=", headers: {} });
    rejects(() => decodeRequest(payload, now), "base64", /transport data is not valid base64/);
  });

  it("rejects JSON that is not an object, at every layer", () => {
    rejects(() => decodeRequest("[1,2,3]", now), "json", /transport.*not an object/);
    const secureArray = JSON.stringify({ protocol: "choria:transport:1", data: Buffer.from("[]").toString("base64"), headers: {} });
    rejects(() => decodeRequest(secureArray, now), "json", /secure request.*not an object/);
    rejects(() => decodeRequest(payloadWithL3('"just a string"'), now), "json", /request \(choria:request:1\).*not an object/);
  });

  it("rejects a payload over 1 MiB before parsing it", () => {
    const big = payloadWithL3(JSON.stringify({ protocol: "choria:request:1", message: "x".repeat(800_000), envelope: good() }));
    assert.ok(big.length > 1024 * 1024);
    rejects(() => decodeRequest(big, now), "size", /more than the 1 MiB/);
  });

  it("rejects truncated input", () => {
    const full = payloadWithEnvelope(good());
    rejects(() => decodeRequest(full.slice(0, full.length - 10), now), "json", /not valid JSON/);
    rejects(() => decodeRequest("", now), "json", /empty/);
  });

  it("rejects the wrong protocol at each layer", () => {
    rejects(() => decodeRequest(JSON.stringify({ protocol: "io.choria.protocol.v2.transport", data: "" }), now), "protocol", /expected "choria:transport:1"/);
    rejects(() => decodeReply(payloadWithEnvelope(good())), "protocol", /expected "choria:secure:reply:1"/);
  });

  it("rejects a reply whose hash does not match", () => {
    const m = replies[0];
    const tampered = JSON.parse(m.secure) as { message: string; hash: string };
    tampered.message = tampered.message.replace("pong", "gnop");
    const payload = JSON.stringify({ protocol: "choria:transport:1", data: Buffer.from(JSON.stringify(tampered)).toString("base64"), headers: {} });
    rejects(() => decodeReply(payload), "hash", /hash does not match/);
  });

  it("rejects bytes that are not UTF-8", () => {
    rejects(() => decodeRequest(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), now), "encoding", /UTF-8/);
  });
});
