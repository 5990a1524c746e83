/**
 * The legacy security envelope: the outer Hash every psk/ssl frame body holds, in Ruby's key order and String
 * encodings (docs/ARCHITECTURE.md, "Legacy security codecs"). Only `:body` is covered by the hash or signature.
 */
import { ProtocolError } from "../protocol/errors.js";
import { readFilter, emptyFilter } from "../protocol/filter.js";
import type { Filter } from "../protocol/types.js";
import type { OutboundRequest } from "../wire/types.js";
import { fromPlain, toPlain } from "./plain.js";
import { RHash, RString, rsym, type RValue } from "./ruby.js";
import { MARSHAL, type Serializer } from "./serializer.js";

/** Where a plugin keeps its integrity value and how its `:body` String is tagged. */
export interface EnvelopeStyle {
  /** psk/ssl `:hash`; aes_security `:sslkey` (the encrypted AES key). */
  integrity: "hash" | "sslkey";
  /** psk/ssl: serialized bytes (binary); aes_security: base64 text (US-ASCII). */
  body: "ASCII-8BIT" | "US-ASCII";
}

export const SIGNED: EnvelopeStyle = { integrity: "hash", body: "ASCII-8BIT" };
export const ENCRYPTED: EnvelopeStyle = { integrity: "sslkey", body: "US-ASCII" };

export interface LegacyRequestEnvelope {
  /** The serialized payload exactly as received; the hash or signature covers these bytes. */
  body: Uint8Array;
  senderid: string;
  requestid: string;
  filter: Filter;
  collective: string;
  agent: string;
  callerid: string;
  ttl: number;
  msgtime: number;
  /** psk: md5 hex; ssl: base64 signature; aes_security: the base64 `:sslkey`. */
  hash: string;
}

export interface LegacyReplyEnvelope {
  senderid: string;
  requestid: string;
  senderagent: string;
  msgtime: number;
  body: Uint8Array;
  hash: string;
}

/** Which envelope a decoded outer Hash is: requests carry `:filter`, replies `:senderagent`. */
export function envelopeKind(outer: RHash): "request" | "reply" | "unknown" {
  if (outer.sym("filter") !== undefined) return "request";
  if (outer.sym("senderagent") !== undefined) return "reply";
  return "unknown";
}

/** The outer Hash of a frame body. */
export function readOuter(bytes: Uint8Array, serializer: Serializer = MARSHAL): RHash {
  const outer = serializer.read(bytes, "legacy envelope");
  if (!(outer instanceof RHash)) throw new ProtocolError("legacy envelope is not a Hash", "protocol");
  return outer;
}

export function readRequestEnvelope(outer: RHash, style: EnvelopeStyle = SIGNED): LegacyRequestEnvelope {
  const layer = "legacy request envelope";
  return {
    body: bytesField(outer, "body", layer),
    senderid: textField(outer, "senderid", layer),
    requestid: textField(outer, "requestid", layer),
    filter: readLegacyFilter(field(outer, "filter", layer)),
    collective: textField(outer, "collective", layer),
    agent: textField(outer, "agent", layer),
    callerid: textField(outer, "callerid", layer),
    ttl: intField(outer, "ttl", layer),
    msgtime: intField(outer, "msgtime", layer),
    hash: textField(outer, style.integrity, layer),
  };
}

export function readReplyEnvelope(outer: RHash, style: EnvelopeStyle = SIGNED): LegacyReplyEnvelope {
  const layer = "legacy reply envelope";
  return {
    senderid: textField(outer, "senderid", layer),
    requestid: textField(outer, "requestid", layer),
    senderagent: textField(outer, "senderagent", layer),
    msgtime: intField(outer, "msgtime", layer),
    body: bytesField(outer, "body", layer),
    hash: textField(outer, style.integrity, layer),
  };
}

/**
 * A request envelope as Ruby's `create_request` writes it. Like Ruby, `:agent` is the same String object as the
 * filter's last agent and `:collective` the filter's collective, so Marshal links them.
 */
/** The envelope of an outgoing request: its fields, our callerid, the serialized payload and what protects it. */
export function requestEnvelope(request: OutboundRequest, callerid: string, body: Uint8Array, hash: string): LegacyRequestEnvelope {
  const { senderid, requestid, filter, collective, agent, ttl } = request;
  return { body, senderid, requestid, filter, collective, agent, callerid, ttl, msgtime: Math.floor(request.time), hash };
}

export function writeRequestEnvelope(env: LegacyRequestEnvelope, serializer: Serializer = MARSHAL, style: EnvelopeStyle = SIGNED): Uint8Array {
  const agent = RString.utf8(env.agent);
  const collective = RString.utf8(env.collective);
  return serializer.write(
    new RHash([
      [rsym("body"), new RString(env.body, style.body)],
      [rsym("senderid"), RString.utf8(env.senderid)],
      [rsym("requestid"), RString.ascii(env.requestid)],
      [rsym("filter"), writeLegacyFilter(env.filter, agent, collective)],
      [rsym("collective"), collective],
      [rsym("agent"), agent],
      [rsym("callerid"), RString.utf8(env.callerid)],
      [rsym("ttl"), env.ttl],
      [rsym("msgtime"), env.msgtime],
      [rsym(style.integrity), RString.ascii(env.hash)],
    ]),
  );
}

/** A reply envelope as Ruby's `create_reply` writes it. */
export function writeReplyEnvelope(env: LegacyReplyEnvelope, serializer: Serializer = MARSHAL, style: EnvelopeStyle = SIGNED): Uint8Array {
  return serializer.write(
    new RHash([
      [rsym("senderid"), RString.utf8(env.senderid)],
      [rsym("requestid"), RString.ascii(env.requestid)],
      [rsym("senderagent"), RString.utf8(env.senderagent)],
      [rsym("msgtime"), env.msgtime],
      [rsym("body"), new RString(env.body, style.body)],
      [rsym(style.integrity), RString.ascii(env.hash)],
    ]),
  );
}

/** The legacy filter (String keys, Symbol-keyed fact entries, maybe a Regexp identity) as our `Filter`. */
export function readLegacyFilter(value: RValue): Filter {
  if (!(value instanceof RHash)) throw new ProtocolError("legacy request filter is not a Hash", "filter");
  // Ruby treats `{}` like the five empty categories
  if (value.entries.length === 0) return emptyFilter();
  return readFilter(toPlain(value, "legacy request filter"), "legacy request");
}

/** Our `Filter` in Ruby's shape and key order; `agent`/`collective` are shared with the envelope when equal. */
export function writeLegacyFilter(filter: Filter, agent?: RString, collective?: RString): RHash {
  const agents = filter.agent.map((a) => RString.utf8(a));
  if (agent !== undefined && filter.agent.at(-1) === agent.text) agents[agents.length - 1] = agent;
  const entries: [RValue, RValue][] = [
    [RString.utf8("fact"), filter.fact.map((f) => new RHash([
      [rsym("fact"), RString.utf8(f.fact)],
      [rsym("value"), RString.utf8(f.value)],
      [rsym("operator"), RString.utf8(f.operator)],
    ]))],
    [RString.utf8("cf_class"), filter.cf_class.map((c) => RString.utf8(c))],
    [RString.utf8("agent"), agents],
    [RString.utf8("identity"), filter.identity.map((i) => RString.utf8(i))],
    [RString.utf8("compound"), fromPlain(filter.compound)],
  ];
  if (filter.collective !== undefined) {
    entries.push([RString.utf8("collective"), collective !== undefined && collective.text === filter.collective ? collective : RString.utf8(filter.collective)]);
  }
  return new RHash(entries);
}

function field(outer: RHash, name: string, layer: string): RValue {
  const value = outer.sym(name);
  if (value === undefined) throw new ProtocolError(`${layer} has no :${name}`, "field");
  return value;
}

function textField(outer: RHash, name: string, layer: string): string {
  const value = field(outer, name, layer);
  if (!(value instanceof RString)) throw new ProtocolError(`${layer} :${name} is not a String`, "field");
  return value.text;
}

function bytesField(outer: RHash, name: string, layer: string): Uint8Array {
  const value = field(outer, name, layer);
  if (!(value instanceof RString)) throw new ProtocolError(`${layer} :${name} is not a String`, "body");
  return value.bytes;
}

function intField(outer: RHash, name: string, layer: string): number {
  const value = field(outer, name, layer);
  if (typeof value !== "number") throw new ProtocolError(`${layer} :${name} is not an Integer of a sane size`, name === "ttl" ? "ttl" : "field");
  return value;
}
