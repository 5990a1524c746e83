/**
 * A client config for tests, and small in-test responders built from the protocol module: each connects to the
 * real broker with its own certificate, verifies requests as a server does, matches the filter and answers
 * (or stays silent). They stand in for `mcompat server` in tests that need replies a real agent cannot give.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { matchFilter } from "../../src/filter/index.js";
import {
  broadcastSubject,
  decodeRequest,
  encodeReply,
  encodeRpcReply,
  isDiscoveryPing,
  nodeSubject,
  parseRpcRequest,
  type DecodedRequest,
  type RpcReplyBody,
} from "../../src/protocol/index.js";
import { RequestVerifier } from "../../src/security/index.js";
import { connectBroker, type NatsConnection } from "../../src/transport/index.js";
import { testCert } from "./pki.js";

/** Writes a client.cfg for `<name>.mcollective` against the broker on `port` (several: a list to fail over in); returns its path. */
export async function writeClientConfig(port: number | number[], name = "tester", extra: string[] = []): Promise<string> {
  const identity = `${name}.mcollective`;
  const tls = await testCert(identity);
  const dir = mkdtempSync(join(tmpdir(), "mcompat-client-"));
  const file = join(dir, "client.cfg");
  writeFileSync(
    file,
    [
      `identity = ${identity}`,
      "collectives = mcollective,other",
      "main_collective = mcollective",
      `plugin.choria.middleware_hosts = ${[port].flat().map((p) => `127.0.0.1:${p}`).join(",")}`,
      "plugin.security.provider = file",
      `plugin.security.file.certificate = ${tls.cert}`,
      `plugin.security.file.key = ${tls.key}`,
      `plugin.security.file.ca = ${tls.ca}`,
      "color = 0",
      ...extra,
      "",
    ].join("\n"),
  );
  return file;
}

export type Answer = RpcReplyBody | "silent";

export interface ResponderSpec {
  identity: string;
  facts?: Record<string, unknown>;
  classes?: string[];
  agents?: string[];
  collectives?: string[];
  /** The reply to an RPC request; default `{0, "OK", {pong: <time>}}`. */
  answer?: (agent: string, action: string, data: Record<string, unknown>) => Answer;
}

export interface Responder {
  identity: string;
  /** Every request that reached this node, verified and decoded. */
  received: Array<{ subject: string; request: DecodedRequest }>;
  stop(): Promise<void>;
}

/** Starts a responder on the broker at `port`. */
export async function startResponder(port: number, spec: ResponderSpec): Promise<Responder> {
  const tls = await testCert(spec.identity);
  const verifier = new RequestVerifier({ caPem: readFileSync(tls.ca, "utf8") });
  const nc: NatsConnection = await connectBroker({ brokers: [{ host: "127.0.0.1", port }], tls, name: spec.identity, mode: "client" });
  const agents = spec.agents ?? ["rpcutil", "discovery"];
  const received: Responder["received"] = [];
  const node = { identity: spec.identity, facts: spec.facts ?? {}, classes: spec.classes ?? [], agents };
  const handle = (subject: string, payload: Uint8Array) => {
    const now = Math.floor(Date.now() / 1000);
    const request = decodeRequest(payload, now);
    verifier.verify(request);
    received.push({ subject, request });
    if (!matchFilter(request.envelope.filter, node)) return;
    const replyTo = request.headers["reply-to"]!;
    let message: string;
    if (request.envelope.agent === "discovery" && isDiscoveryPing(request.message)) {
      message = JSON.stringify("pong");
    } else {
      const body = parseRpcRequest(request.message);
      const answer = spec.answer?.(body.agent, body.action, body.data) ?? { statuscode: 0, statusmsg: "OK", data: { pong: now } };
      if (answer === "silent" || body.data.process_results === false) return;
      message = encodeRpcReply(answer);
    }
    nc.publish(
      replyTo,
      encodeReply({
        envelope: { senderid: spec.identity, requestid: request.envelope.requestid, agent: request.envelope.agent, time: now },
        message,
        headers: { mc_sender: spec.identity },
      }),
    );
  };
  for (const collective of spec.collectives ?? ["mcollective"]) {
    const subjects = [nodeSubject(collective, spec.identity), ...agents.map((a) => broadcastSubject(collective, a))];
    for (const subject of subjects) nc.subscribe(subject, { callback: (err, msg) => {
      if (!err) handle(msg.subject, msg.data);
    } });
  }
  await nc.flush();
  return { identity: spec.identity, received, stop: () => nc.close() };
}

/**
 * `count` emulated nodes behind one connection (`swarm-<n>.example.net`): each discovery ping is answered by every
 * one of them, the pongs spread evenly over `spreadMs`, as a large fleet's replies trickle in.
 */
export async function startSwarm(port: number, count: number, spreadMs: number): Promise<{ stop(): Promise<void> }> {
  const tls = await testCert("swarm.example.net");
  const nc = await connectBroker({ brokers: [{ host: "127.0.0.1", port }], tls, name: "swarm", mode: "client" });
  const timers: NodeJS.Timeout[] = [];
  nc.subscribe(broadcastSubject("mcollective", "discovery"), {
    callback: (err, msg) => {
      if (err) return;
      const request = decodeRequest(msg.data, Math.floor(Date.now() / 1000));
      const replyTo = request.headers["reply-to"]!;
      const batches = 20;
      for (let b = 0; b < batches; b++) {
        timers.push(
          setTimeout(() => {
            for (let n = b; n < count; n += batches) {
              const senderid = `swarm-${n}.example.net`;
              const envelope = { senderid, requestid: request.envelope.requestid, agent: "discovery", time: Math.floor(Date.now() / 1000) };
              nc.publish(replyTo, encodeReply({ envelope, message: JSON.stringify("pong"), headers: { mc_sender: senderid } }));
            }
          }, (spreadMs * b) / (batches - 1)),
        );
      }
    },
  });
  await nc.flush();
  return {
    stop: async () => {
      timers.forEach(clearTimeout);
      await nc.close();
    },
  };
}
