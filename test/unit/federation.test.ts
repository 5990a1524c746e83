import assert from "node:assert/strict";
import { Config, federationCollectives, federationMiddlewareHosts } from "../../src/config/index.js";
import {
  decodeRequest,
  emptyFilter,
  encodeReply,
  encodeRequest,
  federateRequest,
  newRequestId,
  ProtocolError,
  replyToRequester,
  requestIntoCollective,
  stringifyJson,
  type Hop,
} from "../../src/protocol/index.js";
import { FederatedTransport } from "../../src/transport/index.js";
import type { Destination, Transport } from "../../src/wire/index.js";

const REPLY_TO = "mcollective.reply.0123456789abcdef0123456789abcdef.42.1";
const HOP: Hop = ["fed-nats:4222", "fed1.example.net", "east-nats:4222"];

/** A request as a client signs it (the signature is not checked here: federation never looks inside). */
function clientRequest(requestid = newRequestId()): string {
  const envelope = { requestid, senderid: "client", callerid: "choria=client.mcollective", filter: emptyFilter(), collective: "mcollective", agent: "rpcutil", ttl: 60, time: 1_700_000_000 };
  return encodeRequest({ envelope, message: '{"agent":"rpcutil","action":"ping","data":{}}', headers: { mc_sender: "client", "reply-to": REPLY_TO }, sign: () => ({ signature: "c2ln", pubcert: "cGVt" }) });
}

/** A transport payload with these headers around the data of a real request. */
const withHeaders = (headers: Record<string, unknown>) => stringifyJson({ ...JSON.parse(clientRequest()), headers });

const rejects = (f: () => unknown, reason: RegExp) => assert.throws(f, (err: unknown) => err instanceof ProtocolError && err.rule === "federation" && reason.test(err.message));

describe("federation (protocol.md §8.3)", () => {
  describe("the client's header", () => {
    it("adds {req, target} and leaves the signed layers and other headers as they were", () => {
      const original = clientRequest("0123456789abcdef0123456789abcdef");
      const federated = JSON.parse(federateRequest(original, ["mcollective.node.a", "mcollective.node.b"]));
      assert.deepEqual(federated.headers.federation, { req: "0123456789abcdef0123456789abcdef", target: ["mcollective.node.a", "mcollective.node.b"] });
      assert.equal(federated.headers["reply-to"], REPLY_TO);
      assert.equal(federated.data, JSON.parse(original).data);
    });
  });

  describe("the broker's request side", () => {
    it("delivers to each target with replies coming to the network's subject and the client's reply-to kept", () => {
      const federated = federateRequest(clientRequest(), ["mcollective.broadcast.agent.rpcutil"]);
      const out = requestIntoCollective(federated, "east", HOP);
      assert.deepEqual(out.targets, ["mcollective.broadcast.agent.rpcutil"]);
      const headers = JSON.parse(out.payload).headers;
      assert.equal(headers["reply-to"], "choria.federation.east.collective");
      assert.deepEqual(headers.federation, { req: out.requestid, target: [], "reply-to": REPLY_TO });
      assert.deepEqual(headers["seen-by"], [HOP]);
      // A node still reads it as the request the client signed.
      assert.equal(decodeRequest(out.payload, 1_700_000_000).envelope.requestid, out.requestid);
    });

    it("drops what is not a well-formed federated request, saying why", () => {
      const fed = (federation: unknown, replyTo: unknown = REPLY_TO) => withHeaders({ "reply-to": replyTo, federation });
      rejects(() => requestIntoCollective(withHeaders({ "reply-to": REPLY_TO }), "east", HOP), /no federation header/);
      rejects(() => requestIntoCollective(fed({ target: ["mcollective.node.a"] }), "east", HOP), /no request id/);
      rejects(() => requestIntoCollective(fed({ req: "r1", target: [] }), "east", HOP), /names no targets/);
      rejects(() => requestIntoCollective(fed({ req: "r1", target: ["mcollective.node.>"] }), "east", HOP), /not a node or broadcast subject/);
      rejects(() => requestIntoCollective(fed({ req: "r1", target: ["choria.federation.east.federation"] }), "east", HOP), /not a node or broadcast subject/);
      rejects(() => requestIntoCollective(withHeaders({ federation: { req: "r1", target: ["mcollective.node.a"] } }), "east", HOP), /no reply-to/);
      rejects(() => requestIntoCollective(fed({ req: "r1", target: ["mcollective.node.a"] }, "choria.federation.west.collective"), "east", HOP), /not a plain reply subject/);
      assert.throws(() => requestIntoCollective("not json", "east", HOP), ProtocolError);
    });
  });

  describe("the broker's reply side", () => {
    it("sends a node's reply to the client's subject without the federation block", () => {
      const forwarded = requestIntoCollective(federateRequest(clientRequest(), ["mcollective.node.a"]), "east", HOP);
      const federation = JSON.parse(forwarded.payload).headers.federation;
      const reply = encodeReply({ envelope: { senderid: "a", requestid: forwarded.requestid, agent: "rpcutil", time: 1 }, message: '"pong"', headers: { mc_sender: "a", federation } });
      const back: Hop = ["east-nats:4222", "fed2.example.net", "fed-nats:4222"];
      const out = replyToRequester(reply, back);
      assert.equal(out.subject, REPLY_TO);
      const headers = JSON.parse(out.payload).headers;
      assert.equal(headers.federation, undefined);
      assert.deepEqual(headers["seen-by"], [back]);
      assert.equal(headers.mc_sender, "a");
    });

    it("drops a reply that does not say where it goes", () => {
      rejects(() => replyToRequester(withHeaders({ mc_sender: "a" }), HOP), /no federation header/);
      rejects(() => replyToRequester(withHeaders({ federation: { req: "r1" } }), HOP), /no federation reply-to/);
      rejects(() => replyToRequester(withHeaders({ federation: { req: "r1", "reply-to": "mcollective.reply.*" } }), HOP), /not a plain reply subject/);
    });
  });

  describe("the client's transport", () => {
    /** Records what the federated transport hands to the NATS one. */
    function recorder() {
      const sent: Array<{ subject: string; targets: string[] }> = [];
      const inner = {
        publish: (dest: Destination, body: string) => sent.push({ subject: dest.kind === "reply" ? dest.target : "?", targets: JSON.parse(body).headers.federation.target }),
        flush: async () => undefined,
      } as unknown as Transport;
      return { sent, inner };
    }

    it("sends one payload for many nodes as messages of at most 200 targets to every member network", async () => {
      const { sent, inner } = recorder();
      const transport = new FederatedTransport(inner, ["east", "west"]);
      const payload = clientRequest();
      for (let i = 0; i < 450; i++) transport.publish({ kind: "node", collective: "mcollective", identity: `n${i}` }, payload);
      await transport.flush();
      assert.deepEqual(sent.map((s) => [s.subject, s.targets.length]), [
        ["choria.federation.east.federation", 200],
        ["choria.federation.west.federation", 200],
        ["choria.federation.east.federation", 200],
        ["choria.federation.west.federation", 200],
        ["choria.federation.east.federation", 50],
        ["choria.federation.west.federation", 50],
      ]);
      assert.equal(sent[0].targets[0], "mcollective.node.n0");
    });

    it("sends a broadcast without waiting for a flush", async () => {
      const { sent, inner } = recorder();
      new FederatedTransport(inner, ["east"]).publish({ kind: "agent", collective: "ops", agent: "discovery" }, clientRequest());
      await Promise.resolve();
      assert.deepEqual(sent, [{ subject: "choria.federation.east.federation", targets: ["ops.broadcast.agent.discovery"] }]);
    });
  });

  describe("config", () => {
    it("CHORIA_FED_COLLECTIVE wins over plugin.choria.federation.collectives, and federates a plain client", () => {
      const config = Config.fromText("plugin.choria.federation.collectives = east, west\n");
      assert.deepEqual(federationCollectives(config, {}), ["east", "west"]);
      assert.deepEqual(federationCollectives(config, { CHORIA_FED_COLLECTIVE: "west , north" }), ["west", "north"]);
      assert.deepEqual(federationCollectives(Config.fromText(""), { CHORIA_FED_COLLECTIVE: "east" }), ["east"]);
      assert.deepEqual(federationCollectives(Config.fromText(""), {}), []);
    });

    it("finds the federation brokers in federation_middleware_hosts, its SRV records, else the usual brokers", async () => {
      const noSrv = async () => [];
      assert.deepEqual(await federationMiddlewareHosts(Config.fromText("plugin.choria.federation_middleware_hosts = fed1:4223\nplugin.choria.middleware_hosts = m:4222\n"), noSrv), [{ host: "fed1", port: 4223 }]);
      assert.deepEqual(await federationMiddlewareHosts(Config.fromText("plugin.choria.middleware_hosts = m:4222\n"), noSrv), [{ host: "m", port: 4222 }]);
      const srv = async (name: string) => (name === "_x-puppet-mcollective_federation._tcp.example.net" ? [{ name: "fed.example.net", port: 4333, priority: 1, weight: 1 }] : []);
      assert.deepEqual(await federationMiddlewareHosts(Config.fromText("identity = n1.example.net\n"), srv), [{ host: "fed.example.net", port: 4333 }]);
    });
  });
});
