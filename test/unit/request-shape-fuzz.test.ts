import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import { filterDataCalls, matchFilter } from "../../src/filter/index.js";
import { PskCodec, readMarshal, RHash, RString, rsym, SslCodec, toPlain, writeMarshal, YAML_SERIALIZER, type RValue } from "../../src/legacy/index.js";
import { decodeRequest, emptyFilter, encodeReply, encodeRequest, MAX_NESTING, ProtocolError } from "../../src/protocol/index.js";
import { rubySprintf } from "../../src/ruby/index.js";
import { ChoriaCodec } from "../../src/wire/choria.js";

const NOW = 1_800_000_000;
const node = { identity: "n1.example.net", facts: { country: "uk" }, classes: ["role::db"], agents: ["rpcutil"], data: () => ({ value: 1 }) };
const runs = { numRuns: 300 };

function payload(compound: unknown, body = '{"agent":"rpcutil","action":"ping","data":{}}'): string {
  return encodeRequest({
    envelope: { requestid: "0123456789abcdef0123456789abcdef", senderid: "s", callerid: "choria=t.mcollective", filter: { ...emptyFilter(), compound: compound as never }, collective: "mcollective", agent: "rpcutil", ttl: 60, time: NOW },
    message: body,
    headers: { "reply-to": "mcollective.reply.x.1.1" },
    sign: () => ({ signature: "c2ln", pubcert: "x" }),
  });
}

const isRefusal = (rule: string) => (err: unknown) => err instanceof ProtocolError && err.rule === rule;

// Tokens of the right keys with values of any type, next to well-formed ones, so both sides of the rule are tried.
const wordToken = fc.constantFrom("and", "or", "not", "(", ")").chain((w) => fc.oneof(fc.constant({ [w]: w }), fc.jsonValue().map((v) => ({ [w]: v }))));
const fstatement = fc.record(
  { name: fc.oneof(fc.constant("fstat"), fc.jsonValue()), params: fc.oneof(fc.constant("/etc/hosts"), fc.constant(null), fc.jsonValue()), operator: fc.oneof(fc.constant("=="), fc.jsonValue()), r_compare: fc.oneof(fc.constant(1), fc.constant("/x/"), fc.jsonValue()), value: fc.oneof(fc.constant("size"), fc.jsonValue()) },
  { requiredKeys: [] },
);
const token = fc.oneof(
  fc.oneof(fc.constant("country=uk"), fc.constant("role::db"), fc.constant("country=/^u(?=k)/"), fc.jsonValue()).map((statement) => ({ statement })),
  fc.oneof(fstatement, fc.jsonValue()).map((f) => ({ fstatement: f })),
  fc.oneof(fc.constant("fact('country') == 'uk'"), fc.jsonValue()).map((expr) => ({ expr })),
  wordToken,
  fc.jsonValue(),
);

describe("request shape and depth: refused at decode, never a TypeError or a stack overflow later", () => {
  it("compound filters of any token shape are refused as a filter error, or match to a plain yes or no", () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.array(fc.array(token, { maxLength: 5 }), { maxLength: 3 }), (compound) => {
        let filter;
        try {
          filter = decodeRequest(payload(compound), NOW).envelope.filter;
        } catch (err) {
          assert.ok(isRefusal("filter")(err), String(err));
          refused++;
          return;
        }
        accepted++;
        assert.equal(typeof matchFilter(filter, node), "boolean");
        assert.ok(Array.isArray(filterDataCalls(filter)));
      }),
      { numRuns: 1000 },
    );
    assert.ok(accepted > 50 && refused > 50, `accepted ${accepted}, refused ${refused}`);
  });

  it("compound parentheses nested deeper than 64 levels are refused at decode, whatever the depth (up to 20,000)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20_000 }), (depth) => {
        const tokens = [...Array(depth).fill({ "(": "(" }), { statement: "country=uk" }, ...Array(depth).fill({ ")": ")" })];
        if (depth > MAX_NESTING) {
          assert.throws(() => decodeRequest(payload([tokens]), NOW), (err: unknown) => isRefusal("filter")(err) && /parentheses nested deeper than 64 levels/.test(String(err)));
        } else {
          assert.equal(matchFilter(decodeRequest(payload([tokens]), NOW).envelope.filter, node), true);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("a request body nested deeper than 64 levels is refused at decode, whatever the depth (up to 6,000)", () => {
    const codec = new ChoriaCodec({ verify: (req) => ({ callerid: req.envelope.callerid, certname: "t.mcollective", privileged: false }) });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6000 }), fc.boolean(), (depth, arrays) => {
        const [open, close] = arrays ? ["[", "]"] : ['{"a":', "}"];
        const body = `{"agent":"rpcutil","action":"ping","data":{"x":${open.repeat(depth)}1${close.repeat(depth)}}}`;
        const delivery = { body: Buffer.from(payload([], body)), headers: {} };
        // The body object, its data, then `depth` levels of the value.
        if (depth + 2 <= MAX_NESTING) assert.equal(codec.decodeRequest(delivery, NOW).agent, "rpcutil");
        else assert.throws(() => codec.decodeRequest(delivery, NOW), (err: unknown) => isRefusal("size")(err) && /nests deeper than 64 levels/.test(String(err)));
      }),
      runs,
    );
  });

  it("a reply body nested deeper than 64 levels is refused by the client's decoder, whatever the depth (up to 6,000)", () => {
    const codec = new ChoriaCodec({});
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6000 }), (depth) => {
        const message = `{"statuscode":0,"statusmsg":"OK","data":{"x":${"[".repeat(depth)}1${"]".repeat(depth)}}}`;
        const body = Buffer.from(encodeReply({ envelope: { senderid: "n1", requestid: "0123456789abcdef0123456789abcdef", agent: "rpcutil", time: NOW }, message, headers: {} }));
        if (depth + 2 <= MAX_NESTING) assert.equal(codec.decodeReply({ body, headers: {} }).senderid, "n1");
        else assert.throws(() => codec.decodeReply({ body, headers: {} }), isRefusal("size"));
      }),
      runs,
    );
  });

  it("a legacy Marshal message nested deeper than 64 levels is refused at decode, whatever the depth (up to 6,000)", () => {
    const psk = new PskCodec({ secret: "s", callerid: "uid=0" });
    fc.assert(
      fc.property(fc.integer({ min: MAX_NESTING + 1, max: 6000 }), (depth) => {
        assert.throws(() => psk.decodeRequest({ body: writeMarshalIteratively(depth), headers: {} }, NOW), isRefusal("size"));
      }),
      { numRuns: 50 },
    );
  });

  it("a legacy YAML envelope nested thousands deep is refused before it is verified, again and again, and Node lives on", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const ssl = new SslCodec({ privateKey, callerid: "cert=server", callerPublicKey: () => undefined, serializer: YAML_SERIALIZER });
    fc.assert(
      fc.property(fc.integer({ min: MAX_NESTING + 1, max: 50_000 }), fc.boolean(), (depth, arrays) => {
        const [open, close] = arrays ? ["[", "]"] : ["{a: ", "}"];
        const body = Buffer.from(`--- ${open.repeat(depth)}1${close.repeat(depth)}\n`);
        assert.throws(() => ssl.decodeRequest({ body, headers: {} }, NOW), (err: unknown) => isRefusal("size")(err) && /nests deeper than 64 levels/.test(String(err)));
      }),
      { numRuns: 30 },
    );
  });

  it("a legacy filter linking one Array into itself level after level (Marshal links, YAML aliases) is refused before it expands", () => {
    const psk = new PskCodec({ secret: "s", callerid: "uid=0" });
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const ssl = new SslCodec({ privateKey, callerid: "cert=server", callerPublicKey: () => undefined, serializer: YAML_SERIALIZER });
    const expands = (err: unknown) => isRefusal("size")(err) && /legacy request filter expands through object links/.test(String(err));
    fc.assert(
      fc.property(fc.integer({ min: 18, max: 60 }), (levels) => {
        // Unsigned part of the envelope: before the fix, 30 levels took minutes and all memory before any check.
        assert.throws(() => psk.decodeRequest({ body: linkedFilterEnvelope(levels), headers: {} }, NOW), expands);
        assert.throws(() => ssl.decodeRequest({ body: Buffer.from(aliasedFilterYaml(levels)), headers: {} }, NOW), expands);
      }),
      { numRuns: 20 },
    );
    // Shared values as Ruby's own links make them still read, expanded.
    assert.deepEqual(toPlain(readMarshal(writeMarshal(linkedArrays(3)), "t"), "t"), [[[["x"], ["x"]], [["x"], ["x"]]], [[["x"], ["x"]], [["x"], ["x"]]]]);
  });

  it("a fact filter value of 300,000 digits and a letter is read in linear time (a quadratic number check stalled the node for minutes)", function () {
    this.timeout(10_000);
    const value = `${"1".repeat(300_000)}x`;
    // Not a number, so compared as text: "5" sorts after "111...".
    for (const [operator, expected] of [["==", false], [">", true], ["<=", false]] as const) {
      assert.equal(matchFilter({ ...emptyFilter(), fact: [{ fact: "country", operator, value }] }, { ...node, facts: { country: "5" } }), expected, operator);
    }
    assert.throws(() => rubySprintf("%d", [value]), /invalid value for a number/);
  });
});


/** Marshal of `depth` nested one-element arrays around "x", written without recursion (writeMarshal would recurse). */
function writeMarshalIteratively(depth: number): Uint8Array {
  const inner = writeMarshal(RString.utf8("x")).subarray(2);
  const head = Buffer.alloc(depth * 2);
  for (let i = 0; i < depth; i++) head.set([0x5b, 0x06], i * 2);
  return Buffer.concat([Buffer.from([4, 8]), head, inner]);
}

/** One Array linked twice into the next, `levels` times. */
function linkedArrays(levels: number): RValue {
  let shared: RValue = [RString.utf8("x")];
  for (let i = 0; i < levels; i++) shared = [shared, shared];
  return shared;
}

/** A psk request envelope whose filter's compound is `linkedArrays(levels)`. */
function linkedFilterEnvelope(levels: number): Uint8Array {
  const shared = linkedArrays(levels);
  const filter = new RHash(["fact", "cf_class", "agent", "identity"].map((k): [RValue, RValue] => [RString.utf8(k), []]).concat([[RString.utf8("compound"), shared]]));
  const text = (k: string, v: string): [RValue, RValue] => [rsym(k), RString.utf8(v)];
  return writeMarshal(new RHash([text("body", "b"), text("senderid", "s"), text("requestid", "r"), [rsym("filter"), filter], text("collective", "c"), text("agent", "a"), text("callerid", "uid=0"), [rsym("ttl"), 60], [rsym("msgtime"), NOW], text("hash", "h")]));
}

/** The same as an ssl YAML envelope, each level an anchor whose Array holds two aliases of the one before. */
function aliasedFilterYaml(levels: number): string {
  const lines = ["---", ":l0: &a0 [x]"];
  for (let i = 1; i <= levels; i++) lines.push(`:l${i}: &a${i} [*a${i - 1}, *a${i - 1}]`);
  lines.push(":body: b", ":senderid: s", ":requestid: r", `:filter: {fact: [], cf_class: [], agent: [], identity: [], compound: *a${levels}}`);
  lines.push(":collective: c", ":agent: a", ":callerid: cert=x", ":ttl: 60", `:msgtime: ${NOW}`, ":hash: h");
  return lines.join("\n") + "\n";
}
