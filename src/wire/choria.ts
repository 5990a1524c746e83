/** The `choria` security codec: JSON layers, RSA-SHA256 signed requests, SHA-256 hashed replies (protocol/). */
import {
  decodeReply,
  decodeRequest,
  checkNesting,
  encodeReply,
  encodeRequest,
  encodeRpcReply,
  parseJsonExact,
  stringifyJson,
  isDiscoveryPing,
  isDiscoveryPong,
  type DecodedRequest,
  type FederationHeaders,
  type TransportHeaders,
} from "../protocol/index.js";
import { SecurityError, type Signer, type VerifiedCaller } from "../security/index.js";
import type { Delivery, InboundReply, InboundRequest, OutboundRequest, ReplyMessage, SecurityCodec } from "./types.js";

export interface ChoriaCodecOptions {
  /** Verifies a decoded request (the server's RequestVerifier); throws SecurityError. */
  verify?: (req: DecodedRequest, now: number) => VerifiedCaller;
  /** Signs outgoing requests; without one this side cannot send requests. */
  signer?: Pick<Signer, "callerid" | "sign">;
}

export class ChoriaCodec implements SecurityCodec {
  readonly name = "choria";

  constructor(private readonly opts: ChoriaCodecOptions) {}

  get callerid(): string {
    return this.opts.signer?.callerid ?? "";
  }

  decodeRequest(delivery: Delivery, now: number): InboundRequest {
    const req = decodeRequest(delivery.body, now);
    const env = req.envelope;
    if (!this.opts.verify) throw new SecurityError("this side has no verifier for requests", "certificate");
    let caller: VerifiedCaller;
    try {
      caller = this.opts.verify(req, now);
    } catch (err) {
      if (!(err instanceof SecurityError)) throw err;
      throw new SecurityError(`request ${env.requestid} from ${env.callerid}@${env.senderid} for ${env.agent}: ${err.message}`, err.check);
    }
    const replyTo = req.headers["reply-to"];
    const message = messageValue(req.message, isDiscoveryPing, "ping");
    checkNesting(message, `request ${env.requestid} body`);
    return {
      ...env,
      message,
      replyTo: typeof replyTo === "string" && replyTo !== "" ? replyTo : undefined,
      caller,
      context: req.headers.federation,
    };
  }

  encodeReply(request: InboundRequest, message: ReplyMessage, senderid: string, now: number): string {
    // A federated request's block travels back so the federation broker can route the reply.
    const federation = request.context as FederationHeaders | undefined;
    const headers: TransportHeaders = federation ? { mc_sender: senderid, federation } : { mc_sender: senderid };
    const text = message === "pong" ? JSON.stringify("pong") : encodeRpcReply(message);
    return encodeReply({ envelope: { senderid, requestid: request.requestid, agent: request.agent, time: now }, message: text, headers });
  }

  encodeRequest(request: OutboundRequest): string {
    const signer = this.opts.signer;
    if (!signer) throw new SecurityError("this side has no key to sign requests with", "key");
    const { message, replyTo, ...rest } = request;
    return encodeRequest({
      envelope: { requestid: rest.requestid, senderid: rest.senderid, callerid: signer.callerid, filter: rest.filter, collective: rest.collective, agent: rest.agent, ttl: rest.ttl, time: rest.time },
      message: stringifyJson(message),
      headers: { mc_sender: rest.senderid, "reply-to": replyTo },
      sign: (l3) => signer.sign(l3),
    });
  }

  decodeReply(delivery: Delivery): InboundReply {
    const reply = decodeReply(delivery.body);
    const message = messageValue(reply.message, isDiscoveryPong, "pong");
    checkNesting(message, `reply ${reply.envelope.requestid} body`);
    return { ...reply.envelope, message };
  }
}

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The L4 text as a value: the discovery word in any client's form, JSON (base64-wrapped by old Go clients), else the text. */
function messageValue(text: string, isWord: (t: string) => boolean, word: string): unknown {
  if (isWord(text)) return word;
  const json = text.startsWith("{") || !STRICT_BASE64.test(text) ? text : Buffer.from(text, "base64").toString("utf8");
  try {
    return parseJsonExact(json);
  } catch {
    return text;
  }
}
