import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { Config, ConfigError } from "../../src/config/index.js";
import { emptyFilter, encodeReply, encodeRequest, newRequestId } from "../../src/protocol/index.js";
import type { Logger } from "../../src/server/logger.js";
import { adapterMessage, adapterSettings, inventoryDocument, inventoryRecord, OUTPUT_PROTOCOL, StreamAdapter, type AdapterSettings } from "../../src/streams/index.js";

const TIME = 1_700_000_000;

/** A registration request as a node signs it (the adapter checks the layers, not the signature). */
function registration(sender: string, body: unknown, requestid = newRequestId()): Uint8Array {
  const envelope = { requestid, senderid: sender, callerid: `choria=${sender}`, filter: emptyFilter(), collective: "mcollective", agent: "registration", ttl: 60, time: TIME };
  return Buffer.from(encodeRequest({ envelope, message: JSON.stringify(body), headers: { mc_sender: sender, "reply-to": "dev.null" }, sign: () => ({ signature: "c2ln", pubcert: "cGVt" }) }));
}

const settings = (text: string) => adapterSettings(Config.fromText(`plugin.choria.adapters = reg\nplugin.choria.adapter.reg.type = choria_streams\n${text}`));

function quietLog(lines: string[] = []): Logger {
  const log = (level: string, msg: string) => void lines.push(`${level}: ${msg}`);
  return { log, debug: (m) => log("debug", m), info: (m) => log("info", m), warn: (m) => log("warn", m), error: (m) => log("error", m) };
}

describe("streams (protocol.md §8.2)", () => {
  describe("the adapter's record", () => {
    it("carries a registration request as {protocol, data, sender, time, requestid}", () => {
      const id = newRequestId();
      const message = adapterMessage(registration("n1.example.net", ["rpcutil"], id), "request");
      assert.equal(message.json, JSON.stringify({ protocol: OUTPUT_PROTOCOL, data: '["rpcutil"]', sender: "n1.example.net", time: "2023-11-14T22:13:20Z", requestid: id }));
      assert.equal(message.msgid, `${id}.n1.example.net`);
    });

    it("carries a reply, each sender's record with its own id", () => {
      const id = newRequestId();
      const reply = (sender: string) => Buffer.from(encodeReply({ envelope: { senderid: sender, requestid: id, agent: "rpcutil", time: TIME }, message: '"pong"', headers: {} }));
      const [a, b] = ["a.example.net", "b.example.net"].map((s) => adapterMessage(reply(s), "reply"));
      assert.equal(JSON.parse(a.json).data, '"pong"');
      assert.notEqual(a.msgid, b.msgid);
    });
  });

  describe("the inventory", () => {
    const record = (sender: string, body: unknown, time = "2023-11-14T22:13:20Z") => JSON.stringify({ protocol: OUTPUT_PROTOCOL, data: JSON.stringify(body), sender, time, requestid: "x" });
    const content = { agents: [{ name: "rpcutil", version: "1" }, "package"], classes: ["role::web"], facts: { country: "uk" }, collectives: ["mcollective", "ops"] };

    it("reads inventory content, plain or gzipped, and the legacy agent list", () => {
      const node = { name: "n1", agents: ["rpcutil", "package"], classes: ["role::web"], facts: { country: "uk" }, collectives: ["mcollective", "ops"] };
      assert.deepEqual(inventoryRecord(record("n1", { protocol: "choria:registration:inventorycontent:1", content }))?.node, node);
      const zcontent = gzipSync(Buffer.from(JSON.stringify(content))).toString("base64");
      assert.deepEqual(inventoryRecord(record("n1", { protocol: "choria:registration:inventorycontent:1", zcontent }))?.node, node);
      assert.deepEqual(inventoryRecord(record("n2", ["rpcutil"]))?.node, { name: "n2", agents: ["rpcutil"] });
      assert.equal(inventoryRecord(record("n3", { protocol: "choria:registration:filecontent:1" })), undefined);
      assert.equal(inventoryRecord('{"protocol":"something else"}'), undefined);
    });

    it("keeps the newest record of each node", () => {
      const at = (name: string, agents: string[], time: number) => ({ node: { name, agents }, time });
      const doc = inventoryDocument([at("b", ["new"], 2), at("a", ["x"], 1), at("b", ["old"], 1)]);
      assert.deepEqual(doc, { nodes: [{ name: "a", agents: ["x"] }, { name: "b", agents: ["new"] }] });
    });
  });

  describe("settings", () => {
    it("reads Choria's keys and mcompat's stream name and limits", () => {
      const [s] = settings("plugin.choria.adapter.reg.ingest.topic = mcollective.broadcast.agent.registration\nplugin.choria.adapter.reg.ingest.protocol = request\nplugin.choria.adapter.reg.stream.topic = choria.registration.%s\nplugin.choria.adapter.reg.stream.max_age = 2h\n");
      assert.deepEqual(s.ingest, { topic: "mcollective.broadcast.agent.registration", protocol: "request", queue: "nats_ingest_reg" });
      assert.equal(s.stream.name, "REG");
      assert.equal(s.stream.subjects, "choria.registration.>");
      assert.equal(s.stream.maxAgeSec, 7200);
    });

    it("refuses what it cannot run, naming the key", () => {
      const refuses = (text: string, key: RegExp) => assert.throws(() => settings(text), (e: unknown) => e instanceof ConfigError && key.test(e.message));
      refuses("", /ingest\.topic must be set/);
      refuses("plugin.choria.adapter.reg.ingest.topic = x\nplugin.choria.adapter.reg.type = nats_stream\n", /reg\.type is 'nats_stream'/);
      refuses("plugin.choria.adapter.reg.ingest.topic = x\nplugin.choria.adapter.reg.ingest.protocol = both\n", /ingest\.protocol/);
      refuses("plugin.choria.adapter.reg.ingest.topic = x\nplugin.choria.adapter.reg.stream.topic = a.%s.b\n", /last part/);
      refuses("plugin.choria.adapter.reg.ingest.topic = x\nplugin.choria.adapter.reg.stream.max_age = a week\n", /max_age/);
    });
  });

  describe("delivery", () => {
    const base = (queueLength = 10): AdapterSettings => ({ ...settings("plugin.choria.adapter.reg.ingest.topic = x\nplugin.choria.adapter.reg.ingest.protocol = request\nplugin.choria.adapter.reg.stream.topic = reg.%s\n")[0], queueLength, workers: 2 });

    it("is at least once: a record the stream did not acknowledge is sent again until it is", async () => {
      const sent: Array<[string, string]> = [];
      let failures = 2;
      let acked!: () => void;
      const done = new Promise<void>((r) => (acked = r));
      const adapter = new StreamAdapter(base(), async (subject, _json, msgid) => {
        sent.push([subject, msgid]);
        if (failures-- > 0) throw new Error("no stream");
        acked();
      }, quietLog(), 5);
      const id = newRequestId();
      adapter.take(registration("n1.example.net", [], id));
      await done;
      await new Promise((r) => setImmediate(r)); // the adapter counts once the acknowledgement is back
      assert.deepEqual(sent, Array(3).fill(["reg.n1.example.net", `${id}.n1.example.net`]));
      assert.deepEqual(adapter.stats, { published: 1, dropped: 0, retries: 2 });
    });

    it("drops, saying why, a malformed message, a sender that is not an identity, and anything beyond the queue", async () => {
      const lines: string[] = [];
      const adapter = new StreamAdapter(base(1), () => new Promise(() => undefined), quietLog(lines));
      adapter.take(Buffer.from("not json"));
      adapter.take(registration("bad sender.*", []));
      adapter.take(registration("n1.example.net", []));
      adapter.take(registration("n2.example.net", []));
      assert.equal(adapter.stats.dropped, 3);
      assert.match(lines[0], /^warn: adapter reg dropped a malformed request: transport/);
      assert.match(lines[1], /sender "bad sender\.\*" is not an identity/);
      assert.match(lines[2], /from n2\.example\.net: 1 messages already wait for the stream/);
    });
  });
});
