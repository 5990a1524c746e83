/** Builds and signs requests exactly as the legacy Ruby client puts them on the wire (wire.md, mco-client.md A.9). */
import { encodeRequest, newRequestId, replySubject, type Filter } from "../protocol/index.js";
import type { Signer } from "../security/index.js";

/** A signed request ready to publish, with the subject its replies come back on. */
export interface OutgoingRequest {
  requestid: string;
  replyTo: string;
  payload: string;
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

/** Numbers requests per process (`<c>.reply.<md5(callerid)>.<pid>.<seq>`) and signs each with the caller's key. */
export class RequestFactory {
  private seq = 0;

  constructor(
    private readonly identity: string,
    private readonly signer: Signer,
    private readonly ttl: number,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
    private readonly pid: number = process.pid,
  ) {}

  get callerid(): string {
    return this.signer.callerid;
  }

  /** A signed request for `agent` with the given L4 message text (RPC JSON, or `"ping"` for discovery); `replyTo` overrides the client's own reply subject. */
  build(args: { agent: string; collective: string; filter: Filter; message: string; requestid?: string; replyTo?: string }): OutgoingRequest {
    const requestid = args.requestid ?? newRequestId();
    const replyTo = args.replyTo ?? replySubject(args.collective, this.signer.callerid, this.pid, ++this.seq);
    const payload = encodeRequest({
      envelope: {
        requestid,
        senderid: this.identity,
        callerid: this.signer.callerid,
        filter: args.filter,
        collective: args.collective,
        agent: args.agent,
        ttl: this.ttl,
        time: this.now(),
      },
      message: args.message,
      headers: { mc_sender: this.identity, "reply-to": replyTo },
      sign: (l3) => this.signer.sign(l3),
    });
    return { requestid, replyTo, payload };
  }
}
