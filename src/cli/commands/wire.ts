/** `mcompat wire decode`: show every layer of one raw NATS payload or legacy STOMP body and whether it passes each check. */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import {
  checkRequestTime,
  decodeReply,
  decodeRequestLayers,
  peelLayers,
  ProtocolError,
  SECURE_REPLY_PROTOCOL,
  SECURE_REQUEST_PROTOCOL,
  type PeeledLayers,
} from "../../protocol/index.js";
import { loadConfig } from "../../config/index.js";
import { describeCert, parsePemChain, RequestVerifier, selfSignatureCheck, tlsFiles, verifierFromConfig } from "../../security/index.js";
import { findLegacyBody, inspectLegacy, inspectionJson } from "../../legacy/index.js";

interface DecodeFlags {
  ca?: string;
  config?: string;
  now?: string;
}

/** A check's outcome; `ok: null` when it could not be run. */
interface Outcome {
  ok: boolean | null;
  detail: string;
}

export function registerWire(program: Command): void {
  const wire = program.command("wire").description("tools for looking at Choria and legacy MCollective protocol messages");
  wire
    .command("decode")
    .description(
      "read one message on stdin and print every layer as JSON, with the result of each check: a raw NATS payload (Choria), " +
        "or a legacy STOMP body (psk/ssl): the raw Marshal or YAML bytes, a whole STOMP MESSAGE/SEND frame, or base64 of either",
    )
    .option("--ca <file>", "CA certificate to verify the caller's certificate chain, callerid and allow-list against (Choria)")
    .option("--config <file>", "verify as a node with this config would: Choria CA, allow-list and privileged names; legacy plugin.psk or ssl keys")
    .option("--now <unix seconds>", "judge the request's time window at this moment instead of the clock")
    .action((flags: DecodeFlags) => {
      if (flags.now !== undefined && !/^\d+(\.\d+)?$/.test(flags.now)) throw new Error(`--now must be unix seconds, not "${flags.now}"`);
      const input = readFileSync(0);
      const now = flags.now === undefined ? Date.now() / 1000 : Number(flags.now);
      const legacy = findLegacyBody(input);
      const report = legacy === undefined
        ? inspectPayload(input, { verifier: chooseVerifier(flags), now })
        : inspectLegacy(legacy, { now, ...(flags.config !== undefined && { config: loadConfig(flags.config) }) });
      console.log(legacy === undefined ? JSON.stringify(report, null, 2) : inspectionJson(report));
      if (report.stopped || Object.values(report.checks).some((c) => c.ok === false)) process.exitCode = 1;
    });
}

/** `--ca` alone uses the default allow-list; `--config` the server's own settings (its cache is never written). */
function chooseVerifier(flags: DecodeFlags): RequestVerifier | undefined {
  if (flags.config !== undefined) {
    const config = loadConfig(flags.config);
    const files = tlsFiles(config, "server");
    return verifierFromConfig(config, flags.ca === undefined ? files : { ...files, ca: flags.ca });
  }
  return flags.ca === undefined ? undefined : new RequestVerifier({ caPem: readFileSync(flags.ca, "utf8") });
}

/** The layers of a payload made readable, and each check run on it. */
export function inspectPayload(payload: Uint8Array, opts: { verifier?: RequestVerifier; now: number }) {
  const peeled = peelLayers(payload);
  const kind = kindOf(peeled);
  const checks: Record<string, Outcome> = {};
  if (kind === "request") Object.assign(checks, requestChecks(payload, opts));
  if (kind === "reply") Object.assign(checks, replyChecks(payload));
  return { kind, layers: readable(peeled), checks, ...(peeled.stopped && { stopped: peeled.stopped }) };
}

function kindOf(peeled: PeeledLayers): "request" | "reply" | "unknown" {
  if (peeled.secure?.protocol === SECURE_REQUEST_PROTOCOL) return "request";
  if (peeled.secure?.protocol === SECURE_REPLY_PROTOCOL) return "reply";
  return "unknown";
}

function requestChecks(payload: Uint8Array, opts: { verifier?: RequestVerifier; now: number }): Record<string, Outcome> {
  let req;
  try {
    req = decodeRequestLayers(payload);
  } catch (err) {
    return { schema: failed(err) };
  }
  const checks: Record<string, Outcome> = { schema: { ok: true, detail: "every layer follows the protocol schema" } };
  try {
    checkRequestTime(req.envelope, opts.now);
    checks.time = { ok: true, detail: `sent at ${req.envelope.time}, within ttl ${req.envelope.ttl}s of ${Math.floor(opts.now)}` };
  } catch (err) {
    checks.time = failed(err);
  }
  if (opts.verifier === undefined) {
    const { ok, detail } = selfSignatureCheck(req);
    checks.signature = { ok, detail };
    for (const check of ["chain", "callerid", "allowlist"]) checks[check] = { ok: null, detail: "not checked: give --ca FILE or --config FILE" };
    return checks;
  }
  for (const { check, ok, detail } of opts.verifier.assess(req, opts.now).checks) checks[check] = { ok, detail };
  return checks;
}

function replyChecks(payload: Uint8Array): Record<string, Outcome> {
  try {
    decodeReply(payload);
    return { schema: { ok: true, detail: "every layer follows the protocol schema" }, hash: { ok: true, detail: "hash matches the SHA-256 of the message" } };
  } catch (err) {
    return err instanceof ProtocolError && err.rule === "hash" ? { hash: failed(err) } : { schema: failed(err) };
  }
}

function failed(err: unknown): Outcome {
  if (!(err instanceof Error)) throw err;
  return { ok: false, detail: err.message };
}

/** Layers with the nested texts replaced by pointers (they are shown decoded one level down) and the certificate summarised. */
function readable(peeled: PeeledLayers): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (peeled.transport) out.transport = summarise(peeled.transport, "data", "base64 of the secure layer below");
  if (peeled.secure) {
    const secure = summarise(peeled.secure, "message", "JSON text of the inner layer below");
    if (typeof secure.pubcert === "string") secure.pubcert = certSummary(secure.pubcert);
    out.secure = secure;
  }
  if (peeled.inner) out.inner = summarise(peeled.inner, "message", "the body below");
  if ("body" in peeled) out.body = peeled.body;
  return out;
}

function summarise(layer: Record<string, unknown>, key: string, what: string): Record<string, unknown> {
  const value = layer[key];
  return typeof value === "string" ? { ...layer, [key]: `<${value.length} chars: ${what}>` } : { ...layer };
}

function certSummary(pem: string): unknown {
  try {
    return parsePemChain(pem, "pubcert").map(describeCert);
  } catch (err) {
    return `<unreadable: ${(err as Error).message}>`;
  }
}
