/**
 * Client benchmarks:
 * 1. replies processed per second by the reply path (hash-checked decode, request id check, dedupe, RPC body),
 *    against bare JSON.parse of the same payloads as the baseline;
 * 2. wall time of `mco rpc rpcutil ping -I <node>` from start to exit against a real TLS broker, against
 *    the start-up of a bare `node -e ''` measured in the same minute.
 */
import { execa } from "execa";
import { ReplyCollector, rpcReader } from "../src/client/index.js";
import { encodeReply, encodeRpcReply, newRequestId } from "../src/protocol/index.js";
import { testBroker } from "../test/helpers/broker.js";
import { startResponder, writeClientConfig } from "../test/helpers/fleet.js";
import { MCO_BIN } from "../test/helpers/mco.js";

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
    const collector = new ReplyCollector(requestid, expected, rpcReader("rpcutil", "ping"));
    const started = performance.now();
    for (const p of all) if (collector.accept(p) === undefined) throw new Error("a reply was rejected");
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

async function median(runs: number, fn: () => Promise<number>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await fn());
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function directCall(): Promise<void> {
  const broker = await testBroker();
  const node = await startResponder(broker.port, { identity: "bench1.example.net" });
  try {
    const cfg = await writeClientConfig(broker.port, "bench");
    const argv = [MCO_BIN, "rpc", "rpcutil", "ping", "-I", "bench1.example.net", "-c", cfg];
    await wallMs("node", argv);
    const call = await median(7, () => wallMs("node", argv));
    const help = await median(7, () => wallMs("node", [MCO_BIN, "help"]));
    const bare = await median(7, () => wallMs("node", ["-e", ""]));
    console.log(`mco rpc rpcutil ping -I node: ${(call / 1000).toFixed(3)} s median wall time (legacy mco: 0.37 s; target < 0.15 s)`);
    console.log(`mco help: ${(help / 1000).toFixed(3)} s; bare node start-up: ${(bare / 1000).toFixed(3)} s`);
    console.log(`direct call costs ${(call / bare).toFixed(2)}x a bare node start-up; ${((call - bare) / 1000).toFixed(3)} s above it`);
  } finally {
    await node.stop();
    await broker.stop();
  }
}

replyPath();
await directCall();
