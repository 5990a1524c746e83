/** The `psk` security plugin: `:hash` = md5 hex of the `:body` bytes followed by the shared secret; always Marshal. */
import { createHash, timingSafeEqual } from "node:crypto";
import { SecurityError } from "../security/errors.js";
import type { Delivery, InboundReply, InboundRequest, OutboundRequest, ReplyMessage, SecurityCodec } from "../wire/types.js";
import { checkCallerid, checkTtl, inboundRequest } from "./checks.js";
import { readOuter, readReplyEnvelope, readRequestEnvelope, requestEnvelope, writeReplyEnvelope, writeRequestEnvelope } from "./envelope.js";
import { replyPayload, requestPayload } from "./payload.js";
import { toPlain } from "./plain.js";
import { MARSHAL, type Serializer } from "./serializer.js";

export interface PskOptions {
  /** `MCOLLECTIVE_PSK` or `plugin.psk`. */
  secret: string;
  /** The callerid this side sends, formed by `plugin.psk.callertype`. */
  callerid: string;
  /** Marshal with other limits, for tests and tools. */
  serializer?: Serializer;
}

/** md5 hex of `body` followed by the secret, as Ruby's `makehash`. */
export function pskHash(body: Uint8Array, secret: string | Buffer): string {
  return createHash("md5").update(body).update(secret).digest("hex");
}

/** Throws `SecurityError` "hash" unless `hash` is the md5 of the received `body` bytes and `secret`. */
export function verifyPsk(body: Uint8Array, hash: string, secret: string | Buffer, what: string): void {
  const expected = Buffer.from(pskHash(body, secret));
  const given = Buffer.from(hash);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new SecurityError(`${what} hash ${JSON.stringify(hash.slice(0, 40))} does not match its body and the psk`, "hash");
  }
}

export class PskCodec implements SecurityCodec {
  readonly name = "psk";
  readonly callerid: string;
  private readonly secret: Buffer;
  private readonly serializer: Serializer;

  constructor(opts: PskOptions) {
    if (opts.secret === "") throw new Error("the psk security plugin needs a secret: set plugin.psk or MCOLLECTIVE_PSK");
    this.secret = Buffer.from(opts.secret, "utf8");
    this.callerid = opts.callerid;
    this.serializer = opts.serializer ?? MARSHAL;
  }

  hash(body: Uint8Array): string {
    return pskHash(body, this.secret);
  }

  verify(body: Uint8Array, hash: string, what: string): void {
    verifyPsk(body, hash, this.secret, what);
  }

  decodeRequest(delivery: Delivery, now: number): InboundRequest {
    const env = readRequestEnvelope(readOuter(delivery.body, this.serializer));
    this.verify(env.body, env.hash, `legacy request ${env.requestid}`);
    checkCallerid(env.callerid);
    checkTtl(env, now);
    const message = toPlain(this.serializer.read(env.body, "legacy request body"), "legacy request body");
    return inboundRequest(env, message, delivery);
  }

  encodeReply(request: InboundRequest, message: ReplyMessage, senderid: string, now: number): Uint8Array {
    const body = this.serializer.write(replyPayload(message));
    return writeReplyEnvelope(
      { senderid, requestid: request.requestid, senderagent: request.agent, msgtime: Math.floor(now), body, hash: this.hash(body) },
      this.serializer,
    );
  }

  encodeRequest(request: OutboundRequest): Uint8Array {
    const body = this.serializer.write(requestPayload(request.message, this.callerid));
    return writeRequestEnvelope(requestEnvelope(request, this.callerid, body, this.hash(body)), this.serializer);
  }

  decodeReply(delivery: Delivery): InboundReply {
    const env = readReplyEnvelope(readOuter(delivery.body, this.serializer));
    this.verify(env.body, env.hash, `legacy reply from ${env.senderid}`);
    const message = toPlain(this.serializer.read(env.body, "legacy reply body"), "legacy reply body");
    return { senderid: env.senderid, requestid: env.requestid, agent: env.senderagent, time: env.msgtime, message };
  }
}
