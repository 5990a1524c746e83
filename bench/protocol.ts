/**
 * Protocol benchmark, one core: golden Ruby-client requests decoded (all layers + schema) and verified
 * (chain, callerid, allow-list, RSA-SHA256 signature). Baselines in the same process: JSON.parse of the
 * outer layer alone for decoding, and a verifier rebuilt per message (parsing CA and caller certificate and
 * walking the chain every time) for verification with the per-PEM cache, and the bare RSA check as the floor.
 */
import "../test/helpers/temp-root.js";
import { verify, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeReply, decodeRequest } from "../src/protocol/index.js";
import { RequestVerifier } from "../src/security/index.js";
import { goldenMessages, wireCertsDir } from "../test/helpers/golden.js";

const ROUNDS = 5;
const ROUND_MS = 400;

/** A golden request's own send time, so that its ttl window holds. */
/** Operations per second of `fn`, best of interleaved rounds so that all variants see the same machine load. */
function measure(variants: Record<string, () => void>): Record<string, number> {
  const best: Record<string, number> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of Object.entries(variants)) {
      let ops = 0;
      const start = performance.now();
      let elapsed = 0;
      while (elapsed < ROUND_MS) {
        for (let i = 0; i < 50; i++) fn();
        ops += 50;
        elapsed = performance.now() - start;
      }
      best[name] = Math.max(best[name] ?? 0, (ops * 1000) / elapsed);
    }
  }
  return best;
}

const golden = goldenMessages();
const requests = golden.filter((m) => m.reply !== null).map((m) => m.payload);
const replies = golden.filter((m) => m.reply === null).map((m) => m.payload);
const caPem = readFileSync(join(wireCertsDir, "ca.pem"), "utf8");
const timed = requests.map((payload) => ({ payload, now: sentAt(payload) }));
const verifier = new RequestVerifier({ caPem });
const sample = decodeRequest(timed[0].payload, timed[0].now);
const callerKey = new X509Certificate(sample.pubcert).publicKey;
const signature = Buffer.from(sample.signature, "base64");
let n = 0;
const next = <T>(list: T[]): T => list[n++ % list.length];

function sentAt(payload: string): number {
  const secure = JSON.parse(Buffer.from((JSON.parse(payload) as { data: string }).data, "base64").toString()) as { message: string };
  return (JSON.parse(secure.message) as { envelope: { time: number } }).envelope.time;
}

const result = measure({
  "JSON.parse outer layer (baseline)": () => void JSON.parse(next(requests)),
  "decode request, all layers": () => {
    const r = next(timed);
    decodeRequest(r.payload, r.now);
  },
  "decode reply + hash check": () => void decodeReply(next(replies)),
  "decode + verify, cached verifier": () => {
    const r = next(timed);
    verifier.verify(decodeRequest(r.payload, r.now), r.now);
  },
  "RSA-SHA256 signature check alone (floor)": () => void verify("sha256", Buffer.from(sample.l3), callerKey, signature),
  "decode + verify, full chain each time (baseline)": () => {
    const r = next(timed);
    new RequestVerifier({ caPem }).verify(decodeRequest(r.payload, r.now), r.now);
  },
});

for (const [name, ops] of Object.entries(result)) console.log(`${name.padEnd(50)} ${Math.round(ops).toString().padStart(9)} msg/s`);
const ratio = (a: string, b: string) => (result[a] / result[b]).toFixed(2);
console.log(`decode / JSON.parse alone: ${ratio("decode request, all layers", "JSON.parse outer layer (baseline)")}x the throughput`);
console.log(`verify with cache / full chain each time: ${ratio("decode + verify, cached verifier", "decode + verify, full chain each time (baseline)")}x`);
console.log(`decode + cached verify / bare RSA check: ${ratio("decode + verify, cached verifier", "RSA-SHA256 signature check alone (floor)")}x`);
