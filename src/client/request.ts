/** Builds and signs requests exactly as the legacy Ruby client puts them on the wire (wire.md, mco-client.md A.9). */
import { newRequestId, type Filter } from "../protocol/index.js";
import type { SecurityCodec } from "../wire/index.js";

/** A signed request ready to publish, with the subject its replies come back on. */
export interface OutgoingRequest {
  requestid: string;
  replyTo: string;
  payload: Uint8Array | string;
}

/** The filter of a discovery ping before an RPC call: the user's filter, the called agent, and the collective. */
export function discoveryFilter(user: Filter, agent: string | undefined, collective: string): Filter {
  return { ...withAgent(user, agent), collective };
}

/** A direct request keeps fact, class and compound filters but drops identities: the subject names the node. */
export function directFilter(user: Filter, agent: string): Filter {
  return { ...withAgent(user, agent), identity: [] };
}

/** A broadcast request carries the whole filter plus the called agent. */
export function broadcastFilter(user: Filter, agent: string): Filter {
  return withAgent(user, agent);
}

function withAgent(user: Filter, agent: string | undefined): Filter {
  const agents = agent === undefined || user.agent.includes(agent) ? user.agent : [...user.agent, agent];
  return { fact: user.fact, cf_class: user.cf_class, agent: agents, identity: user.identity, compound: user.compound };
}

/** Numbers requests per process (legacy reply targets carry the number) and signs each with the security plugin. */
export class RequestFactory {
  private seq = 0;

  constructor(
    private readonly identity: string,
    private readonly codec: SecurityCodec,
    private readonly ttl: number,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  get callerid(): string {
    return this.codec.callerid;
  }

  /** The next request's sequence number, from 1, for the reply target an inbox names. */
  nextSeq(): number {
    return ++this.seq;
  }

  /** A signed request for `agent` with its message (an RPC body, `"ping"` for discovery), replies going to `replyTo`. */
  build(args: { agent: string; collective: string; filter: Filter; message: unknown; replyTo: string; requestid?: string }): OutgoingRequest {
    const requestid = args.requestid ?? newRequestId();
    const payload = this.codec.encodeRequest({
      requestid,
      senderid: this.identity,
      filter: args.filter,
      collective: args.collective,
      agent: args.agent,
      ttl: this.ttl,
      time: this.now(),
      message: args.message,
      replyTo: args.replyTo,
    });
    return { requestid, replyTo: args.replyTo, payload };
  }
}
