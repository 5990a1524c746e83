import assert from "node:assert/strict";
import { constants, generateKeyPairSync, privateDecrypt, privateEncrypt } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { Config } from "../../src/config/index.js";
import { emptyFilter } from "../../src/protocol/filter.js";
import { ProtocolError, type ProtocolRule } from "../../src/protocol/errors.js";
import { SecurityError, type SecurityCheck } from "../../src/security/errors.js";
import type { Filter } from "../../src/protocol/types.js";
import type { InboundRequest, OutboundRequest } from "../../src/wire/types.js";
import {
  legacyCodecFromConfig,
  AesCodec,
  decryptAes,
  encryptAes,
  ENCRYPTED,
  MARSHAL,
  openRequest,
  readMarshal,
  PskCodec,
  SslCodec,
  envelopeKind,
  readOuter,
  readRequestEnvelope,
  readReplyEnvelope,
  writeRequestEnvelope,
  writeReplyEnvelope,
  writeMarshal,
  RHash,
  RString,
  RSymbol,
  rsym,
  YAML_SERIALIZER,
  type RValue,
} from "../../src/legacy/index.js";

const dir = join(process.cwd(), "fixtures", "wire-legacy");
const PSK = "legacy-peer-secret";
const clientPem = readFileSync(join(dir, "keys", "legacy-client.pem"), "utf8");
const serverPem = readFileSync(join(dir, "keys", "server-public.pem"), "utf8");

interface Golden {
  file: string;
  plugin: "psk" | "ssl";
  kind: "request" | "reply";
  body: Buffer;
  replyTo?: string;
}

/** Every frame a Ruby process sent (c2s SEND) in the golden captures; MESSAGE copies carry the same bodies. */
const golden: Golden[] = readdirSync(dir)
  .filter((f) => f.endsWith(".jsonl"))
  .flatMap((file) =>
    readFileSync(join(dir, file), "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as { dir: string; command: string; body_b64: string; headers: Record<string, string> })
      .filter((f) => f.dir === "c2s" && f.command === "SEND")
      .map((f) => {
        const body = Buffer.from(f.body_b64, "base64");
        const kind = envelopeKind(readOuter(body));
        assert.ok(kind !== "unknown", file);
        return { file, plugin: /-ssl-/.test(file) ? "ssl" : "psk", kind, body, ...(f.headers["reply-to"] !== undefined && { replyTo: f.headers["reply-to"] }) } as Golden;
      }),
  );
const pick = (plugin: Golden["plugin"], kind: Golden["kind"]) => golden.filter((g) => g.plugin === plugin && g.kind === kind);

const psk = new PskCodec({ secret: PSK, callerid: "uid=0" });
const rsa = () => generateKeyPairSync("rsa", { modulusLength: 2048 });
const throwaway = rsa();
/** A server that knows the captured client key and a throwaway "tester" key whose private half we hold. */
const sslServer = (enforceTtl?: string) =>
  new SslCodec({
    privateKey: throwaway.privateKey,
    callerid: "cert=server",
    callerPublicKey: (name) => ({ "legacy-client": clientPem, tester: throwaway.publicKey })[name],
    ...(enforceTtl !== undefined && { enforceTtl }),
  });
const sslClient = new SslCodec({ privateKey: throwaway.privateKey, callerid: "cert=tester", serverPublicKey: serverPem });

const sentAt = (body: Uint8Array) => readRequestEnvelope(readOuter(body)).msgtime;
const deliver = (body: Uint8Array | string, replyTo?: string) => ({ body: typeof body === "string" ? Buffer.from(body) : body, headers: {}, ...(replyTo !== undefined && { replyTo }) });

function outbound(req: InboundRequest): OutboundRequest {
  const { requestid, senderid, filter, collective, agent, ttl, time, message } = req;
  return { requestid, senderid, filter, collective, agent, ttl, time, message, replyTo: req.replyTo ?? "" };
}

function refused(fn: () => unknown, kind: "protocol" | "security", rule: ProtocolRule | SecurityCheck, words: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    if (kind === "protocol") assert.ok(err instanceof ProtocolError, String(err));
    else assert.ok(err instanceof SecurityError, String(err));
    assert.equal(kind === "protocol" ? (err as ProtocolError).rule : (err as SecurityError).check, rule, (err as Error).message);
    assert.match((err as Error).message, words);
    return true;
  });
}

/** The request envelope of `body` with `change` applied, written back (the psk hash covers only `:body`). */
function alter(body: Uint8Array, change: (env: ReturnType<typeof readRequestEnvelope>) => void): Uint8Array {
  const env = readRequestEnvelope(readOuter(body));
  change(env);
  return writeRequestEnvelope(env);
}

describe("legacy codecs: golden frames", () => {
  it("has psk and ssl requests and replies", () => {
    for (const plugin of ["psk", "ssl"] as const) for (const kind of ["request", "reply"] as const) assert.ok(pick(plugin, kind).length >= 2, `${plugin} ${kind}`);
  });

  it("psk: every request verifies and decodes", () => {
    for (const g of pick("psk", "request")) {
      const req = psk.decodeRequest(deliver(g.body, g.replyTo), sentAt(g.body));
      assert.deepEqual([req.callerid, req.caller.certname, req.caller.privileged, req.collective, req.ttl], ["uid=0", "0", false, "mcollective", 60], g.file);
      assert.equal(req.replyTo, g.replyTo);
      assert.ok(req.message === "ping" || (req.message as { caller: string }).caller === "uid=0", g.file);
    }
  });

  it("psk: discovery, fact filter, direct and broadcast RPC decode to what mco sent", () => {
    const [ping] = pick("psk", "request").filter((g) => g.file.startsWith("01"));
    const r1 = psk.decodeRequest(deliver(ping.body), sentAt(ping.body));
    assert.deepEqual([r1.agent, r1.message, r1.filter, r1.senderid], ["discovery", "ping", emptyFilter(), "mco-client.example.net"]);
    const [discovery, rpc] = pick("psk", "request").filter((g) => g.file.startsWith("04"));
    const r4 = psk.decodeRequest(deliver(discovery.body), sentAt(discovery.body));
    assert.deepEqual(r4.filter, { fact: [{ fact: "country", value: "uk", operator: "==" }], cf_class: [], agent: ["rpcutil"], identity: [], compound: [], collective: "mcollective" });
    const r4b = psk.decodeRequest(deliver(rpc.body), sentAt(rpc.body));
    assert.deepEqual(r4b.message, { agent: "rpcutil", action: "ping", caller: "uid=0", data: { process_results: true } });
    assert.equal(r4b.filter.collective, undefined);
  });

  it("psk: every reply verifies and decodes, daemon_stats with its Floats and Bignums", () => {
    for (const g of pick("psk", "reply")) {
      const reply = psk.decodeReply(deliver(g.body));
      assert.match(reply.senderid, /^node[123]\.example\.net$/);
      assert.ok(reply.message === "pong" || (reply.message as { statuscode: number }).statuscode === 0, g.file);
    }
    const stats = psk.decodeReply(deliver(pick("psk", "reply").find((g) => g.file.startsWith("05"))!.body)).message as { data: Record<string, unknown> };
    assert.deepEqual(stats.data.times, { utime: 0.95311, stime: 0.160202, cutime: 0, cstime: 0 });
    assert.equal(stats.data.starttime, 1795947475);
    assert.equal(stats.data.version, "2.12.5");
  });

  it("psk: our encoder writes every captured request byte for byte, links included", () => {
    for (const g of pick("psk", "request")) {
      const req = psk.decodeRequest(deliver(g.body, g.replyTo), sentAt(g.body));
      assert.deepEqual(Buffer.from(psk.encodeRequest(outbound(req))), g.body, g.file);
    }
  });

  it("psk: our encoder writes the captured pong and rpcutil ping replies byte for byte", () => {
    const replies = pick("psk", "reply").filter((g) => !g.file.startsWith("05"));
    for (const g of replies) {
      const reply = psk.decodeReply(deliver(g.body));
      const request = { requestid: reply.requestid, agent: reply.agent } as InboundRequest;
      assert.deepEqual(Buffer.from(psk.encodeReply(request, reply.message as "pong", reply.senderid, reply.time)), g.body, g.file);
    }
  });

  it("psk: the daemon_stats reply, whose agent tagged some strings US-ASCII, re-encodes to the same values", () => {
    const g = pick("psk", "reply").find((x) => x.file.startsWith("05"))!;
    const reply = psk.decodeReply(deliver(g.body));
    const again = psk.encodeReply({ requestid: reply.requestid, agent: reply.agent } as InboundRequest, reply.message as never, reply.senderid, reply.time);
    assert.deepEqual(psk.decodeReply(deliver(again)), reply);
  });

  it("ssl: every request verifies with the client's public key and unwraps ssl_msg", () => {
    const server = sslServer();
    for (const g of pick("ssl", "request")) {
      const req = server.decodeRequest(deliver(g.body), sentAt(g.body));
      assert.deepEqual([req.callerid, req.caller.certname], ["cert=legacy-client", "legacy-client"], g.file);
      assert.ok(req.message === "ping" || (req.message as { action: string }).action === "ping", g.file);
    }
  });

  it("ssl: every reply verifies with the servers' public key", () => {
    for (const g of pick("ssl", "reply")) {
      const reply = sslClient.decodeReply(deliver(g.body));
      assert.ok(reply.message === "pong" || (reply.message as { statuscode: number }).statuscode === 0, g.file);
    }
  });

  it("ssl: our encoder writes the captured bodies byte for byte (only the signature is ours) and signs in Ruby's base64 layout", () => {
    const server = sslServer();
    for (const g of pick("ssl", "request")) {
      const req = server.decodeRequest(deliver(g.body), sentAt(g.body));
      const theirs = readRequestEnvelope(readOuter(g.body));
      const signer = new SslCodec({ privateKey: throwaway.privateKey, callerid: "cert=legacy-client" });
      const ours = readRequestEnvelope(readOuter(signer.encodeRequest(outbound(req))));
      assert.deepEqual(Buffer.from(ours.body), Buffer.from(theirs.body), `${g.file}: signed body`);
      assert.match(ours.hash, /^([A-Za-z0-9+/]{60}\n){5}[A-Za-z0-9+/]{42}==\n$/);
      assert.deepEqual(Buffer.from(writeRequestEnvelope({ ...ours, hash: theirs.hash })), g.body, `${g.file}: envelope`);
    }
    for (const g of pick("ssl", "reply")) {
      const theirs = readReplyEnvelope(readOuter(g.body));
      const reply = sslClient.decodeReply(deliver(g.body));
      const ours = readReplyEnvelope(readOuter(server.encodeReply({ requestid: reply.requestid, agent: reply.agent } as InboundRequest, reply.message as "pong", reply.senderid, reply.time)));
      assert.deepEqual(Buffer.from(writeReplyEnvelope({ ...ours, hash: theirs.hash })), g.body, `${g.file}: reply`);
    }
  });
});

describe("legacy codecs: ssl with YAML, as Ruby's Psych writes it", () => {
  const yamlDir = join(dir, "yaml");
  const read = (name: string) => readFileSync(join(yamlDir, name));
  const server = new SslCodec({ privateKey: throwaway.privateKey, callerid: "cert=server", callerPublicKey: (name) => (name === "yaml-client" ? read("yaml-client.pem").toString() : undefined), serializer: YAML_SERIALIZER });
  const client = new SslCodec({ privateKey: throwaway.privateKey, callerid: "cert=tester", serverPublicKey: read("yaml-server-public.pem").toString(), serializer: YAML_SERIALIZER });

  it("verifies and decodes a request, its Regexp identity filter as /re/", () => {
    const req = server.decodeRequest(deliver(read("request.yaml")), 1795948013);
    assert.deepEqual(req.message, { agent: "rpcutil", action: "ping", caller: "cert=yaml-client", data: { process_results: true } });
    assert.deepEqual(req.filter, { fact: [{ fact: "country", value: "uk", operator: "==" }], cf_class: [], agent: ["rpcutil"], identity: ["/^(node2.example.net)$/"], compound: [] });
    assert.deepEqual([req.callerid, req.ttl, req.time], ["cert=yaml-client", 60, 1795948013]);
  });

  it("verifies and decodes a reply: a quoted :text stays a String, an empty value is nil", () => {
    const reply = client.decodeReply(deliver(read("reply.yaml")));
    assert.deepEqual(reply.message, { statuscode: 0, statusmsg: "OK", data: { pong: 1795948013, load: 0.25, name: ":not-a-symbol", none: null, list: ["a", 1, true] } });
  });

  it("refuses a tampered YAML body and a YAML tag outside the allow-list", () => {
    const text = read("request.yaml").toString();
    refused(() => server.decodeRequest(deliver(text.replace(":ssl_ttl: 60", ":ssl_ttl: 61")), 1795948013), "security", "signature", /signature does not match/);
    refused(() => server.decodeRequest(deliver(text.replace("compound: []", "compound: !ruby/object:Foo {}")), 1795948013), "protocol", "encoding", /!ruby\/object:Foo/);
  });

  it("parses no part of a body before its signature verified: only the envelope around it is read", () => {
    const layers: string[] = [];
    const spying = { ...YAML_SERIALIZER, read: (bytes: Uint8Array, layer: string) => (layers.push(layer), YAML_SERIALIZER.read(bytes, layer)) };
    const watched = new SslCodec({ privateKey: throwaway.privateKey, callerid: "cert=server", callerPublicKey: () => read("yaml-client.pem").toString(), serializer: spying });
    const text = read("request.yaml").toString();
    refused(() => watched.decodeRequest(deliver(text.replace(":ssl_ttl: 60", ":ssl_ttl: 61")), 1795948013), "security", "signature", /signature does not match/);
    assert.deepEqual(layers, ["legacy envelope"]);
    watched.decodeRequest(deliver(text), 1795948013);
    assert.deepEqual(layers, ["legacy envelope", "legacy envelope", "legacy request body"]);
  });
});

describe("legacy codecs: aes_security", () => {
  const aesDir = join(dir, "aes");
  const rubyRequest = readFileSync(join(aesDir, "request.marshal"));
  const clientPem = readFileSync(join(aesDir, "aes-client.pem"), "utf8");
  const server = new AesCodec({ privateKey: throwaway.privateKey, callerid: "cert=server", callerPublicKey: (name) => ({ "aes-client": clientPem, tester: throwaway.publicKey })[name] });
  const at = 1795948013;

  it("opens and decodes the request Ruby's plugin encrypted", () => {
    const req = server.decodeRequest(deliver(rubyRequest), at);
    assert.deepEqual(req.message, { agent: "rpcutil", action: "ping", caller: "cert=aes-client", data: { process_results: true } });
    assert.deepEqual([req.callerid, req.caller.certname, req.ttl, req.time], ["cert=aes-client", "aes-client", 60, at]);
  });

  it("writes the envelope and the encrypted wrapper byte for byte as Ruby did (only the random key differs)", () => {
    const env = readRequestEnvelope(readOuter(rubyRequest), ENCRYPTED);
    assert.deepEqual(Buffer.from(writeRequestEnvelope(env, MARSHAL, ENCRYPTED)), rubyRequest);
    const theirs = openRequest(env, clientPem);
    const ours = openRequest(readRequestEnvelope(readOuter(new AesCodec({ privateKey: throwaway.privateKey, callerid: "cert=aes-client" }).encodeRequest(outbound(server.decodeRequest(deliver(rubyRequest), at)))), ENCRYPTED), throwaway.publicKey);
    assert.deepEqual(ours, theirs);
  });

  it("encrypts a reply for the caller alone: its private key opens it, by hand and in our client", () => {
    const privateKeyPem = throwaway.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const client = new AesCodec({ privateKey: throwaway.privateKey, privateKeyPem, callerid: "cert=tester" });
    const req = server.decodeRequest(deliver(client.encodeRequest({ requestid: "c".repeat(32), senderid: "c", filter: emptyFilter(), collective: "m", agent: "rpcutil", ttl: 60, time: at, message: "ping", replyTo: "" })), at);
    const encoded = server.encodeReply(req, { statuscode: 0, statusmsg: "OK", data: { pong: at } }, "node1", at);
    const env = readReplyEnvelope(readOuter(encoded), ENCRYPTED);
    // the test opens the PKCS#1 v1.5 padding by hand, which Node no longer does for private decryption
    const padded = privateDecrypt({ key: throwaway.privateKey, padding: constants.RSA_NO_PADDING }, Buffer.from(env.hash, "base64"));
    assert.deepEqual([padded[0], padded[1]], [0, 2]);
    const key = padded.subarray(padded.indexOf(0, 2) + 1);
    const payload = readMarshal(decryptAes("aes-256-cbc", key, Buffer.from(Buffer.from(env.body).toString(), "base64")), "reply");
    assert.deepEqual(payload, new RHash([[rsym("statuscode"), 0], [rsym("statusmsg"), RString.utf8("OK")], [rsym("data"), new RHash([[rsym("pong"), at]])]]));
    assert.deepEqual(client.decodeReply(deliver(encoded)).message, { statuscode: 0, statusmsg: "OK", data: { pong: at } });
    const other = new AesCodec({ privateKey: rsa().privateKey, privateKeyPem: rsa().privateKey.export({ type: "pkcs1", format: "pem" }).toString(), callerid: "cert=other" });
    refused(() => other.decodeReply(deliver(encoded)), "security", "decrypt", /does not open with our private key/);
  });

  it("refuses a request from an unknown key, a damaged key or body, a tampered ttl, and a bare body unless enforce_ttl = 0", () => {
    const env = readRequestEnvelope(readOuter(rubyRequest), ENCRYPTED);
    const rewrite = (change: Partial<typeof env>) => writeRequestEnvelope({ ...env, ...change }, MARSHAL, ENCRYPTED);
    refused(() => server.decodeRequest(deliver(rewrite({ callerid: "cert=stranger" })), at), "security", "key", /no public key for stranger/);
    refused(() => server.decodeRequest(deliver(rewrite({ hash: Buffer.alloc(256, 1).toString("base64") })), at), "security", "decrypt", /:sslkey does not open/);
    const body = Buffer.from(Buffer.from(env.body).toString(), "base64");
    body[body.length - 1] ^= 1;
    refused(() => server.decodeRequest(deliver(rewrite({ body: Buffer.from(body.toString("base64")) })), at), "security", "decrypt", /:body does not decrypt/);
    refused(() => server.decodeRequest(deliver(rewrite({ body: Buffer.from("not*base64") })), at), "protocol", "base64", /not base64/);
    refused(() => server.decodeRequest(deliver(rewrite({ ttl: 3600 })), at), "security", "tampered", /does not match the secured ttl 60/);
    refused(() => server.decodeRequest(deliver(rubyRequest), at + 61), "protocol", "expired", /expired/);
    const bare = new AesCodec({ privateKey: throwaway.privateKey, callerid: "cert=tester" });
    const bareRequest = (() => {
      const payload = writeMarshal(RString.utf8("ping"));
      const { data, key } = encryptAesForTest(payload);
      return writeRequestEnvelope({ ...env, callerid: "cert=tester", body: Buffer.from(data), hash: key }, MARSHAL, ENCRYPTED);
    })();
    refused(() => server.decodeRequest(deliver(bareRequest), at), "protocol", "ttl", /older aes protocol/);
    const lenient = new AesCodec({ privateKey: throwaway.privateKey, callerid: "cert=server", callerPublicKey: () => throwaway.publicKey, enforceTtl: "0" });
    assert.equal(lenient.decodeRequest(deliver(bareRequest), at).message, "ping");
    assert.equal(bare.name, "aes_security");
  });
});

/** A bare (unwrapped) aes_security body, encrypted with the throwaway key as an old client would. */
function encryptAesForTest(payload: Uint8Array): { data: string; key: string } {
  const { data, key } = encryptAes("aes-256-cbc", payload);
  return { data: data.toString("base64"), key: privateEncrypt({ key: throwaway.privateKey, padding: constants.RSA_PKCS1_PADDING }, key).toString("base64") };
}

describe("legacy codecs: refusals", () => {
  const [request] = pick("psk", "request");
  const now = sentAt(request.body);

  it("psk: a flipped body byte, a wrong hash or another secret", () => {
    const flipped = alter(request.body, (env) => {
      env.body = Uint8Array.from(env.body, (b, i) => (i === env.body.length - 2 ? b ^ 1 : b));
    });
    refused(() => psk.decodeRequest(deliver(flipped), now), "security", "hash", /does not match its body and the psk/);
    refused(() => psk.decodeRequest(deliver(alter(request.body, (env) => (env.hash = "0".repeat(32)))), now), "security", "hash", /hash "0{32}"/);
    refused(() => new PskCodec({ secret: "other", callerid: "uid=0" }).decodeRequest(deliver(request.body), now), "security", "hash", /the psk/);
    refused(() => psk.decodeReply(deliver(pick("ssl", "reply")[0].body)), "security", "hash", /legacy reply from node/);
  });

  it("psk: a callerid that is not type=name", () => {
    for (const callerid of ["uid 0", "uid=0;rm -rf", "=0", "uid=0\nuid=1", "uid="]) {
      refused(() => psk.decodeRequest(deliver(alter(request.body, (env) => (env.callerid = callerid))), now), "security", "callerid", /not of the form type=name/);
    }
  });

  it("an expired request; the last second of its ttl and a future msgtime pass, as in Ruby", () => {
    refused(() => psk.decodeRequest(deliver(request.body), now + 61), "protocol", "expired", /expired: sent 61s ago, ttl 60s/);
    assert.ok(psk.decodeRequest(deliver(request.body), now + 60));
    assert.ok(psk.decodeRequest(deliver(request.body), now - 3600));
    const g = pick("ssl", "request")[0];
    refused(() => sslServer().decodeRequest(deliver(g.body), sentAt(g.body) + 61), "protocol", "expired", /expired/);
  });

  /** A psk request whose (correctly hashed) body holds `payload`. */
  const withPayload = (payload: Uint8Array) => {
    const env = readRequestEnvelope(readOuter(request.body));
    return writeRequestEnvelope({ ...env, body: payload, hash: psk.hash(payload) });
  };

  it("a body holding a Time, an Object, or nested too deep, with a correct hash", () => {
    const time = Buffer.from("040849753a0954696d650d208011c000000000063a097a6f6e65492208555443063a064546", "hex");
    refused(() => psk.decodeRequest(deliver(withPayload(time)), now), "protocol", "encoding", /legacy request body holds a user-dumped object \(_dump, e\.g\. Time\)/);
    refused(() => psk.decodeRequest(deliver(withPayload(Buffer.from("04086f3a08466f6f00", "hex"))), now), "protocol", "encoding", /holds a Object/);
    let deep: RValue = RString.utf8("x");
    for (let i = 0; i < 100; i++) deep = [deep];
    refused(() => psk.decodeRequest(deliver(withPayload(writeMarshal(deep))), now), "protocol", "size", /nests deeper than 64 levels/);
  });

  it("an envelope that is too large, not a Hash, or missing a key", () => {
    refused(() => psk.decodeRequest(deliver(new Uint8Array(5 * 1024 * 1024)), now), "protocol", "size", /over the limit/);
    refused(() => psk.decodeRequest(deliver(writeMarshal([])), now), "protocol", "protocol", /not a Hash/);
    const outer = readOuter(request.body);
    const noTtl = writeMarshal(new RHash(outer.entries.filter(([k]) => !(k instanceof RSymbol && k.name === "ttl"))));
    refused(() => psk.decodeRequest(deliver(noTtl), now), "protocol", "field", /has no :ttl/);
  });

  it("ssl: a flipped body byte, an unknown or malformed callerid, or a reply the servers' key did not sign", () => {
    const g = pick("ssl", "request")[0];
    const at = sentAt(g.body);
    const flipped = alter(g.body, (env) => {
      env.body = Uint8Array.from(env.body, (b, i) => (i === 10 ? b ^ 1 : b));
    });
    refused(() => sslServer().decodeRequest(deliver(flipped), at), "security", "signature", /signature does not match/);
    refused(() => sslServer().decodeRequest(deliver(alter(g.body, (env) => (env.callerid = "cert=stranger"))), at), "security", "key", /no public key for stranger/);
    refused(() => sslServer().decodeRequest(deliver(alter(g.body, (env) => (env.callerid = "uid=0"))), at), "security", "callerid", /names no cert=<name>/);
    refused(() => sslClient.decodeReply(deliver(pick("psk", "reply")[0].body)), "security", "signature", /signature does not match/);
  });

  it("ssl: an unsigned ttl or msgtime that differs from the signed one is tampering; enforce_ttl = 0 takes the signed one", () => {
    const g = pick("ssl", "request")[0];
    const at = sentAt(g.body);
    refused(() => sslServer().decodeRequest(deliver(alter(g.body, (env) => (env.ttl = 3600))), at), "security", "tampered", /ttl 3600 does not match the secured ttl 60/);
    refused(() => sslServer().decodeRequest(deliver(alter(g.body, (env) => (env.msgtime = at + 1000))), at), "security", "tampered", /message time/);
    assert.equal(sslServer("0").decodeRequest(deliver(alter(g.body, (env) => (env.ttl = 3600))), at).ttl, 60);
  });

  it("ssl: a Hash body without ssl_ttl is refused; a bare body only while enforce_ttl is unset", () => {
    const base = readRequestEnvelope(readOuter(pick("ssl", "request")[0].body));
    const signed = (payload: RValue) => {
      const body = writeMarshal(payload);
      return writeRequestEnvelope({ ...base, callerid: "cert=tester", body, hash: sslClient.signature(body) });
    };
    const unwrapped = signed(new RHash([[rsym("agent"), RString.utf8("rpcutil")]]));
    refused(() => sslServer().decodeRequest(deliver(unwrapped), base.msgtime), "protocol", "ttl", /has no secured ttl/);
    assert.equal(sslServer().decodeRequest(deliver(signed(RString.utf8("ping"))), base.msgtime).message, "ping");
    refused(() => sslServer("1").decodeRequest(deliver(signed(RString.utf8("ping"))), base.msgtime), "protocol", "ttl", /older ssl protocol/);
  });
});

describe("legacy codecs: damaged frames (fast-check)", () => {
  const requests = golden.filter((g) => g.kind === "request");
  const replies = golden.filter((g) => g.kind === "reply");
  const damaged = (list: Golden[]) =>
    fc.tuple(fc.constantFrom(...list), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean()).map(([g, at, xor, cut]) => {
      const body = Buffer.from(g.body);
      const i = at % body.length;
      return { g, body: cut ? body.subarray(0, i) : (body[i] ^= xor, body) };
    });
  const onlyTypedErrors = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      assert.ok(err instanceof ProtocolError || err instanceof SecurityError, String(err));
    }
  };

  it("a flipped byte or a cut anywhere gives a ProtocolError or SecurityError, never another failure", () => {
    fc.assert(fc.property(damaged(requests), ({ g, body }) => onlyTypedErrors(() => (g.plugin === "psk" ? psk : sslServer()).decodeRequest(deliver(body), sentAt(g.body)))), { numRuns: 1500 });
    fc.assert(fc.property(damaged(replies), ({ g, body }) => onlyTypedErrors(() => (g.plugin === "psk" ? psk : sslClient).decodeReply(deliver(body)))), { numRuns: 1500 });
  });

  it("a flipped byte inside the psk :body is always caught by the hash", () => {
    const g = pick("psk", "request")[0];
    const env = readRequestEnvelope(readOuter(g.body));
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const body = Uint8Array.from(env.body);
        body[at % body.length] ^= xor;
        refused(() => psk.decodeRequest(deliver(writeRequestEnvelope({ ...env, body })), env.msgtime), "security", "hash", /psk/);
      }),
    );
  });
});

const filterArb: fc.Arbitrary<Filter> = fc.record({
  fact: fc.array(fc.record({ fact: fc.string({ minLength: 1 }), value: fc.string(), operator: fc.constantFrom("==", "=~", "!=", "<", ">", "<=", ">=") as fc.Arbitrary<Filter["fact"][number]["operator"]> }), { maxLength: 3 }),
  cf_class: fc.array(fc.string(), { maxLength: 3 }),
  agent: fc.array(fc.string(), { maxLength: 3 }),
  identity: fc.array(fc.string(), { maxLength: 3 }),
  compound: fc.constant([]),
});

/** JSON-like input values whose numbers survive exactly (no -0, no whole numbers beyond 2^53, which come back as BigInt). */
const dataValue = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0) && (!Number.isInteger(d) || Number.isSafeInteger(d))),
  fc.array(fc.string(), { maxLength: 3 }),
);

const requestArb: fc.Arbitrary<OutboundRequest> = fc.record({
  requestid: fc.stringMatching(/^[0-9a-f]{32}$/),
  senderid: fc.stringMatching(/^[a-z0-9.-]{1,30}$/),
  filter: filterArb,
  collective: fc.stringMatching(/^\w{1,12}$/),
  agent: fc.stringMatching(/^\w{1,12}$/),
  ttl: fc.integer({ min: 1, max: 86400 }),
  time: fc.integer({ min: 0, max: 2 ** 40 }),
  message: fc.oneof(
    fc.constant("ping"),
    fc.record({ agent: fc.string(), action: fc.stringMatching(/^\w{1,12}$/), data: fc.dictionary(fc.string(), dataValue, { maxKeys: 4 }) }),
  ),
  replyTo: fc.constant("/queue/x"),
});

describe("legacy codecs: round trips (fast-check)", () => {
  for (const [name, encoder, decoder] of [
    ["psk", psk, psk],
    ["ssl", new SslCodec({ privateKey: throwaway.privateKey, callerid: "cert=tester" }), sslServer()],
    ["ssl with YAML", new SslCodec({ privateKey: throwaway.privateKey, callerid: "cert=tester", serializer: YAML_SERIALIZER }), new SslCodec({ privateKey: throwaway.privateKey, callerid: "cert=server", callerPublicKey: () => throwaway.publicKey, serializer: YAML_SERIALIZER })],
  ] as const) {
    it(`${name}: a request we encode decodes to what we sent`, () => {
      fc.assert(
        fc.property(requestArb, (req) => {
          const back = decoder.decodeRequest(deliver(encoder.encodeRequest(req), req.replyTo), req.time);
          // through JSON only to drop fast-check's null prototypes; every value here is JSON-safe
          const sent = typeof req.message === "string" ? req : { ...req, message: { ...(req.message as object), caller: encoder.callerid } };
          assert.deepEqual(JSON.parse(JSON.stringify(outbound(back))), JSON.parse(JSON.stringify(sent)));
          assert.equal(back.callerid, encoder.callerid);
        }),
        { numRuns: name === "psk" ? 300 : 60 },
      );
    });
  }
});

describe("legacy codecs: from a config", () => {
  const keys = mkdtempSync(join(tmpdir(), "mcompat-legacy-"));
  const server = rsa();
  const client = rsa();
  writeFileSync(join(keys, "server-private.pem"), server.privateKey.export({ type: "pkcs1", format: "pem" }));
  writeFileSync(join(keys, "server-public.pem"), server.publicKey.export({ type: "spki", format: "pem" }));
  writeFileSync(join(keys, "alice-private.pem"), client.privateKey.export({ type: "pkcs1", format: "pem" }));
  writeFileSync(join(keys, "alice.pem"), client.publicKey.export({ type: "spki", format: "pem" }));
  const sslConfig = (extra = "") =>
    Config.fromText(
      `securityprovider = ssl\nplugin.ssl_server_private = ${keys}/server-private.pem\nplugin.ssl_server_public = ${keys}/server-public.pem\n` +
        `plugin.ssl_client_private = ${keys}/alice-private.pem\nplugin.ssl_client_public = ${keys}/alice.pem\nplugin.ssl_client_cert_dir = ${keys}\n${extra}`,
    );

  it("psk: plugin.psk, or MCOLLECTIVE_PSK over it; callerid by plugin.psk.callertype", () => {
    const config = Config.fromText(`securityprovider = psk\nplugin.psk = ${PSK}\nidentity = node9.example.net\nplugin.psk.callertype = identity\n`);
    const codec = legacyCodecFromConfig(config, "server", {}) as PskCodec;
    assert.deepEqual([codec.name, codec.callerid, codec.hash(new Uint8Array())], ["psk", "identity=node9.example.net", psk.hash(new Uint8Array())]);
    const fromEnv = legacyCodecFromConfig(config, "client", { MCOLLECTIVE_PSK: "other" }) as PskCodec;
    assert.notEqual(fromEnv.hash(new Uint8Array()), codec.hash(new Uint8Array()));
    const uid = legacyCodecFromConfig(Config.fromText(`securityprovider = psk\nplugin.psk = x\n`), "client", {});
    assert.equal(uid.callerid, `uid=${process.getuid!()}`);
    const gid = legacyCodecFromConfig(Config.fromText(`securityprovider = psk\nplugin.psk = x\nplugin.psk.callertype = gid\n`), "client", {});
    assert.equal(gid.callerid, `gid=${process.getgid!()}`);
  });

  it("psk: a missing secret and an unknown provider are clear errors", () => {
    assert.throws(() => legacyCodecFromConfig(Config.fromText("securityprovider = psk\n"), "server", {}), /needs a secret: set plugin\.psk .* or MCOLLECTIVE_PSK/);
    assert.throws(() => legacyCodecFromConfig(Config.fromText("securityprovider = choria\n"), "server", {}), /"choria" is not a legacy security plugin \(expected one of: psk, ssl, aes_security\)/);
  });

  it("ssl: a client's request verifies on a server set up from the same key files, and its reply on the client", () => {
    const clientCodec = legacyCodecFromConfig(sslConfig(), "client", {});
    const serverCodec = legacyCodecFromConfig(sslConfig(), "server", {});
    assert.deepEqual([clientCodec.callerid, serverCodec.callerid], ["cert=alice", "cert=server-public"]);
    const req: OutboundRequest = { requestid: "a".repeat(32), senderid: "c", filter: emptyFilter(), collective: "mcollective", agent: "rpcutil", ttl: 60, time: 1000, message: "ping", replyTo: "/queue/r" };
    const inbound = serverCodec.decodeRequest(deliver(clientCodec.encodeRequest(req)), 1000);
    assert.equal(inbound.caller.certname, "alice");
    const reply = clientCodec.decodeReply(deliver(serverCodec.encodeReply(inbound, "pong", "node1", 1001)));
    assert.deepEqual(reply, { senderid: "node1", requestid: "a".repeat(32), agent: "rpcutil", time: 1001, message: "pong" });
  });

  it("aes_security: a server from its keys and client_cert_dir; with ca_cert only a certificate the CA issued counts", () => {
    const aesDir = join(dir, "aes");
    const aesConfig = (extra: string) =>
      Config.fromText(`securityprovider = aes_security\nplugin.aes.server_private = ${keys}/server-private.pem\nplugin.aes.server_public = ${keys}/server-public.pem\n${extra}`);
    const request = deliver(readFileSync(join(aesDir, "request.marshal")));
    const plain = legacyCodecFromConfig(aesConfig(`plugin.aes.client_cert_dir = ${aesDir}\n`), "server", {});
    assert.deepEqual([plain.name, plain.callerid, plain.decodeRequest(request, 1795948013).callerid], ["aes_security", "cert=server-public", "cert=aes-client"]);
    const issued = legacyCodecFromConfig(aesConfig(`plugin.aes.client_cert_dir = ${aesDir}/issued\nplugin.aes.ca_cert = ${aesDir}/ca.pem\n`), "server", {});
    assert.equal(issued.decodeRequest(request, 1795948013).caller.certname, "aes-client");
    const impostor = legacyCodecFromConfig(aesConfig(`plugin.aes.client_cert_dir = ${aesDir}/impostor\nplugin.aes.ca_cert = ${aesDir}/ca.pem\n`), "server", {});
    refused(() => impostor.decodeRequest(request, 1795948013), "security", "key", /no public key for aes-client/);
    assert.ok(legacyCodecFromConfig(aesConfig(`plugin.aes.client_cert_dir = ${aesDir}/impostor\n`), "server", {}).decodeRequest(request, 1795948013));
  });

  it("aes_security: a client, learn_pubkeys and a missing setting are clear errors", () => {
    assert.throws(() => legacyCodecFromConfig(Config.fromText("securityprovider = aes_security\n"), "client", {}), /needs plugin\.aes\.client_private for the client/);
    assert.throws(() => legacyCodecFromConfig(Config.fromText("securityprovider = aes_security\nplugin.aes.learn_pubkeys = 1\n"), "server", {}), /learn_pubkeys is not supported/);
    assert.throws(() => legacyCodecFromConfig(Config.fromText("securityprovider = aes_security\n"), "server", {}), /needs plugin\.aes\.server_private for the server/);
  });

  it("ssl: yaml serializer, and clear errors for a missing key setting, an unreadable key or another serializer", () => {
    const yaml = legacyCodecFromConfig(sslConfig("plugin.ssl_serializer = yaml\n"), "client", {});
    const text = Buffer.from(yaml.encodeRequest({ requestid: "b".repeat(32), senderid: "c", filter: emptyFilter(), collective: "m", agent: "rpcutil", ttl: 60, time: 5, message: "ping", replyTo: "" })).toString();
    assert.match(text, /^---\n:body: \|\n  ---\n  :ssl_msg: ping\n/);
    assert.throws(() => legacyCodecFromConfig(Config.fromText("securityprovider = ssl\n"), "client", {}), /needs plugin\.ssl_client_private \(or MCOLLECTIVE_SSL_PRIVATE\) for the client/);
    assert.throws(() => legacyCodecFromConfig(Config.fromText(`securityprovider = ssl\nplugin.ssl_server_private = ${keys}/nope.pem\nplugin.ssl_client_cert_dir = ${keys}\n`), "server", {}), /cannot read ssl key .*nope\.pem/);
    assert.throws(() => legacyCodecFromConfig(sslConfig("plugin.ssl_serializer = json\n"), "server", {}), /plugin\.ssl_serializer must be marshal or yaml, not "json"/);
  });
});
