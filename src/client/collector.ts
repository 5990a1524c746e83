/** Turns reply payloads into results: hash-checked decode, request id check, one reply per node, counts. */
import { decodeReply, isDiscoveryPong, parseRpcReply, ProtocolError } from "../protocol/index.js";

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
    private readonly requestid: string,
    expected: string[],
    /** Reads the L4 message of a valid reply; throws ProtocolError when it is not what the request expects. */
    private readonly read: (sender: string, message: string) => T,
  ) {
    this.expected = new Set(expected);
  }

  /** Decodes one payload; the result, or undefined when the reply is dropped (the reason lands in `rejected`). */
  accept(payload: Uint8Array | string): T | undefined {
    let sender: string | undefined;
    try {
      const reply = decodeReply(payload);
      sender = reply.envelope.senderid;
      if (reply.envelope.requestid !== this.requestid) {
        this.rejected.push({ sender, reason: `reply to another request (${reply.envelope.requestid})` });
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
      if (!(err instanceof ProtocolError)) throw err;
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
export function rpcReader(agent: string, action: string): (sender: string, message: string) => RpcResult {
  return (sender, message) => {
    const body = parseRpcReply(message);
    return { agent, action, sender, statuscode: body.statuscode, statusmsg: body.statusmsg, data: body.data ?? {} };
  };
}

/** Reads a discovery reply: `pong` as a JSON string (Ruby) or bare (Go). */
export function pongReader(_sender: string, message: string): true {
  if (!isDiscoveryPong(message)) throw new ProtocolError(`discovery reply is ${message.slice(0, 40)}, not pong`, "body");
  return true;
}
