/** A minimal signing client for server tests: builds requests with the protocol and security modules and collects replies. */
import { connectBroker, type NatsConnection, type Subscription } from "../../src/transport/index.js";
import {
  decodeReply,
  emptyFilter,
  encodeRequest,
  encodeRpcRequest,
  newRequestId,
  nodeSubject,
  broadcastSubject,
  parseRpcReply,
  replySubject,
  type DecodedReply,
  type Filter,
  type RpcReplyBody,
} from "../../src/protocol/index.js";
import { loadSigner, type Signer } from "../../src/security/index.js";
import { testCert } from "./pki.js";

export interface Reply {
  sender: string;
  decoded: DecodedReply;
  /** The RPC body, when the reply is one (discovery replies are not). */
  rpc?: RpcReplyBody;
  raw: string;
}

export interface RequestSpec {
  agent: string;
  action?: string;
  data?: Record<string, unknown>;
  filter?: Partial<Filter>;
  /** Direct request to these identities instead of a broadcast. */
  targets?: string[];
  collective?: string;
  /** Raw L4 message instead of an RPC body. */
  message?: string;
  ttl?: number;
  time?: number;
  /** Who must reply before the barrier is sent. */
  expect: string[];
}

/** Connects as `certname` (a cert from the test CA) and sends signed requests to the nodes named in `nodes`. */
export class Requester {
  private seq = 0;
  private constructor(private readonly nc: NatsConnection, readonly signer: Signer, private readonly nodes: string[]) {}

  /** With several ports the connection fails over between those brokers, as a client listing several middleware_hosts. */
  static async connect(port: number | number[], nodes: string[], certname = "tester.mcollective"): Promise<Requester> {
    const tls = await testCert(certname);
    const brokers = [port].flat().map((p) => ({ host: "127.0.0.1", port: p }));
    const nc = await connectBroker({ brokers, tls, name: certname, mode: "client" });
    return new Requester(nc, loadSigner({ certname, ...tls }), nodes);
  }

  /** The same connection signing as `signer` (another certificate, or a callerid it may not claim). */
  signingAs(signer: Signer): Requester {
    return new Requester(this.nc, signer, this.nodes);
  }

  /** The broker this client is connected to now, `host:port`. */
  server(): string {
    return this.nc.getServer();
  }

  /**
   * Sends the request, waits for every expected sender, then pings every node on the same path and waits for all of
   * them: a node that was going to answer the request has answered by then, so the replies returned are complete.
   */
  async request(spec: RequestSpec): Promise<Reply[]> {
    const collective = spec.collective ?? "mcollective";
    const message = spec.message ?? encodeRpcRequest({ agent: spec.agent, action: spec.action ?? "ping", caller: this.signer.callerid, data: { process_results: true, ...spec.data } });
    return this.exchange(collective, spec.expect, spec.targets, (replyTo) => this.publish({ ...spec, collective }, message, replyTo));
  }

  /** Like `request`, but `send` publishes whatever it likes with the reply subject it is given. */
  async exchange(collective: string, expect: string[], targets: string[] | undefined, send: (replyTo: string) => void): Promise<Reply[]> {
    const replyTo = replySubject(collective, this.signer.callerid, process.pid, ++this.seq);
    const collector = this.collector(replyTo, expect);
    send(replyTo);
    await collector.done;
    await this.barrier(collective, targets);
    collector.sub.unsubscribe();
    return collector.replies;
  }

  /** Hands every raw payload arriving on `subject` (wildcards allowed) to `onPayload`. */
  listen(subject: string, onPayload: (payload: string, subject: string) => void): Subscription {
    return this.nc.subscribe(subject, { callback: (_err, msg) => onPayload(msg.string(), msg.subject) });
  }

  /** Publishes a raw payload on a subject (for malformed-input tests). */
  publishRaw(subject: string, payload: string): void {
    this.nc.publish(subject, payload);
  }

  /** Builds a signed request payload as `mco` would. */
  payload(spec: Omit<RequestSpec, "expect"> & { collective: string }, message: string, replyTo: string): string {
    const filter: Filter = { ...emptyFilter(), ...spec.filter };
    return encodeRequest({
      envelope: {
        requestid: newRequestId(),
        senderid: "tester.example.net",
        callerid: this.signer.callerid,
        filter,
        collective: spec.collective,
        agent: spec.agent,
        ttl: spec.ttl ?? 60,
        time: spec.time ?? Math.floor(Date.now() / 1000),
      },
      message,
      headers: { mc_sender: "tester.example.net", "reply-to": replyTo },
      sign: (l3) => this.signer.sign(l3),
    });
  }

  private publish(spec: RequestSpec & { collective: string }, message: string, replyTo: string): void {
    const payload = this.payload(spec, message, replyTo);
    const subjects = spec.targets ? spec.targets.map((t) => nodeSubject(spec.collective, t)) : [broadcastSubject(spec.collective, spec.agent)];
    for (const subject of subjects) this.nc.publish(subject, payload);
  }

  private async barrier(collective: string, targets?: string[]): Promise<void> {
    const replyTo = replySubject(collective, this.signer.callerid, process.pid, ++this.seq);
    const nodes = targets ?? this.nodes;
    const collector = this.collector(replyTo, nodes);
    this.publish({ agent: "discovery", collective, targets, expect: nodes }, JSON.stringify("ping"), replyTo);
    await collector.done;
    collector.sub.unsubscribe();
  }

  /** Subscribes `replyTo` and collects every reply; `done` resolves once each of `expect` has replied. */
  private collector(replyTo: string, expect: string[]): { sub: Subscription; replies: Reply[]; done: Promise<void> } {
    const waiting = new Set(expect);
    const replies: Reply[] = [];
    let finish!: () => void;
    let fail!: (err: Error) => void;
    const done = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
    const guard = setTimeout(() => fail(new Error(`no reply on ${replyTo} from ${[...waiting].join(", ")} within 30 s`)), 30_000);
    const settle = () => waiting.size === 0 && (clearTimeout(guard), finish());
    const sub = this.nc.subscribe(replyTo, {
      callback: (_err, msg) => {
        const raw = msg.string();
        const decoded = decodeReply(raw);
        let rpc: RpcReplyBody | undefined;
        try {
          rpc = parseRpcReply(decoded.message);
        } catch {
          rpc = undefined;
        }
        replies.push({ sender: decoded.envelope.senderid, decoded, rpc, raw });
        waiting.delete(decoded.envelope.senderid);
        settle();
      },
    });
    settle();
    return { sub, replies, done };
  }

  async close(): Promise<void> {
    await this.nc.close();
  }
}
