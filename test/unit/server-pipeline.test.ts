import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { nativeAgents, type NativeContext } from "../../src/agents/index.js";
import { Config } from "../../src/config/index.js";
import { parseDdl } from "../../src/ddl/index.js";
import { decodeReply, emptyFilter, encodeRequest, encodeRpcRequest, parseRpcReply, type DecodedRequest, type Filter, type TransportHeaders } from "../../src/protocol/index.js";
import { createLogger } from "../../src/server/index.js";
import type { AuditEvent } from "../../src/server/audit/index.js";
import { handleRequest, MAX_DATA_CALLS, NOT_AUTHORIZED, type PipelineDeps } from "../../src/server/pipeline.js";
import type { LoadedAgent } from "../../src/server/registry.js";
import { Stats } from "../../src/server/stats.js";
import { ChoriaCodec } from "../../src/wire/choria.js";
import { REPO } from "../helpers/server.js";

const NOW = 1_800_000_000;
const rpcutilDdl = parseDdl(readFileSync(join(REPO, "ddl", "rpcutil.ddl"), "utf8"), "rpcutil.ddl");

interface Harness {
  deps: PipelineDeps;
  published: Array<{ subject: string; payload: string }>;
  audited: AuditEvent[];
  logs: string[];
}

function harness(overrides: Partial<PipelineDeps> = {}): Harness {
  const published: Harness["published"] = [];
  const audited: AuditEvent[] = [];
  const logs: string[] = [];
  const agents = new Map<string, LoadedAgent>([["rpcutil", { name: "rpcutil", ddl: rpcutilDdl, ddlFile: "rpcutil.ddl", kind: "native" }]]);
  const log = { ...createLogger({ level: "fatal" }), log: () => undefined, debug: (m: string) => logs.push(m), info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m) };
  const context = { now: () => NOW, config: Config.fromText("identity = n1.example.net\n") } as unknown as NativeContext;
  const deps: PipelineDeps = {
    identity: "n1.example.net",
    log,
    stats: new Stats(NOW),
    now: () => NOW,
    codec: new ChoriaCodec({ verify: (req) => ({ callerid: req.envelope.callerid, certname: "t.mcollective", privileged: false }) }),
    agents: () => agents,
    facts: () => ({ country: "uk" }),
    classes: () => [],
    queryData: async () => undefined,
    authorize: () => ({ allowed: true }),
    audit: (e) => audited.push(e),
    native: nativeAgents(),
    nativeContext: context,
    ruby: () => {
      throw new Error("no Ruby in this test");
    },
    reply: (subject, payload) => published.push({ subject, payload: String(payload) }),
    ...overrides,
  };
  return { deps, published, audited, logs };
}

function request(opts: { action?: string; data?: Record<string, unknown>; filter?: Partial<Filter>; time?: number; agent?: string; headers?: TransportHeaders; body?: string } = {}): string {
  const agent = opts.agent ?? "rpcutil";
  return encodeRequest({
    envelope: {
      requestid: "0123456789abcdef0123456789abcdef",
      senderid: "client.example.net",
      callerid: "choria=t.mcollective",
      filter: { ...emptyFilter(), ...opts.filter },
      collective: "mcollective",
      agent,
      ttl: 60,
      time: opts.time ?? NOW,
    },
    message: opts.body ?? encodeRpcRequest({ agent, action: opts.action ?? "ping", caller: "choria=t.mcollective", data: opts.data ?? {} }),
    headers: { "reply-to": "mcollective.reply.abc.1.1", ...opts.headers },
    sign: () => ({ signature: "c2ln", pubcert: "cert" }),
  });
}

const run = (h: Harness, payload: string) => handleRequest({ body: new TextEncoder().encode(payload), headers: {} }, h.deps);
const replyOf = (h: Harness) => parseRpcReply(decodeReply(h.published[0].payload).message);

describe("server: request pipeline", () => {
  it("replies to reply-to with mc_sender, the request id and the agent's data", async () => {
    const h = harness();
    await run(h, request());
    assert.equal(h.published.length, 1);
    assert.equal(h.published[0].subject, "mcollective.reply.abc.1.1");
    const reply = decodeReply(h.published[0].payload);
    assert.deepEqual(reply.headers, { mc_sender: "n1.example.net" });
    assert.deepEqual(reply.envelope, { senderid: "n1.example.net", requestid: "0123456789abcdef0123456789abcdef", agent: "rpcutil", time: NOW });
    assert.deepEqual(parseRpcReply(reply.message), { statuscode: 0, statusmsg: "OK", data: { pong: NOW } });
    assert.deepEqual(h.deps.stats.snapshot(), { total: 1, validated: 1, unvalidated: 0, filtered: 0, passed: 1, ttlexpired: 0, replies: 1 });
  });

  it("copies a federation block back into the reply headers", async () => {
    const h = harness();
    await run(h, request({ headers: { federation: { req: "0123456789abcdef0123456789abcdef", "reply-to": "x.reply" } } }));
    assert.deepEqual(decodeReply(h.published[0].payload).headers.federation, { req: "0123456789abcdef0123456789abcdef", "reply-to": "x.reply" });
  });

  it("answers a denied request with statuscode 1 and does not audit or run it", async () => {
    const h = harness({ authorize: () => ({ allowed: false, reason: "Denying based on default policy in rpcutil.policy" }) });
    await run(h, request());
    assert.deepEqual(replyOf(h), { statuscode: 1, statusmsg: NOT_AUTHORIZED, data: { pong: null } });
    assert.deepEqual(h.audited, []);
    assert.match(h.logs.join("\n"), /denied choria=t\.mcollective rpcutil#ping .*default policy/);
  });

  it("answers the data functions a policy calls before it judges", async () => {
    const h = harness({
      queryData: async (plugin, query) => (plugin === "fstat" && query === "/etc/allow" ? { present: 1 } : undefined),
      authorize: (req) => (req.data?.("fstat", "/etc/allow")?.present === 1 ? { allowed: true } : { allowed: false, reason: "no file" }),
    });
    await run(h, request());
    assert.equal(replyOf(h).statuscode, 0);
  });


  it("reads the node's facts and classes for authorization only when the authorizer looks at them", async () => {
    const reads: string[] = [];
    const facts = () => (reads.push("facts"), { country: "uk" });
    const classes = () => (reads.push("classes"), ["web"]);
    const unread = harness({ facts, classes });
    await run(unread, request());
    assert.equal(replyOf(unread).statuscode, 0);
    assert.deepEqual(reads, []);

    const judged = harness({ facts, classes, authorize: (req) => (req.facts.country === "uk" && req.classes.includes("web") ? { allowed: true } : { allowed: false, reason: "not uk" }) });
    await run(judged, request());
    assert.equal(replyOf(judged).statuscode, 0);
    assert.deepEqual(reads, ["facts", "classes"]);
  });
  it("audits an authorized request with its validated data and process_results as sent, and keeps going when auditing fails", async () => {
    const h = harness();
    await run(h, request({ action: "get_fact", data: { fact: "country", process_results: true } }));
    await run(h, request({ action: "get_fact", data: { fact: "country" } }));
    const event = { requestid: "0123456789abcdef0123456789abcdef", time: NOW, callerid: "choria=t.mcollective", senderid: "client.example.net", agent: "rpcutil", action: "get_fact" };
    assert.deepEqual(h.audited, [
      { ...event, data: { fact: "country", process_results: true } },
      { ...event, data: { fact: "country" } },
    ]);
    const failing = harness({ audit: () => { throw new Error("disk full"); } });
    await run(failing, request());
    assert.equal(replyOf(failing).statuscode, 0);
    assert.match(failing.logs.join("\n"), /Audit failed - disk full - continuing/);
  });

  it("runs but does not reply when process_results is false", async () => {
    const h = harness();
    await run(h, request({ data: { process_results: false } }));
    assert.equal(h.published.length, 0);
    assert.equal(h.audited.length, 1);
  });

  it("drops a request whose filter does not match, counting it", async () => {
    const h = harness();
    await run(h, request({ filter: { fact: [{ fact: "country", operator: "==", value: "de" }] } }));
    assert.equal(h.published.length, 0);
    assert.equal(h.deps.stats.snapshot().filtered, 1);
  });

  it("drops expired, malformed and unverifiable requests with a reason, counting each", async () => {
    const verify = (req: DecodedRequest) => {
      if (req.envelope.senderid === "client.example.net" && req.message.includes("inventory")) throw new Error("invalid signature");
      return { callerid: req.envelope.callerid, certname: "t", privileged: false };
    };
    const h = harness({ codec: new ChoriaCodec({ verify }) });
    await run(h, request({ time: NOW - 3600 }));
    await run(h, "{not json");
    await run(h, request({ action: "inventory" }));
    assert.equal(h.published.length, 0);
    assert.deepEqual(h.deps.stats.snapshot(), { total: 3, validated: 0, unvalidated: 2, filtered: 0, passed: 0, ttlexpired: 1, replies: 0 });
    const logs = h.logs.join("\n");
    assert.match(logs, /dropped expired request: .*expired/);
    assert.match(logs, /dropped malformed message: /);
    assert.match(logs, /invalid signature/);
  });

  it("drops a request for an agent it does not serve", async () => {
    const h = harness();
    await run(h, request({ agent: "package" }));
    assert.equal(h.published.length, 0);
    assert.match(h.logs.join("\n"), /agent 'package' is not loaded on n1\.example\.net/);
  });

  it("answers a body that is not an RPC request with 4, and one naming another agent with 4", async () => {
    const h = harness();
    await run(h, request({ body: "[1,2]" }));
    assert.equal(replyOf(h).statuscode, 4);
    assert.match(replyOf(h).statusmsg, /^Could not process request: /);
    const other = harness();
    await run(other, request({ body: encodeRpcRequest({ agent: "package", action: "status", data: {} }) }));
    assert.equal(replyOf(other).statuscode, 4);
  });

  it("drops a request whose filter regex needs a backtracking engine, saying why, and serves the next one", async () => {
    const h = harness();
    await run(h, request({ filter: { identity: ["/^(n1)\\1/"] } }));
    await run(h, request({ filter: { fact: [{ fact: "country", operator: "=~", value: "/(?=uk)/" }] } }));
    assert.equal(h.published.length, 0);
    assert.equal(h.deps.stats.snapshot().filtered, 2);
    assert.match(h.logs.join("\n"), /does not match: the regular expression \^\(n1\)\\1 cannot be used \(backreferences and lookarounds are refused/);
    assert.match(h.logs.join("\n"), /does not match: the regular expression \(\?=uk\) cannot be used/);
    await run(h, request({ filter: { identity: ["/^n1\\./"] } }));
    assert.equal(replyOf(h).statuscode, 0);
  });

  it("answers statuscode 5 saying so when the reply would be larger than a message may carry", async () => {
    const facts = () => ({ country: "uk", blob: "x".repeat(1024 * 1024) });
    const h = harness({ facts, nativeContext: { now: () => NOW, facts } as unknown as NativeContext });
    await run(h, request({ action: "get_fact", data: { fact: "blob" } }));
    assert.equal(h.published.length, 1);
    assert.ok(Buffer.byteLength(h.published[0].payload) < 4096);
    const reply = replyOf(h);
    assert.equal(reply.statuscode, 5);
    assert.match(reply.statusmsg, /^The reply was too large to send: \d+ bytes, more than the 1048576 bytes \(1 MiB\)/);
    assert.match(h.logs.join("\n"), /answered request 0123456789abcdef0123456789abcdef from choria=t\.mcollective for rpcutil with statuscode 5: The reply was too large/);
    await run(h, request({ action: "get_fact", data: { fact: "country" } }));
    assert.deepEqual(parseRpcReply(decodeReply(h.published[1].payload).message).data, { fact: "country", value: "uk" });
  });

  it("drops a compound token of the wrong type and data nested thousands deep at decode, saying why, and serves the next request", async () => {
    const h = harness();
    await run(h, request({ filter: { compound: [[{ statement: 5 } as never]] } }));
    await run(h, request({ body: `{"agent":"rpcutil","action":"ping","data":{"x":${"[".repeat(5000)}${"]".repeat(5000)}}}` }));
    assert.equal(h.published.length, 0);
    assert.equal(h.deps.stats.snapshot().unvalidated, 2);
    const logs = h.logs.join("\n");
    assert.match(logs, /dropped malformed message: .*compound token \{"statement":5\} that has a statement that is not a string/);
    assert.match(logs, /dropped malformed message: request 0123456789abcdef0123456789abcdef body nests deeper than 64 levels/);
    await run(h, request());
    assert.equal(replyOf(h).statuscode, 0);
  });

  it("runs at most MAX_DATA_CALLS data plugin calls for one request, and logs a call that fails as no match", async () => {
    const asked: string[] = [];
    const h = harness({ queryData: async (_plugin, query) => (asked.push(String(query)), query === "/slow" ? Promise.reject(new Error("data plugin fstat timed out after 1s")) : { present: 1 }) });
    const calls = (n: number) => Array.from({ length: n }, (_, i) => ({ fstatement: { name: "fstat", params: `/f${i}`, operator: "==", r_compare: 1, value: "present" } }));
    await run(h, request({ filter: { compound: [calls(MAX_DATA_CALLS + 1)] } }));
    assert.deepEqual(asked, []);
    assert.match(h.logs.join("\n"), /its filter makes 11 data plugin calls, more than the 10 one request may make/);
    await run(h, request({ filter: { compound: [[{ fstatement: { name: "fstat", params: "/slow", operator: "==", r_compare: 1, value: "present" } }]] } }));
    assert.match(h.logs.join("\n"), /data plugin call fstat\("\/slow"\) failed, so it matches nothing: data plugin fstat timed out after 1s/);
    assert.equal(h.published.length, 0);
    const ands = calls(MAX_DATA_CALLS).flatMap((t, i) => (i === 0 ? [t] : [{ and: "and" }, t]));
    await run(h, request({ filter: { compound: [ands as never] } }));
    assert.equal(asked.length, 1 + MAX_DATA_CALLS);
    assert.equal(replyOf(h).statuscode, 0);
  });
});
