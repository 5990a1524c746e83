/**
 * The `ssl` security plugin: `:hash` = MIME base64 of an RSA-SHA1 (PKCS#1 v1.5) signature of the `:body` bytes.
 * Clients sign with their own key and wrap the payload with `ssl_ttl`/`ssl_msgtime` so those are signed too;
 * servers sign replies with the key all servers share.
 */
import { createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { SecurityError } from "../security/errors.js";
import type { Delivery, InboundReply, InboundRequest, OutboundRequest, ReplyMessage, SecurityCodec } from "../wire/types.js";
import { checkCallerid, checkTtl, inboundRequest, unwrapSecured } from "./checks.js";
import { readOuter, readReplyEnvelope, readRequestEnvelope, requestEnvelope, writeReplyEnvelope, writeRequestEnvelope } from "./envelope.js";
import { replyPayload, requestPayload } from "./payload.js";
import { toPlain } from "./plain.js";
import { RHash, rsym } from "./ruby.js";
import { MARSHAL, type Serializer } from "./serializer.js";

export interface SslOptions {
  /** This side's private key (PEM): `plugin.ssl_server_private` on a server, `plugin.ssl_client_private` on a client. */
  privateKey: string | KeyObject;
  /** `cert=<name of our public key file without .pem>`. */
  callerid: string;
  /** `plugin.ssl_server_public`: what a client verifies replies with. */
  serverPublicKey?: string | KeyObject;
  /** A caller's public key (PEM key or certificate) by name, as `<plugin.ssl_client_cert_dir>/<name>.pem`; undefined when absent. */
  callerPublicKey?: (name: string) => string | KeyObject | undefined;
  /** `plugin.ssl.enforce_ttl` as written: unset enforces the signed ttl and accepts unwrapped bodies, "0" only takes the signed values, anything else also refuses unwrapped bodies. */
  enforceTtl?: string;
  /** Marshal (default) or YAML, from `plugin.ssl_serializer`. */
  serializer?: Serializer;
}

export class SslCodec implements SecurityCodec {
  readonly name = "ssl";
  readonly callerid: string;
  private readonly serializer: Serializer;

  constructor(private readonly opts: SslOptions) {
    this.callerid = opts.callerid;
    this.serializer = opts.serializer ?? MARSHAL;
  }

  /** Ruby's `Base64.encode64` of the signature: a newline after every 60 characters and at the end. */
  signature(body: Uint8Array): string {
    const text = sign("sha1", body, this.opts.privateKey).toString("base64");
    return text.replace(/.{1,60}/g, "$&\n");
  }

  decodeRequest(delivery: Delivery, now: number): InboundRequest {
    const env = readRequestEnvelope(readOuter(delivery.body, this.serializer));
    const name = /cert=([\w.-]+)/.exec(env.callerid)?.[1];
    if (name === undefined) throw new SecurityError(`callerid ${JSON.stringify(env.callerid)} names no cert=<name> to find a public key by`, "callerid");
    const key = this.opts.callerPublicKey?.(name);
    if (key === undefined) throw new SecurityError(`no public key for ${name} (looked for ${name}.pem in plugin.ssl_client_cert_dir)`, "key");
    checkSignature(env.body, env.hash, key, `legacy request ${env.requestid} from ${env.callerid}`);
    const message = unwrapSecured(env, this.serializer.read(env.body, "legacy request body"), "ssl", this.opts.enforceTtl);
    checkCallerid(env.callerid);
    checkTtl(env, now);
    return inboundRequest(env, toPlain(message, "legacy request body"), delivery);
  }

  encodeReply(request: InboundRequest, message: ReplyMessage, senderid: string, now: number): Uint8Array {
    const body = this.serializer.write(replyPayload(message));
    return writeReplyEnvelope(
      { senderid, requestid: request.requestid, senderagent: request.agent, msgtime: Math.floor(now), body, hash: this.signature(body) },
      this.serializer,
    );
  }

  encodeRequest(request: OutboundRequest): Uint8Array {
    const msgtime = Math.floor(request.time);
    const wrapped = new RHash([
      [rsym("ssl_msg"), requestPayload(request.message, this.callerid)],
      [rsym("ssl_ttl"), request.ttl],
      [rsym("ssl_msgtime"), msgtime],
    ]);
    const body = this.serializer.write(wrapped);
    return writeRequestEnvelope(requestEnvelope(request, this.callerid, body, this.signature(body)), this.serializer);
  }

  decodeReply(delivery: Delivery): InboundReply {
    const env = readReplyEnvelope(readOuter(delivery.body, this.serializer));
    if (this.opts.serverPublicKey === undefined) throw new SecurityError("no plugin.ssl_server_public to verify replies with", "key");
    checkSignature(env.body, env.hash, this.opts.serverPublicKey, `legacy reply from ${env.senderid}`);
    const message = toPlain(this.serializer.read(env.body, "legacy reply body"), "legacy reply body");
    return { senderid: env.senderid, requestid: env.requestid, agent: env.senderagent, time: env.msgtime, message };
  }
}

/** Throws `SecurityError` "signature" unless `hash` (base64, whitespace ignored as Ruby does) signs `body` for `key`. */
export function checkSignature(body: Uint8Array, hash: string, key: string | KeyObject, what: string): void {
  let ok: boolean;
  try {
    ok = verify("sha1", body, typeof key === "string" ? createPublicKey(key) : key, Buffer.from(hash, "base64"));
  } catch (err) {
    throw new SecurityError(`${what}: cannot check the signature: ${(err as Error).message}`, "key");
  }
  if (!ok) throw new SecurityError(`${what}: the signature does not match the body`, "signature");
}
