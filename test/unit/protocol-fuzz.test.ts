import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import {
  decodeReply,
  decodeRequest,
  parseRpcReply,
  parseRpcRequest,
  ProtocolError,
  type DecodedRequest,
} from "../../src/protocol/index.js";
import { inspectPayload } from "../../src/cli/commands/wire.js";
import { RequestVerifier, SecurityError } from "../../src/security/index.js";
import { goldenMessages, wireCertsDir } from "../helpers/golden.js";

const golden = goldenMessages();
const [goldenRequest] = golden.filter((m) => m.reply !== null);
const [goldenReply] = golden.filter((m) => m.reply === null);
const now = (JSON.parse(goldenRequest.l3) as { envelope: { time: number } }).envelope.time;

/** Runs `fn`; passes if it returns or throws one of the typed errors, fails on anything else. */
function onlyTypedErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProtocolError || err instanceof SecurityError) return;
    assert.fail(`threw ${String(err)} (${(err as Error)?.constructor?.name})`);
  }
}

function decodeAll(payload: string | Uint8Array): void {
  onlyTypedErrors(() => decodeRequest(payload, now));
  onlyTypedErrors(() => decodeReply(payload));
}

/** A transport whose data is base64 of `secure`, so the fuzz reaches the inner layers. */
function wrap(secure: unknown): string {
  return JSON.stringify({ protocol: "choria:transport:1", data: Buffer.from(JSON.stringify(secure)).toString("base64"), headers: {} });
}

const runs = { numRuns: 300 };

describe("protocol: decoder fuzz (fast-check)", () => {
  it("any string or bytes: only ProtocolError", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => decodeAll(s)), runs);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (b) => decodeAll(b)), runs);
  });

  it("golden payloads truncated, with a byte changed, or with text inserted: only ProtocolError", () => {
    const payloads = golden.map((m) => m.payload);
    const pick = fc.constantFrom(...payloads);
    fc.assert(fc.property(pick, fc.nat(), (p, n) => decodeAll(p.slice(0, n % p.length))), runs);
    fc.assert(
      fc.property(pick, fc.nat(), fc.string({ minLength: 1, maxLength: 1 }), (p, n, c) => decodeAll(p.slice(0, n % p.length) + c + p.slice((n % p.length) + 1))),
      runs,
    );
    fc.assert(fc.property(pick, fc.nat(), fc.string(), (p, n, s) => decodeAll(p.slice(0, n % p.length) + s + p.slice(n % p.length))), runs);
  });

  it("well-wrapped layers with arbitrary JSON inside: only ProtocolError", () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => decodeAll(wrap(v))), runs);
    const envelope = fc.record(
      {
        requestid: fc.oneof(fc.string(), fc.constant("4ce10d218d7f5f33bde363d8807ec8a1"), fc.jsonValue()),
        senderid: fc.jsonValue(),
        callerid: fc.jsonValue(),
        filter: fc.oneof(fc.jsonValue(), fc.record({ fact: fc.array(fc.jsonValue()), cf_class: fc.jsonValue(), identity: fc.array(fc.string()), compound: fc.array(fc.jsonValue()) })),
        collective: fc.jsonValue(),
        agent: fc.jsonValue(),
        ttl: fc.oneof(fc.integer(), fc.jsonValue()),
        time: fc.oneof(fc.integer({ min: now - 100, max: now + 100 }), fc.jsonValue()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(envelope, fc.jsonValue(), (env, message) => {
        const l3 = JSON.stringify({ protocol: "choria:request:1", message, envelope: env });
        decodeAll(wrap({ protocol: "choria:secure:request:1", message: l3, signature: "c2ln", pubcert: "x" }));
        decodeAll(wrap({ protocol: "choria:secure:reply:1", message: l3, hash: "x" }));
      }),
      runs,
    );
  });

  it("RPC bodies: only ProtocolError", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))), (s) => {
        onlyTypedErrors(() => parseRpcRequest(s));
        onlyTypedErrors(() => parseRpcReply(s));
      }),
      runs,
    );
  });

  it("the verifier given mangled signatures, certificates and callerids: only SecurityError, and assess never throws", () => {
    const verifier = new RequestVerifier({ caPem: readFileSync(join(wireCertsDir, "ca.pem"), "utf8") });
    const req = decodeRequest(goldenRequest.payload, now);
    const mangle = (s: string) => fc.tuple(fc.nat(), fc.string()).map(([n, x]) => s.slice(0, n % s.length) + x + s.slice((n % s.length) + 1));
    fc.assert(
      fc.property(mangle(req.signature), mangle(req.pubcert), mangle(req.envelope.callerid), (signature, pubcert, callerid) => {
        const variant: DecodedRequest = { ...req, signature, pubcert, envelope: { ...req.envelope, callerid } };
        onlyTypedErrors(() => verifier.verify(variant, now));
        verifier.assess(variant, now);
      }),
      { numRuns: 200 },
    );
  });

  it("mcompat wire decode's inspection never throws, whatever arrives", () => {
    const verifier = new RequestVerifier({ caPem: readFileSync(join(wireCertsDir, "ca.pem"), "utf8") });
    const pick = fc.constantFrom(...golden.map((m) => m.payload));
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 500 }),
      fc.tuple(pick, fc.nat(), fc.string()).map(([p, n, x]) => Buffer.from(p.slice(0, n % p.length) + x + p.slice((n % p.length) + 1))),
      fc.jsonValue().map((v) => Buffer.from(wrap(v))),
    );
    fc.assert(
      fc.property(inputs, (bytes) => {
        const report = inspectPayload(bytes, { verifier, now });
        assert.ok(["request", "reply", "unknown"].includes(report.kind));
      }),
      runs,
    );
  });

  it("still decodes the untouched golden reply (the fuzz harness is not vacuous)", () => {
    assert.equal(decodeReply(goldenReply.payload).envelope.agent, "discovery");
  });
});
