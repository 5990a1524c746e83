/** Turns reply payloads into results: hash-checked decode, request id check, one reply per node, counts. */
import { ProtocolError, readRpcReply, stringifyJson } from "../protocol/index.js";
import { SecurityError } from "../security/index.js";
import type { Delivery, SecurityCodec } from "../wire/index.js";

/** One node's answer to an RPC request, in the shape `mco --json` prints. */
export interface RpcResult {
  agent: string;
  action: string;
  sender: string;
  statuscode: number;
  statusmsg: string;
  data: Record<string, unknown>;
}

/** A reply that was dropped, and why (bad hash, foreign request id, duplicate, unreadable body). */
export interface RejectedReply {
  sender?: string;
  reason: string;
}

/**
 * Collects the replies to one request. `expected` is the node list (empty for a broadcast with no
 * discovery); replies from other nodes are kept but counted as unexpected.
 */
export class ReplyCollector<T> {
  readonly responded: string[] = [];
  readonly unexpected: string[] = [];
  readonly rejected: RejectedReply[] = [];
  private readonly seen = new Set<string>();
  private readonly expected: Set<string>;

  constructor(
    private readonly codec: SecurityCodec,
    private readonly requestid: string,
    expected: string[],
    /** Reads the decoded message of a valid reply; throws ProtocolError when it is not what the request expects. */
    private readonly read: (sender: string, message: unknown) => T,
  ) {
    this.expected = new Set(expected);
  }

  /** Decodes one delivery; the result, or undefined when the reply is dropped (the reason lands in `rejected`). */
  accept(delivery: Delivery): T | undefined {
    let sender: string | undefined;
    try {
      const reply = this.codec.decodeReply(delivery);
      sender = reply.senderid;
      if (reply.requestid !== this.requestid) {
        this.rejected.push({ sender, reason: `reply to another request (${reply.requestid})` });
        return undefined;
      }
      if (this.seen.has(sender)) {
        this.rejected.push({ sender, reason: "duplicate reply" });
        return undefined;
      }
      const value = this.read(sender, reply.message);
      this.seen.add(sender);
      this.responded.push(sender);
      if (this.expected.size > 0 && !this.expected.has(sender)) this.unexpected.push(sender);
      return value;
    } catch (err) {
      if (!(err instanceof ProtocolError || err instanceof SecurityError)) throw err;
      this.rejected.push({ sender, reason: err.message });
      return undefined;
    }
  }

  /** True once every expected node has answered. */
  get complete(): boolean {
    if (this.expected.size === 0) return false;
    for (const node of this.expected) if (!this.seen.has(node)) return false;
    return true;
  }

  /** Expected nodes that have not answered, sorted. */
  missing(): string[] {
    return [...this.expected].filter((n) => !this.seen.has(n)).sort();
  }
}

/** Reads an RPC reply body into the result mco prints. */
export function rpcReader(agent: string, action: string): (sender: string, message: unknown) => RpcResult {
  return (sender, message) => {
    const body = readRpcReply(message);
    return { agent, action, sender, statuscode: body.statuscode, statusmsg: body.statusmsg, data: body.data ?? {} };
  };
}

/** Reads a discovery reply: the codec gives `pong` whatever form the sender wrote it in. */
export function pongReader(_sender: string, message: unknown): true {
  if (message !== "pong") throw new ProtocolError(`discovery reply is ${String(stringifyJson(message)).slice(0, 40)}, not pong`, "body");
  return true;
}
