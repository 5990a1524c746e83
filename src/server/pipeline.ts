/**
 * One request, start to finish: decode, verify, find the agent, match the filter, then for RPC agents parse,
 * validate against the DDL, authorize, audit, dispatch; reply to the transport `reply-to`. Bad input is dropped
 * with a log line saying why; nothing here throws.
 */
import { discoveryReply, RpcError, type NativeAgent, type NativeContext } from "../agents/index.js";
import { DdlError, outputDefaults, validateInputs } from "../ddl/index.js";
import { filterDataCalls, matchFilter } from "../filter/index.js";
import { MAX_PAYLOAD_BYTES, ProtocolError, readRpcRequest, stringifyJson, type RpcReplyBody } from "../protocol/index.js";
import type { Delivery, InboundRequest, ReplyMessage, SecurityCodec } from "../wire/index.js";
import type { AuditEvent } from "./audit/index.js";
import type { AuthorizationRequest, AuthorizationResult } from "./authz/index.js";
import type { Logger } from "./logger.js";
import type { LoadedAgent } from "./registry.js";
import type { RubyRunner } from "./ruby.js";
import type { Stats } from "./stats.js";

export const NOT_AUTHORIZED = "You are not authorized to call this agent or action.";

/** Data plugin calls one request's filter may make; each may run up to its DDL timeout, so a request's cost stays bounded. */
export const MAX_DATA_CALLS = 10;

/** Everything the pipeline uses, handed in by the daemon so that it holds no state of its own. */
export interface PipelineDeps {
  identity: string;
  log: Logger;
  stats: Stats;
  /** Unix seconds. */
  now(): number;
  /** The security plugin: decodes and verifies requests, encodes replies. */
  codec: SecurityCodec;
  agents(): Map<string, LoadedAgent>;
  facts(): Record<string, unknown>;
  classes(): string[];
  queryData(plugin: string, query: string | null): Promise<Record<string, unknown> | undefined>;
  authorize(req: AuthorizationRequest): AuthorizationResult;
  audit(entry: AuditEvent): void;
  native: Map<string, NativeAgent>;
  nativeContext: NativeContext;
  ruby(): RubyRunner;
  /** Publishes a reply to the target a request named. */
  reply(target: string, payload: Uint8Array | string): void;
}

/** Handles one delivered message, whatever the wire; resolves when the reply (if any) is published. */
export async function handleRequest(delivery: Delivery, deps: PipelineDeps): Promise<void> {
  const { log, stats } = deps;
  stats.count("total");
  let req: InboundRequest;
  try {
    req = deps.codec.decodeRequest(delivery, deps.now());
  } catch (err) {
    const expired = err instanceof ProtocolError && (err.rule === "expired" || err.rule === "future");
    const malformed = err instanceof ProtocolError && !expired;
    stats.count(expired ? "ttlexpired" : "unvalidated");
    log.warn(`dropped ${expired ? "expired request" : malformed ? "malformed message" : "request"}: ${(err as Error).message}`);
    return;
  }
  stats.count("validated");
  const what = `request ${req.requestid} from ${req.callerid}@${req.senderid} for ${req.agent}`;

  const agents = deps.agents();
  const agent = agents.get(req.agent);
  if (!agent) {
    log.warn(`dropped ${what}: agent '${req.agent}' is not loaded on ${deps.identity}`);
    return;
  }
  if (!(await filterMatches(req, [...agents.keys()], deps))) {
    stats.count("filtered");
    log.debug(`${what} does not match this node's filter`);
    return;
  }
  stats.count("passed");
  if (req.replyTo === undefined) {
    log.warn(`dropped ${what}: it carries no reply-to header`);
    return;
  }

  let message: ReplyMessage | undefined;
  if (agent.name === "discovery") {
    message = discoveryReply(req.message);
    if (message === undefined) log.warn(`dropped ${what}: discovery only answers 'ping', got ${stringifyJson(req.message)?.slice(0, 80)}`);
  } else {
    message = await runRpc(req, agent, deps);
  }
  if (message === undefined) return;
  deps.reply(req.replyTo, encodeFitting(req, message, deps));
  stats.count("replies");
}

/**
 * The encoded reply; one larger than a message may carry (NATS' default max_payload, the same bound on every wire)
 * becomes a statuscode 5 reply that says so, since a dropped reply would leave its caller waiting for nothing.
 */
function encodeFitting(req: InboundRequest, message: ReplyMessage, deps: PipelineDeps): Uint8Array | string {
  const encoded = deps.codec.encodeReply(req, message, deps.identity, deps.now());
  const size = typeof encoded === "string" ? Buffer.byteLength(encoded) : encoded.byteLength;
  if (size <= MAX_PAYLOAD_BYTES) return encoded;
  const statusmsg = `The reply was too large to send: ${size} bytes, more than the ${MAX_PAYLOAD_BYTES} bytes (1 MiB) a message may carry`;
  deps.log.warn(`answered request ${req.requestid} from ${req.callerid} for ${req.agent} with statuscode 5: ${statusmsg}`);
  return deps.codec.encodeReply(req, failure(5, statusmsg, {}), deps.identity, deps.now());
}

type DataCall = { plugin: string; query: string | null };
type DataAnswers = Map<string, Record<string, unknown> | undefined>;

const dataKey = (plugin: string, query: string | null) => `${plugin}\0${query}`;

/** Runs each data plugin call once (a failed or overrunning one answers undefined, so it matches nothing) and adds its answer to `answers`. */
async function answerDataCalls(calls: DataCall[], deps: PipelineDeps, answers: DataAnswers = new Map()): Promise<DataAnswers> {
  for (const call of calls) {
    const answer = await deps.queryData(call.plugin, call.query).catch((err: Error) => {
      deps.log.warn(`data plugin call ${call.plugin}(${JSON.stringify(call.query)}) failed, so it matches nothing: ${err.message}`);
      return undefined;
    });
    answers.set(dataKey(call.plugin, call.query), answer);
  }
  return answers;
}

async function filterMatches(req: InboundRequest, agentNames: string[], deps: PipelineDeps): Promise<boolean> {
  const filter = req.filter;
  const calls = filterDataCalls(filter);
  if (calls.length > MAX_DATA_CALLS) {
    deps.log.warn(`request ${req.requestid} from ${req.callerid} does not match: its filter makes ${calls.length} data plugin calls, more than the ${MAX_DATA_CALLS} one request may make`);
    return false;
  }
  const answers = await answerDataCalls(calls, deps);
  const node = {
    identity: deps.identity,
    // Read only when the filter asks: most requests filter on the agent alone, and reading checks the files.
    get facts() { return deps.facts(); },
    get classes() { return deps.classes(); },
    agents: agentNames,
    data: (plugin: string, query: string | null) => answers.get(dataKey(plugin, query)),
  };
  return matchFilter(filter, node, (err) => deps.log.warn(`request ${req.requestid} from ${req.callerid} does not match: ${err.message}`));
}

/** The reply body for an RPC request, or undefined when the caller asked for no reply (`process_results: false`). */
async function runRpc(req: InboundRequest, agent: LoadedAgent, deps: PipelineDeps): Promise<RpcReplyBody | undefined> {
  let body;
  try {
    body = readRpcRequest(req.message);
  } catch (err) {
    return failure(4, `Could not process request: ${(err as Error).message}`, {});
  }
  if (body.agent !== agent.name) return failure(4, `Could not process request: the body names agent '${body.agent}' but the envelope '${agent.name}'`, {});
  if (!agent.ddl.actions[body.action]) return failure(2, `Unknown action '${body.action}' for agent '${agent.name}'`, {});
  const { process_results: processResults, ...inputs } = body.data ?? {};
  const reply = await runAction({ req, agent, action: body.action, inputs, processResults }, deps);
  return processResults === false ? undefined : reply;
}

interface ActionCall {
  req: InboundRequest;
  agent: LoadedAgent;
  action: string;
  inputs: Record<string, unknown>;
  /** `process_results` as the request carried it (a legacy client always sends it; others may not). */
  processResults: unknown;
}

/** Validation (3/4), authorization (1), audit, then the action itself; data starts as the DDL output defaults. */
async function runAction(call: ActionCall, deps: PipelineDeps): Promise<RpcReplyBody> {
  const { req, agent, action } = call;
  const caller = req.caller;
  const defaults = outputDefaults(agent.ddl, action);
  let data: Record<string, unknown>;
  try {
    data = validateInputs(agent.ddl, action, call.inputs);
  } catch (err) {
    if (err instanceof DdlError) return failure(err.statuscode, err.message, defaults);
    throw err;
  }
  const verdict = await authorize({ agent: agent.name, action, callerid: caller.callerid }, deps);
  if (!verdict.allowed) {
    deps.log.info(`denied ${caller.callerid} ${agent.name}#${action} (request ${req.requestid}): ${verdict.reason}`);
    return failure(1, NOT_AUTHORIZED, defaults);
  }
  const env = req;
  try {
    // The legacy audit line shows the request's data as sent, process_results included.
    const audited = call.processResults === undefined ? data : { ...data, process_results: call.processResults };
    deps.audit({ requestid: env.requestid, time: env.time, callerid: caller.callerid, senderid: env.senderid, agent: agent.name, action, data: audited });
  } catch (err) {
    deps.log.warn(`Audit failed - ${(err as Error).message} - continuing to process message`);
  }
  deps.log.debug(`running ${agent.name}#${action} for ${caller.callerid} (request ${env.requestid})`);
  const native = agent.kind === "native" ? deps.native.get(agent.name) : undefined;
  if (native) {
    try {
      return { statuscode: 0, statusmsg: "OK", data: { ...defaults, ...(await native.run(action, data, deps.nativeContext)) } };
    } catch (err) {
      if (err instanceof RpcError) return failure(err.statuscode, err.message, defaults);
      deps.log.error(`${agent.name}#${action} failed: ${(err as Error).stack ?? String(err)}`);
      return failure(5, `${agent.name}#${action} failed: ${(err as Error).message}`, defaults);
    }
  }
  const reply = await deps.ruby().call({
    agent: agent.name,
    action,
    data: { ...data, process_results: call.processResults !== false },
    caller: caller.callerid,
    requestid: env.requestid,
    sender: env.senderid,
    collective: env.collective,
    timeoutSec: agent.ddl.metadata.timeout || 10,
  });
  return { ...reply, data: { ...defaults, ...(reply.data ?? {}) } };
}

/**
 * Authorizes, answering the data functions a policy's compound field calls: a first pass records the calls it could
 * not answer, they run (async), and a second pass judges with the answers.
 */
async function authorize(call: PolicyCall, deps: PipelineDeps): Promise<AuthorizationResult> {
  const answers: DataAnswers = new Map();
  const wanted: DataCall[] = [];
  const req = new PolicyQuestion(call, deps, (plugin, query) => {
    const key = dataKey(plugin, query);
    if (!answers.has(key)) wanted.push({ plugin, query });
    return answers.get(key);
  });
  const first = deps.authorize(req);
  if (wanted.length === 0) return first;
  await answerDataCalls(wanted, deps, answers);
  return deps.authorize(req);
}

/** Who calls which action: what the pipeline knows of a request before authorization. */
type PolicyCall = Pick<AuthorizationRequest, "agent" | "action" | "callerid">;

/** What a policy judges. Facts and classes are read only if one looks at them: with no policy, a request stats no fact file. */
class PolicyQuestion implements AuthorizationRequest {
  readonly agent: string;
  readonly action: string;
  readonly callerid: string;
  readonly identity: string;

  constructor(
    call: PolicyCall,
    private readonly deps: PipelineDeps,
    readonly data: NonNullable<AuthorizationRequest["data"]>,
  ) {
    this.agent = call.agent;
    this.action = call.action;
    this.callerid = call.callerid;
    this.identity = deps.identity;
  }

  get facts(): Record<string, unknown> {
    return this.deps.facts();
  }

  get classes(): string[] {
    return this.deps.classes();
  }
}

function failure(statuscode: RpcReplyBody["statuscode"], statusmsg: string, data: Record<string, unknown>): RpcReplyBody {
  return { statuscode, statusmsg, data };
}
