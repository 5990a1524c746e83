/**
 * The `aes_security` plugin: the payload is AES-encrypted (`ssl_cipher`, aes-256-cbc) under a random key K whose
 * cipher key and IV come from OpenSSL's EVP_BytesToKey(MD5, K, no salt, 2048 rounds), as Ruby's `pkcs5_keyivgen`;
 * `:body` is the base64 of that data and `:sslkey` the base64 of K RSA-encrypted (PKCS#1 v1.5). Clients encrypt K
 * with their private key (servers decrypt with `<client_cert_dir>/<name>.pem`); servers encrypt replies' K with the
 * caller's public key, which only the caller's private key opens.
 *
 * Reading a reply needs RSA PKCS#1 v1.5 private decryption, which Node refuses since CVE-2023-46809: that one
 * operation is done by node-forge's pure-JavaScript RSA (rsa-private-decrypt.ts), the protection stays on for the rest.
 */
import { createCipheriv, createDecipheriv, createHash, getCipherInfo, privateEncrypt, publicDecrypt, publicEncrypt, randomBytes, constants, type KeyObject } from "node:crypto";
import { ProtocolError } from "../protocol/errors.js";
import { SecurityError } from "../security/errors.js";
import type { Delivery, InboundReply, InboundRequest, OutboundRequest, ReplyMessage, SecurityCodec } from "../wire/types.js";
import { checkCallerid, checkTtl, inboundRequest, unwrapSecured } from "./checks.js";
import { ENCRYPTED, readOuter, readReplyEnvelope, readRequestEnvelope, requestEnvelope, writeReplyEnvelope, writeRequestEnvelope, type LegacyRequestEnvelope } from "./envelope.js";
import { replyPayload, requestPayload } from "./payload.js";
import { toPlain } from "./plain.js";
import { RHash, rsym } from "./ruby.js";
import { rsaPrivateDecrypt } from "./rsa-private-decrypt.js";
import { MARSHAL, type Serializer } from "./serializer.js";

export interface AesOptions {
  /** This side's private key: `plugin.aes.server_private` on a server, `plugin.aes.client_private` on a client. */
  privateKey: string | KeyObject;
  /** The same key as PEM text, for reading replies (clients). */
  privateKeyPem?: string;
  /** `cert=<name>`: the CN of our public key's certificate, else its file name without .pem. */
  callerid: string;
  /** A caller's public key by name, as `<plugin.aes.client_cert_dir>/<name>.pem`; undefined when absent. */
  callerPublicKey?: (name: string) => string | KeyObject | undefined;
  /** `ssl_cipher`; aes-256-cbc by default. */
  cipher?: string;
  /** `plugin.aes.enforce_ttl` as written. */
  enforceTtl?: string;
  /** `plugin.aes.serializer`: Marshal (default) or YAML. */
  serializer?: Serializer;
}

export class AesCodec implements SecurityCodec {
  readonly name = "aes_security";
  readonly callerid: string;
  private readonly serializer: Serializer;
  private readonly cipher: string;

  constructor(private readonly opts: AesOptions) {
    this.callerid = opts.callerid;
    this.serializer = opts.serializer ?? MARSHAL;
    this.cipher = opts.cipher ?? "aes-256-cbc";
    if (getCipherInfo(this.cipher)?.mode !== "cbc") throw new Error(`ssl_cipher ${this.cipher} is not a CBC cipher this Node knows`);
  }

  decodeRequest(delivery: Delivery, now: number): InboundRequest {
    const env = readRequestEnvelope(readOuter(delivery.body, this.serializer), ENCRYPTED);
    const plain = openRequest(env, this.callerKey(env.callerid), this.cipher);
    const message = unwrapSecured(env, this.serializer.read(plain, "legacy request body"), "aes", this.opts.enforceTtl);
    checkCallerid(env.callerid);
    checkTtl(env, now);
    return inboundRequest(env, toPlain(message, "legacy request body"), delivery);
  }

  /** The reply's key is encrypted for the caller alone, with the public key its callerid names. */
  encodeReply(request: InboundRequest, message: ReplyMessage, senderid: string, now: number): Uint8Array {
    const { data, key } = encryptAes(this.cipher, this.serializer.write(replyPayload(message)));
    const sslkey = publicEncrypt({ key: this.callerKey(request.callerid), padding: constants.RSA_PKCS1_PADDING }, key);
    return writeReplyEnvelope(
      { senderid, requestid: request.requestid, senderagent: request.agent, msgtime: Math.floor(now), body: ascii(mime(data)), hash: mime(sslkey) },
      this.serializer,
      ENCRYPTED,
    );
  }

  encodeRequest(request: OutboundRequest): Uint8Array {
    const msgtime = Math.floor(request.time);
    const wrapped = new RHash([
      [rsym("aes_msg"), requestPayload(request.message, this.callerid)],
      [rsym("aes_ttl"), request.ttl],
      [rsym("aes_msgtime"), msgtime],
    ]);
    const { data, key } = encryptAes(this.cipher, this.serializer.write(wrapped));
    const sslkey = privateEncrypt({ key: this.opts.privateKey, padding: constants.RSA_PKCS1_PADDING }, key);
    return writeRequestEnvelope(requestEnvelope(request, this.callerid, ascii(mime(data)), mime(sslkey)), this.serializer, ENCRYPTED);
  }

  /** A reply's key was encrypted with our public key: only our private key opens it. */
  decodeReply(delivery: Delivery): InboundReply {
    const env = readReplyEnvelope(readOuter(delivery.body, this.serializer), ENCRYPTED);
    const what = `legacy reply ${env.requestid} from ${env.senderid}`;
    const privateKey = this.opts.privateKeyPem;
    if (privateKey === undefined) throw new SecurityError(`${what}: no private key to open aes_security replies with`, "key");
    const key = opening(() => rsaPrivateDecrypt(privateKey, base64(env.hash, what)), `${what}: its :sslkey does not open with our private key`);
    const plain = opening(() => decryptAes(this.cipher, key, base64(new TextDecoder().decode(env.body), what)), `${what}: its :body does not decrypt with the key in :sslkey`);
    const message = toPlain(this.serializer.read(plain, "legacy reply body"), "legacy reply body");
    return { senderid: env.senderid, requestid: env.requestid, agent: env.senderagent, time: env.msgtime, message };
  }

  private callerKey(callerid: string): string | KeyObject {
    const name = /^cert=([\w.-]+)/.exec(callerid)?.[1];
    if (name === undefined) throw new SecurityError(`callerid ${JSON.stringify(callerid)} names no cert=<name> to find a public key by`, "callerid");
    const key = this.opts.callerPublicKey?.(name);
    if (key === undefined) throw new SecurityError(`no public key for ${name} (looked for ${name}.pem in plugin.aes.client_cert_dir)`, "key");
    return key;
  }
}

/** The serialized payload of an aes_security request, opened with the caller's public key. */
export function openRequest(env: LegacyRequestEnvelope, callerKey: string | KeyObject, cipher = "aes-256-cbc"): Buffer {
  const what = `legacy request ${env.requestid} from ${env.callerid}`;
  const sslkey = base64(env.hash, what);
  const data = base64(new TextDecoder().decode(env.body), what);
  const key = opening(() => publicDecrypt({ key: callerKey, padding: constants.RSA_PKCS1_PADDING }, sslkey), `${what}: its :sslkey does not open with the caller's public key`);
  return opening(() => decryptAes(cipher, key, data), `${what}: its :body does not decrypt with the key in :sslkey`);
}

/** OpenSSL's EVP_BytesToKey with MD5, no salt and `rounds` rounds: what Ruby's `Cipher#pkcs5_keyivgen(pass)` sets. */
export function bytesToKey(pass: Uint8Array, keyLength: number, ivLength: number, rounds = 2048): { key: Buffer; iv: Buffer } {
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let have = 0; have < keyLength + ivLength; have += previous.length) {
    previous = createHash("md5").update(previous).update(pass).digest();
    for (let i = 1; i < rounds; i++) previous = createHash("md5").update(previous).digest();
    blocks.push(previous);
  }
  const all = Buffer.concat(blocks);
  return { key: all.subarray(0, keyLength), iv: all.subarray(keyLength, keyLength + ivLength) };
}

function derive(cipher: string, pass: Uint8Array): { key: Buffer; iv: Buffer } {
  const info = getCipherInfo(cipher)!;
  return bytesToKey(pass, info.keyLength, info.ivLength ?? 0);
}

/** A fresh random key K (the cipher's key length, like Ruby's `random_key`) and the data encrypted under it. */
export function encryptAes(cipher: string, plain: Uint8Array): { data: Buffer; key: Buffer } {
  const key = randomBytes(getCipherInfo(cipher)!.keyLength);
  const { key: k, iv } = derive(cipher, key);
  const c = createCipheriv(cipher, k, iv);
  return { data: Buffer.concat([c.update(plain), c.final()]), key };
}

export function decryptAes(cipher: string, key: Uint8Array, data: Uint8Array): Buffer {
  const { key: k, iv } = derive(cipher, key);
  const d = createDecipheriv(cipher, k, iv);
  return Buffer.concat([d.update(data), d.final()]);
}

/** Ruby's `SSL.base64_decode`: only base64 characters and whitespace. */
function base64(text: string, what: string): Buffer {
  if (!/^[A-Za-z0-9+/=\s]+$/.test(text)) throw new ProtocolError(`${what}: :body or :sslkey is not base64`, "base64");
  return Buffer.from(text, "base64");
}

/** Ruby's `Base64.encode64`: 60-column lines, each ending in a newline. */
function mime(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64").replace(/.{1,60}/g, "$&\n");
}

function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function opening<T>(fn: () => T, failure: string): T {
  try {
    return fn();
  } catch (err) {
    throw new SecurityError(`${failure}: ${(err as Error).message}`, "decrypt");
  }
}
