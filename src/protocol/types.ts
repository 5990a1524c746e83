/** The Choria protocol v1 message types, field names and key order as on the wire (the captured samples in fixtures/wire/). */

/** One `-F` fact filter as carried on the wire; `value` is always a string. */
export interface FactFilter {
  fact: string;
  operator: "==" | "=~" | "!=" | "<" | ">" | "<=" | ">=";
  value: string;
}

/**
 * One token of a legacy compound (`-S`) filter, as the Ruby client sends it:
 * `{statement}`, `{fstatement: {name, params, r_compare, operator, value?}}`, `{and}`, `{or}`, `{not}`, `{"("}`, `{")"}`;
 * a modern client sends `{expr}` instead.
 */
export type CompoundToken =
  | { statement: string }
  | { fstatement: { name: string; params: string | null; r_compare: string | number | boolean; operator: string; value?: string } }
  | { and: "and" }
  | { or: "or" }
  | { not: "not" }
  | { "(": "(" }
  | { ")": ")" }
  | { expr: string };

/** `envelope.filter`: every category an array; `compound` is a list of token lists. */
export interface Filter {
  fact: FactFilter[];
  cf_class: string[];
  agent: string[];
  identity: string[];
  compound: CompoundToken[][];
  /** Sent by the Ruby client on discovery requests only. */
  collective?: string;
}

/** `choria:request:1` envelope, in wire key order. */
export interface RequestEnvelope {
  requestid: string;
  senderid: string;
  callerid: string;
  filter: Filter;
  collective: string;
  agent: string;
  ttl: number;
  time: number;
}

/** `choria:reply:1` envelope, in wire key order. */
export interface ReplyEnvelope {
  senderid: string;
  requestid: string;
  agent: string;
  time: number;
}

/** Federation block of the transport headers, carried through untouched. */
export interface FederationHeaders {
  req?: string;
  "reply-to"?: string;
  target?: string[];
  [key: string]: unknown;
}

/** `choria:transport:1` headers. */
export interface TransportHeaders {
  mc_sender?: string;
  "reply-to"?: string;
  "seen-by"?: string[][];
  federation?: FederationHeaders;
  [key: string]: unknown;
}

/** The SimpleRPC request body (`request.message` as JSON). */
export interface RpcRequestBody {
  agent: string;
  action: string;
  caller?: string;
  data: Record<string, unknown>;
}

/** The SimpleRPC reply body (`reply.message` as JSON). */
export interface RpcReplyBody {
  statuscode: 0 | 1 | 2 | 3 | 4 | 5;
  statusmsg: string;
  data: Record<string, unknown>;
}

export const StatusCode = {
  OK: 0,
  Aborted: 1,
  UnknownAction: 2,
  MissingData: 3,
  InvalidData: 4,
  UnknownError: 5,
} as const;
