/** The Choria protocol v1: envelopes, codecs, subjects and bodies. Pure: no I/O, the clock is passed in. */
export * from "./types.js";
export { ProtocolError } from "./errors.js";
export type { ProtocolRule } from "./errors.js";
export { decodeBase64 } from "./base64.js";
export { parseJsonExact, stringifyJson } from "./exact-json.js";
export { checkNesting, MAX_NESTING } from "./json.js";
export { newRequestId, nodeSubject, broadcastSubject, replySubject } from "./subjects.js";
export { emptyFilter } from "./filter.js";
export { MAX_PAYLOAD_BYTES } from "./transport.js";
export { peelLayers } from "./inspect.js";
export type { PeeledLayers } from "./inspect.js";
export { encodeRequestL3, encodeRequest, decodeRequest, decodeRequestLayers, checkRequestTime, SECURE_REQUEST_PROTOCOL } from "./request.js";
export type { DecodedRequest } from "./request.js";
export { encodeReply, decodeReply, replyHash, SECURE_REPLY_PROTOCOL } from "./reply.js";
export type { DecodedReply } from "./reply.js";
export {
  encodeRpcRequest,
  parseRpcRequest,
  readRpcRequest,
  encodeRpcReply,
  parseRpcReply,
  readRpcReply,
  isDiscoveryPing,
  isDiscoveryPong,
  DISCOVERY_PING,
  DISCOVERY_PONG,
} from "./rpc.js";
export {
  federationSubject,
  federationReplySubject,
  federateRequest,
  requestIntoCollective,
  replyToRequester,
  FEDERATION_TARGETS_PER_MESSAGE,
} from "./federation.js";
export type { Hop } from "./federation.js";
