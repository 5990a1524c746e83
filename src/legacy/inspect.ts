/**
 * What `mcompat wire decode` shows for a legacy STOMP body: each layer readable, which security plugin made it
 * (by the form of its hash), and the outcome of every check a legacy node would run.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/index.js";
import { checkCallerid, checkTtl, unwrapSecured } from "./checks.js";
import { openRequest } from "./aes.js";
import { ENCRYPTED, envelopeKind, readOuter, readReplyEnvelope, readRequestEnvelope, SIGNED, type LegacyReplyEnvelope, type LegacyRequestEnvelope } from "./envelope.js";
import { toPlain } from "./plain.js";
import { verifyPsk } from "./psk.js";
import type { RHash } from "./ruby.js";
import { MARSHAL, type Serializer } from "./serializer.js";
import { checkSignature } from "./ssl.js";
import { YAML_SERIALIZER } from "./yaml.js";

/** A check's outcome; `ok: null` when it could not be run. */
export interface Outcome {
  ok: boolean | null;
  detail: string;
}

export interface LegacyInput {
  body: Uint8Array;
  /** How the body was given: raw bytes, base64, or inside a STOMP frame. */
  form: string;
  stomp?: { command: string; headers: Record<string, string> };
}

export interface LegacyInspection {
  wire: "legacy";
  input: string;
  stomp?: LegacyInput["stomp"];
  plugin?: "psk" | "ssl" | "aes_security";
  kind?: "request" | "reply";
  layers: Record<string, unknown>;
  checks: Record<string, Outcome>;
  stopped?: string;
}

const MARSHAL_HEAD = [4, 8];
const STOMP_COMMANDS = /^(MESSAGE|SEND)\r?\n/;

/** The legacy body in `input` (Marshal, YAML, a STOMP frame, or base64 of any of them), or undefined when it is none. */
export function findLegacyBody(input: Uint8Array): LegacyInput | undefined {
  const direct = bodyOf(input);
  if (direct !== undefined) return direct;
  const text = Buffer.from(input).toString("latin1").trim();
  if (!/^[A-Za-z0-9+/=\s]+$/.test(text)) return undefined;
  const decoded = bodyOf(Buffer.from(text, "base64"));
  return decoded === undefined ? undefined : { ...decoded, form: `base64 of ${decoded.form}` };
}

function bodyOf(bytes: Uint8Array): LegacyInput | undefined {
  if (bytes[0] === MARSHAL_HEAD[0] && bytes[1] === MARSHAL_HEAD[1]) return { body: bytes, form: "Marshal body" };
  const head = Buffer.from(bytes.subarray(0, 16)).toString("latin1");
  if (head.startsWith("---")) return { body: bytes, form: "YAML body" };
  if (STOMP_COMMANDS.test(head)) return stompFrame(Buffer.from(bytes));
  return undefined;
}

/** One STOMP frame: headers until the blank line, then `content-length` bytes (or up to the NUL without one). */
function stompFrame(frame: Buffer): LegacyInput | undefined {
  const end = frame.indexOf("\n\n");
  if (end < 0) return undefined;
  const [command, ...lines] = frame.subarray(0, end).toString("utf8").replace(/\r/g, "").split("\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    // STOMP keeps the first of repeated headers
    if (colon > 0 && !(line.slice(0, colon) in headers)) headers[unescape(line.slice(0, colon))] = unescape(line.slice(colon + 1));
  }
  const start = end + 2;
  const length = headers["content-length"] === undefined ? undefined : Number(headers["content-length"]);
  const stop = length !== undefined && Number.isInteger(length) ? start + length : frame.indexOf(0, start) < 0 ? frame.length : frame.indexOf(0, start);
  const inner = bodyOf(frame.subarray(start, stop));
  return inner === undefined ? undefined : { body: inner.body, form: `STOMP ${command} frame`, stomp: { command, headers } };
}

/** STOMP 1.1 header escapes (`\\c` for `:`, ...); ruby-stomp undoes them on 1.0 frames too. */
function unescape(text: string): string {
  return text.replace(/\\([\\cnr])/g, (_m, c: string) => ({ "\\": "\\", c: ":", n: "\n", r: "\r" })[c] ?? c);
}

export interface InspectOptions {
  now: number;
  /** The config whose psk or ssl keys verify the message. */
  config?: Config;
  env?: NodeJS.ProcessEnv;
}

export function inspectLegacy(input: LegacyInput, opts: InspectOptions): LegacyInspection {
  const { wire, input: form, stomp, plugin, kind, layers, checks, stopped } = inspect(input, opts);
  return { wire, input: form, ...(stomp && { stomp }), ...(plugin && { plugin }), ...(kind && { kind }), layers, checks, ...(stopped !== undefined && { stopped }) };
}

/** The inspection, its keys in the order they were learnt. */
function inspect(input: LegacyInput, opts: InspectOptions): LegacyInspection {
  const out: LegacyInspection = { wire: "legacy", input: input.form, ...(input.stomp && { stomp: input.stomp }), layers: {}, checks: {} };
  const serializer: Serializer = input.body[0] === MARSHAL_HEAD[0] ? MARSHAL : YAML_SERIALIZER;
  let outer: RHash;
  try {
    outer = readOuter(input.body, serializer);
  } catch (err) {
    return stop(out, "envelope", err);
  }
  const kind = envelopeKind(outer);
  if (kind === "unknown") return { ...out, stopped: "the envelope has neither :filter (request) nor :senderagent (reply)" };
  out.kind = kind;
  const aes = outer.sym("sslkey") !== undefined;
  let env: LegacyRequestEnvelope | LegacyReplyEnvelope;
  try {
    env = kind === "request" ? readRequestEnvelope(outer, aes ? ENCRYPTED : SIGNED) : readReplyEnvelope(outer, aes ? ENCRYPTED : SIGNED);
  } catch (err) {
    return stop(out, "envelope", err);
  }
  out.plugin = aes ? "aes_security" : /^[0-9a-f]{32}$/.test(env.hash) ? "psk" : "ssl";
  out.layers.envelope = aes ? { ...env, body: `<${env.body.length} chars: base64 of the encrypted payload below>`, sslkey: env.hash, hash: undefined } : { ...env, body: `<${env.body.length} bytes: ${serializer.name} of the payload below>` };
  out.checks.envelope = { ok: true, detail: `a ${serializer.name} ${kind} envelope of the ${out.plugin} plugin` };
  const opened = aes ? openAes(kind, env, opts) : { outcome: integrity(out.plugin, kind, env, opts), body: env.body };
  out.checks[{ psk: "hash", ssl: "signature", aes_security: "decrypt" }[out.plugin]] = opened.outcome;
  if (opened.body === undefined) return { ...out, stopped: "the payload is encrypted and cannot be opened here" };

  let payload;
  try {
    payload = serializer.read(opened.body, `legacy ${kind} body`);
  } catch (err) {
    return stop(out, "payload", err);
  }
  out.layers.payload = toPlain(payload, "payload");
  out.checks.payload = { ok: true, detail: `the body holds only types the legacy wire carries` };
  if (kind === "reply") return out;

  const req = env as LegacyRequestEnvelope;
  if (out.plugin === "ssl") out.checks.signed_ttl = attempt(() => (unwrapSecured(req, payload, "ssl", opts.config?.get("plugin.ssl.enforce_ttl")), `ttl ${req.ttl} and msgtime ${req.msgtime} are the signed ones`));
  if (out.plugin === "aes_security") out.checks.encrypted_ttl = attempt(() => (unwrapSecured(req, payload, "aes", opts.config?.get("plugin.aes.enforce_ttl")), `ttl ${req.ttl} and msgtime ${req.msgtime} are the encrypted ones`));
  out.checks.callerid = attempt(() => (checkCallerid(req.callerid), `${req.callerid} has the form type=name`));
  out.checks.ttl = attempt(() => (checkTtl(req, opts.now), `sent at ${req.msgtime}, within ttl ${req.ttl}s of ${Math.floor(opts.now)}`));
  return out;
}

/** An aes_security request opened with `<plugin.aes.client_cert_dir>/<name>.pem`; replies only their caller can open. */
function openAes(kind: "request" | "reply", env: LegacyRequestEnvelope | LegacyReplyEnvelope, opts: InspectOptions): { outcome: Outcome; body?: Uint8Array } {
  if (kind === "reply") return { outcome: { ok: null, detail: "not checked: an aes_security reply opens only with its caller's private key" } };
  const dir = opts.config?.get("plugin.aes.client_cert_dir");
  const name = /^cert=([\w.-]+)/.exec((env as LegacyRequestEnvelope).callerid)?.[1];
  if (dir === undefined || name === undefined) return { outcome: { ok: null, detail: "not checked: give --config FILE with plugin.aes.client_cert_dir" } };
  const file = join(dir, `${name}.pem`);
  try {
    const body = openRequest(env as LegacyRequestEnvelope, readFileSync(file, "utf8"), opts.config?.string("ssl_cipher", "aes-256-cbc"));
    return { outcome: { ok: true, detail: `:sslkey opens with ${file} and :body decrypts with it` }, body };
  } catch (err) {
    return { outcome: { ok: false, detail: (err as Error).message } };
  }
}

function integrity(plugin: LegacyInspection["plugin"], kind: "request" | "reply", env: LegacyRequestEnvelope | LegacyReplyEnvelope, opts: InspectOptions): Outcome {
  const who = kind === "request" ? `request ${env.requestid}` : `reply from ${env.senderid}`;
  if (plugin === "psk") {
    const secret = (opts.env ?? process.env).MCOLLECTIVE_PSK ?? opts.config?.get("plugin.psk");
    if (secret === undefined) return { ok: null, detail: "not checked: give --config FILE with plugin.psk, or set MCOLLECTIVE_PSK" };
    return attempt(() => (verifyPsk(env.body, env.hash, secret, who), "md5 of the body and the psk matches :hash"));
  }
  const keyFile = sslKeyFile(kind, env, opts.config);
  if (keyFile === undefined) {
    return { ok: null, detail: `not checked: give --config FILE with ${kind === "request" ? "plugin.ssl_client_cert_dir" : "plugin.ssl_server_public"}` };
  }
  return attempt(() => {
    checkSignature(env.body, env.hash, readFileSync(keyFile, "utf8"), who);
    return `RSA-SHA1 signature verifies with ${keyFile}`;
  });
}

/** Requests are signed by the caller (`<ssl_client_cert_dir>/<name>.pem`), replies by the servers' shared key. */
function sslKeyFile(kind: "request" | "reply", env: LegacyRequestEnvelope | LegacyReplyEnvelope, config?: Config): string | undefined {
  if (kind === "reply") return config?.get("plugin.ssl_server_public");
  const dir = config?.get("plugin.ssl_client_cert_dir");
  const name = /cert=([\w.-]+)/.exec((env as LegacyRequestEnvelope).callerid)?.[1];
  return dir === undefined || name === undefined ? undefined : join(dir, `${name}.pem`);
}

function attempt(check: () => string): Outcome {
  try {
    return { ok: true, detail: check() };
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    return { ok: false, detail: err.message };
  }
}

function stop(out: LegacyInspection, check: string, err: unknown): LegacyInspection {
  if (!(err instanceof Error)) throw err;
  out.checks[check] = { ok: false, detail: err.message };
  return { ...out, stopped: `the ${check} cannot be read` };
}

/** JSON with Integers beyond 2^53 written as their digits. */
export function inspectionJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}
