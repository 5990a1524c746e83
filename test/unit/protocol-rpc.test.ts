import assert from "node:assert/strict";
import {
  DISCOVERY_PING,
  DISCOVERY_PONG,
  encodeRpcReply,
  encodeRpcRequest,
  isDiscoveryPing,
  isDiscoveryPong,
  parseRpcReply,
  parseRpcRequest,
  ProtocolError,
} from "../../src/protocol/index.js";
import { goldenMessages } from "../helpers/golden.js";

const golden = goldenMessages();

describe("protocol: RPC and discovery bodies", () => {
  it("writes RPC request and reply bodies byte for byte as the golden samples", () => {
    for (const m of golden.filter((g) => g.body.startsWith("{"))) {
      const body = JSON.parse(m.body) as Record<string, unknown>;
      const encoded = m.reply !== null ? encodeRpcRequest(parseRpcRequest(m.body)) : encodeRpcReply(parseRpcReply(m.body));
      assert.equal(encoded, m.body, m.file);
      assert.deepEqual(JSON.parse(encoded), body);
    }
  });

  it("orders request keys agent, action, caller, data whatever the input order", () => {
    assert.equal(encodeRpcRequest({ data: { a: 1 }, caller: "choria=x.mcollective", action: "ping", agent: "rpcutil" }),
      '{"agent":"rpcutil","action":"ping","caller":"choria=x.mcollective","data":{"a":1}}');
    assert.equal(encodeRpcRequest({ data: {}, action: "ping", agent: "rpcutil" }), '{"agent":"rpcutil","action":"ping","data":{}}');
  });

  it("reads a Go client's body without caller or data, and an old base64 body", () => {
    assert.deepEqual(parseRpcRequest('{"agent":"rpcutil","action":"ping"}'), { agent: "rpcutil", action: "ping", data: {} });
    const b64 = Buffer.from('{"agent":"rpcutil","action":"ping","data":{}}').toString("base64");
    assert.deepEqual(parseRpcRequest(b64), { agent: "rpcutil", action: "ping", data: {} });
  });

  it("rejects request bodies without agent/action or with non-object data", () => {
    assert.throws(() => parseRpcRequest('{"agent":"rpcutil"}'), (e: unknown) => e instanceof ProtocolError && /"agent" and "action"/.test(e.message));
    assert.throws(() => parseRpcRequest('{"agent":"a","action":"b","data":[1]}'), (e: unknown) => e instanceof ProtocolError && /"data"/.test(e.message));
    assert.throws(() => parseRpcRequest("[]"), (e: unknown) => e instanceof ProtocolError && e.rule === "json");
  });

  it("reads reply bodies, including Go's string data, and rejects bad status codes", () => {
    assert.deepEqual(parseRpcReply('{"statuscode":0,"statusmsg":"OK","data":"{}","action":"x"}'), { statuscode: 0, statusmsg: "OK", data: {} });
    assert.throws(() => parseRpcReply('{"statuscode":7,"statusmsg":"x","data":{}}'), (e: unknown) => e instanceof ProtocolError && /statuscode 7/.test(e.message));
  });

  it("recognises the discovery ping and pong in every client's form", () => {
    const [ping, pong] = golden.filter((m) => m.file.startsWith("01-"));
    assert.equal(ping.body, DISCOVERY_PING);
    assert.equal(pong.body, DISCOVERY_PONG);
    for (const form of ['"ping"', "cGluZw==", "ping"]) assert.ok(isDiscoveryPing(form), form);
    for (const form of ['"pong"', "cG9uZw==", "pong"]) assert.ok(isDiscoveryPong(form), form);
    assert.ok(!isDiscoveryPing('{"agent":"rpcutil","action":"ping"}'));
  });
});
