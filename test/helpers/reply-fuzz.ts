/**
 * The client's side of every wire under fuzz: whatever a reply subject receives goes through the codec's decodeReply and
 * the RPC reader (ReplyCollector.accept), which must count it as a result or a rejected reply and never throw. Run with
 * few cases by `npm test` (test/unit/reply-decoder-fuzz) and many by `npm run soak`.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import { ReplyCollector, rpcReader, type RpcResult } from "../../src/client/collector.js";
import { AesCodec, PskCodec, SslCodec, YAML_SERIALIZER } from "../../src/legacy/index.js";
import { emptyFilter, encodeReply, replyHash } from "../../src/protocol/index.js";
import { encodeTransport } from "../../src/protocol/transport.js";
import type { InboundRequest, ReplyMessage, SecurityCodec } from "../../src/wire/index.js";
import { ChoriaCodec } from "../../src/wire/choria.js";

const NOW = 1_800_000_000;
const REQUESTID = "0123456789abcdef0123456789abcdef";

const rsa = () => generateKeyPairSync("rsa", { modulusLength: 1024 });
const serverKeys = rsa();
const clientKeys = rsa();
const clientPem = clientKeys.privateKey.export({ type: "pkcs1", format: "pem" }).toString();

interface Wire {
  name: string;
  server: SecurityCodec;
  client: SecurityCodec;
}

const wires: Wire[] = [
  {
    name: "choria",
    server: new ChoriaCodec({ verify: () => ({ callerid: "choria=tester.mcollective", certname: "tester.mcollective", privileged: false }) }),
    client: new ChoriaCodec({ signer: { callerid: "choria=tester.mcollective", sign: () => ({ signature: "c2ln", pubcert: "x" }) } }),
  },
  { name: "psk", server: new PskCodec({ secret: "s3cret", callerid: "uid=0" }), client: new PskCodec({ secret: "s3cret", callerid: "uid=0" }) },
  ...[undefined, YAML_SERIALIZER].map((serializer) => ({
    name: `ssl (${serializer?.name ?? "marshal"})`,
    server: new SslCodec({ privateKey: serverKeys.privateKey, callerid: "cert=server", callerPublicKey: () => clientKeys.publicKey, serializer }),
    client: new SslCodec({ privateKey: clientKeys.privateKey, callerid: "cert=tester", serverPublicKey: serverKeys.publicKey, serializer }),
  })),
  {
    name: "aes_security",
    server: new AesCodec({ privateKey: serverKeys.privateKey, callerid: "cert=server", callerPublicKey: () => clientKeys.publicKey }),
    client: new AesCodec({ privateKey: clientKeys.privateKey, privateKeyPem: clientPem, callerid: "cert=tester" }),
  },
];

const toBytes = (payload: Uint8Array | string) => (typeof payload === "string" ? Buffer.from(payload) : Buffer.from(payload));

/** The request as the server decoded it, so its reply is made as a real node would make it. */
function inbound(wire: Wire): InboundRequest {
  const body = toBytes(wire.client.encodeRequest({ requestid: REQUESTID, senderid: "tester", filter: emptyFilter(), collective: "mcollective", agent: "rpcutil", ttl: 60, time: NOW, message: { agent: "rpcutil", action: "ping", caller: wire.client.callerid, data: {} }, replyTo: "r" }));
  return wire.server.decodeRequest({ body, headers: {} }, NOW);
}

/** Hands `payload` to a fresh collector: exactly one of result or rejection, never an exception. */
function accept(wire: Wire, payload: Uint8Array | string, requestid = REQUESTID): { result?: RpcResult; rejected: number } {
  const collector = new ReplyCollector(wire.client, requestid, ["node1"], rpcReader("rpcutil", "ping"));
  const result = collector.accept({ body: toBytes(payload), headers: {} });
  assert.equal((result === undefined ? 0 : 1) + collector.rejected.length, 1);
  return { result, rejected: collector.rejected.length };
}

const shallowJson = fc.jsonValue({ maxDepth: 4 });
const replyBody: fc.Arbitrary<ReplyMessage> = fc.record({ statuscode: fc.constantFrom(0, 1, 2, 3, 4, 5) as fc.Arbitrary<0 | 1 | 2 | 3 | 4 | 5>, statusmsg: fc.string(), data: fc.dictionary(fc.string(), shallowJson, { maxKeys: 5 }) });
// Every field of any JSON type, and bodies that are not objects at all.
const wrongBody = fc.oneof(
  shallowJson,
  fc.record({ statuscode: shallowJson, statusmsg: shallowJson, data: shallowJson }, { requiredKeys: [] }),
  fc.record({ statuscode: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)), statusmsg: fc.string(), data: fc.oneof(fc.array(shallowJson), fc.string(), fc.constant(null)) }),
);

/** Defines the suite, each property tried `numRuns` times. */
export function replyDecoderFuzz(numRuns: number): void {
  const runs = { numRuns };
  describe(`client reply decoder fuzz (fast-check, ${numRuns} cases a property), every wire`, () => {
    for (const wire of wires) {
      describe(wire.name, () => {
        const req = inbound(wire);
        const reply = (message: ReplyMessage) => wire.server.encodeReply(req, message, "node1", NOW);

        it("reads a well-formed reply with any data back as the node sent it (the harness is not vacuous)", () => {
          fc.assert(
            fc.property(replyBody, (body) => {
              const { result } = accept(wire, reply(body));
              assert.ok(result, "a valid reply was rejected");
              assert.deepEqual([result.statuscode, result.statusmsg], body === "pong" ? [] : [body.statuscode, body.statusmsg]);
            }),
            runs,
          );
        });

        it("counts random bytes, cut replies and replies with a byte changed as rejected or read, never throwing", () => {
          const good = toBytes(reply({ statuscode: 0, statusmsg: "OK", data: { pong: NOW } }));
          fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => void accept(wire, bytes)), runs);
          fc.assert(fc.property(fc.string({ unit: "binary" }), (text) => void accept(wire, text)), runs);
          // Cut: rejected, or (a YAML reply losing its last newline or a base64 pad) read as exactly what was sent.
          fc.assert(
            fc.property(fc.nat(), (at) => {
              const { result } = accept(wire, good.subarray(0, at % good.length));
              if (result) assert.deepEqual([result.statuscode, result.data], [0, { pong: NOW }]);
            }),
            runs,
          );
          fc.assert(
            fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (at, xor) => {
              const changed = Buffer.from(good);
              changed[at % changed.length] ^= xor;
              accept(wire, changed);
            }),
            runs,
          );
        });

        it("rejects bodies of the wrong types and shapes, or reads them to a statuscode from 0 to 5 and an object of data", () => {
          // What a buggy or hostile node could sign: as JSON text on the Choria wire, else whatever the legacy encoder writes.
          const wrongReply = (body: unknown) =>
            wire.name === "choria"
              ? encodeReply({ envelope: { senderid: "node1", requestid: REQUESTID, agent: "rpcutil", time: NOW }, message: JSON.stringify(body), headers: {} })
              : reply(body as never);
          fc.assert(
            fc.property(wrongBody, (body) => {
              let payload: Uint8Array | string;
              try {
                payload = wrongReply(body);
              } catch {
                return; // not a body the legacy encoder can write
              }
              const { result } = accept(wire, payload);
              if (result) {
                assert.ok(Number.isInteger(result.statuscode) && result.statuscode >= 0 && result.statuscode <= 5);
                assert.equal(typeof result.data, "object");
              }
            }),
            runs,
          );
        });

        it("rejects a reply to another request, an oversized one and one nested too deep", () => {
          assert.equal(accept(wire, reply({ statuscode: 0, statusmsg: "OK", data: {} }), "f".repeat(32)).rejected, 1);
          const deep = JSON.parse(`${"[".repeat(200)}1${"]".repeat(200)}`) as unknown;
          assert.equal(accept(wire, reply({ statuscode: 0, statusmsg: "OK", data: { deep } })).rejected, 1);
          assert.equal(accept(wire, reply({ statuscode: 0, statusmsg: "OK", data: { blob: "x".repeat(5 * 1024 * 1024) } })).rejected, 1);
        });
      });
    }

    it("choria: rejects wrong protocol strings at each layer", () => {
      const [choria] = wires;
      const good = JSON.parse(String(choria.server.encodeReply(inbound(choria), { statuscode: 0, statusmsg: "OK", data: {} }, "node1", NOW))) as { data: string };
      const secure = JSON.parse(Buffer.from(good.data, "base64").toString()) as { message: string };
      const inner = JSON.parse(secure.message) as Record<string, unknown>;
      const protocol = fc.oneof(fc.string(), fc.constantFrom("choria:transport:2", "choria:secure:request:1", "choria:request:1", "choria:secure:reply:2", "choria:reply:0", "", "CHORIA:REPLY:1"));
      fc.assert(
        fc.property(protocol, fc.constantFrom("transport", "secure", "inner"), (name, layer) => {
          const l3 = layer === "inner" ? JSON.stringify({ ...inner, protocol: name }) : secure.message;
          // The hash is made again, so only the protocol string is wrong.
          const l2 = JSON.stringify({ ...secure, message: l3, hash: replyHash(l3), ...(layer === "secure" ? { protocol: name } : {}) });
          const l1 = layer === "transport" ? JSON.stringify({ protocol: name, data: Buffer.from(l2).toString("base64"), headers: {} }) : encodeTransport(l2, {});
          assert.equal(accept(choria, l1).rejected, 1);
        }),
        runs,
      );
    });
  });
}
