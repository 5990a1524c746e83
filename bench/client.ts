/**
 * Client benchmarks:
 * 1. replies processed per second by the reply path (hash-checked decode, request id check, dedupe, RPC body),
 *    against bare JSON.parse of the same payloads as the baseline;
 * 2. wall time of `mco rpc rpcutil ping -I <node>` from start to exit against a real TLS broker, against
 *    the same call run from the unbundled modules and the start-up of a bare `node -e ''`, interleaved;
 * 3. when Debian's legacy Ruby mco is installed, `mco help` and `mco plugin doc rpcutil` of both, interleaved.
 */
import "../test/helpers/temp-root.js";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { ReplyCollector, rpcReader } from "../src/client/index.js";
import { encodeReply, encodeRpcReply, newRequestId } from "../src/protocol/index.js";
import { ChoriaCodec } from "../src/wire/index.js";
import { testBroker } from "../test/helpers/broker.js";
import { startResponder, writeClientConfig } from "../test/helpers/fleet.js";
import { MCO_BIN } from "../test/helpers/mco.js";

/** The compiled entry that the bundle is built from: the baseline the bundle has to beat. */
const UNBUNDLED_MCO = fileURLToPath(new URL("../src/cli/mco.js", import.meta.url));

const REPLIES = 20_000;

function payloads(requestid: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < REPLIES; i++) {
    const sender = `node${i}.example.net`;
    out.push(
      encodeReply({
        envelope: { senderid: sender, requestid, agent: "rpcutil", time: 1795310474 },
        message: encodeRpcReply({ statuscode: 0, statusmsg: "OK", data: { pong: 1795310474 } }),
        headers: { mc_sender: sender },
      }),
    );
  }
  return out;
}

function best(runs: number, fn: () => number): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) min = Math.min(min, fn());
  return min;
}

function replyPath(): void {
  const requestid = newRequestId();
  const all = payloads(requestid);
  const expected = all.map((_, i) => `node${i}.example.net`);
  const collectMs = best(5, () => {
    const collector = new ReplyCollector(new ChoriaCodec({}), requestid, expected, rpcReader("rpcutil", "ping"));
    const started = performance.now();
    for (const p of all) if (collector.accept({ body: Buffer.from(p), headers: {} }) === undefined) throw new Error("a reply was rejected");
    return performance.now() - started;
  });
  const parseMs = best(5, () => {
    const started = performance.now();
    for (const p of all) JSON.parse(p);
    return performance.now() - started;
  });
  const perSecond = Math.round((REPLIES / collectMs) * 1000);
  console.log(`reply path: ${REPLIES} replies in ${collectMs.toFixed(1)} ms = ${perSecond} replies/s (target >= 20000/s)`);
  console.log(`baseline JSON.parse of the same payloads: ${parseMs.toFixed(1)} ms; reply path costs ${(collectMs / parseMs).toFixed(1)}x a bare parse`);
}

async function wallMs(cmd: string, args: string[]): Promise<number> {
  const started = performance.now();
  const r = await execa(cmd, args, { reject: false, env: { MCOLLECTIVE_EXTRA_OPTS: "" } });
  if (r.exitCode !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.exitCode}: ${r.stderr}`);
  return performance.now() - started;
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function directCall(): Promise<void> {
  const broker = await testBroker();
  const node = await startResponder(broker.port, { identity: "bench1.example.net" });
  try {
    const cfg = await writeClientConfig(broker.port, "bench");
    const argv = [MCO_BIN, "rpc", "rpcutil", "ping", "-I", "bench1.example.net", "-c", cfg];
    await wallMs("node", argv);
    // Interleaved, so that the machine's load drifts over all four alike.
    const times = { call: [] as number[], unbundled: [] as number[], help: [] as number[], bare: [] as number[] };
    for (let i = 0; i < 9; i++) {
      times.call.push(await wallMs("node", argv));
      times.unbundled.push(await wallMs("node", [UNBUNDLED_MCO, ...argv.slice(1)]));
      times.help.push(await wallMs("node", [MCO_BIN, "help"]));
      times.bare.push(await wallMs("node", ["-e", ""]));
    }
    const [call, unbundled, help, bare] = [times.call, times.unbundled, times.help, times.bare].map(median);
    console.log(`mco rpc rpcutil ping -I node: ${(call / 1000).toFixed(3)} s median wall time (legacy mco: 0.37 s; target < 0.15 s)`);
    console.log(`the same call from the unbundled modules (dist/src/cli/mco.js): ${(unbundled / 1000).toFixed(3)} s; the bundle takes ${(call / unbundled).toFixed(2)}x its time`);
    console.log(`mco help: ${(help / 1000).toFixed(3)} s; bare node start-up: ${(bare / 1000).toFixed(3)} s`);
    console.log(`direct call costs ${(call / bare).toFixed(2)}x a bare node start-up; ${((call - bare) / 1000).toFixed(3)} s above it`);
  } finally {
    await node.stop();
    await broker.stop();
  }
}

/**
 * Debian's `mcollective-client` is the legacy Ruby mco (2.12.5). It has no NATS connector, so it cannot make the
 * direct call here; what both clients can do without a broker is start, and document a DDL read from the libdir.
 */
async function legacyStartup(): Promise<void> {
  const legacy = "/usr/bin/mco";
  if (!existsSync(legacy) || !readFileSync(legacy, "utf8").startsWith("#!/usr/bin/env ruby")) {
    console.log("legacy mco: not installed (apt-get install mcollective-client to compare start-up with it)");
    return;
  }
  const cfg = ["--config", "/etc/mcollective/client.cfg"];
  const runs = {
    legacyHelp: () => wallMs(legacy, ["help"]),
    oursHelp: () => wallMs("node", [MCO_BIN, "help"]),
    legacyDoc: () => wallMs(legacy, ["plugin", "doc", "rpcutil", ...cfg]),
    oursDoc: () => wallMs("node", [MCO_BIN, "plugin", "doc", "rpcutil", ...cfg]),
  };
  const times = Object.fromEntries(Object.keys(runs).map((k) => [k, [] as number[]])) as Record<keyof typeof runs, number[]>;
  for (let i = 0; i < 9; i++) for (const [k, run] of Object.entries(runs)) times[k as keyof typeof runs].push(await run());
  const m = Object.fromEntries(Object.entries(times).map(([k, t]) => [k, median(t)])) as Record<keyof typeof runs, number>;
  console.log(`mco help: ours ${(m.oursHelp / 1000).toFixed(3)} s, legacy ${(m.legacyHelp / 1000).toFixed(3)} s (${(m.oursHelp / m.legacyHelp).toFixed(2)}x)`);
  console.log(`mco plugin doc rpcutil (Debian's Ruby DDL): ours ${(m.oursDoc / 1000).toFixed(3)} s, legacy ${(m.legacyDoc / 1000).toFixed(3)} s (${(m.oursDoc / m.legacyDoc).toFixed(2)}x)`);
}

replyPath();
await directCall();
await legacyStartup();
