/**
 * STOMP frame reading, one core: the golden frames ActiveMQ delivered to Ruby (requests to a node, replies to mco),
 * as a busy socket hands them over (50 frames to a chunk), read by the frame scanner and, as the baseline, by the
 * STOMP library's own parser (from its CommonJS bundle, which the scanner never replaces). Best of interleaved rounds.
 */
import { createRequire } from "node:module";
import { FrameScanner } from "../src/transport/stomp/frame-scanner.js";
import { goldenFrames } from "../test/helpers/stomp-recorder.js";

const ROUNDS = 5;
const ROUND_MS = 500;
const FRAMES_PER_CHUNK = 50;

type LibraryParser = new (onFrame: () => void, onPing: () => void) => { parseChunk(chunk: ArrayBuffer): void };
const LibraryParser: LibraryParser = createRequire(import.meta.url)("@stomp/stompjs").Parser;

const messages = ["02-psk-rpcutil-ping-direct", "04-psk-rpc-broadcast", "05-psk-daemon-stats-floats-and-links"]
  .flatMap((capture) => goldenFrames(capture))
  .filter((f) => f.command === "MESSAGE")
  .map((f) => f.raw);
const chunk = Buffer.concat(Array.from({ length: FRAMES_PER_CHUNK }, (_, i) => Buffer.concat([messages[i % messages.length], Buffer.from("\n")])));
// The library's parser is handed ArrayBuffers; a copy of its own so that both read the same bytes.
const chunkBuffer = Uint8Array.prototype.slice.call(chunk).buffer;

let frames = 0;
const count = () => void frames++;
const scanner = new FrameScanner(count, () => {});
const parser = new LibraryParser(count, () => {});

const variants: Record<string, () => void> = {
  "library parser (baseline)": () => parser.parseChunk(chunkBuffer),
  "frame scanner": () => scanner.push(chunk),
};

const best: Record<string, number> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, read] of Object.entries(variants)) {
    frames = 0;
    const start = performance.now();
    while (performance.now() - start < ROUND_MS) read();
    const perSecond = (frames * 1000) / (performance.now() - start);
    best[name] = Math.max(best[name] ?? 0, perSecond);
  }
}

const sizes = messages.map((m) => m.length);
console.log(`STOMP MESSAGE frames of ${Math.min(...sizes)}-${Math.max(...sizes)} bytes, ${FRAMES_PER_CHUNK} to a chunk, best of ${ROUNDS} rounds`);
const baseline = best["library parser (baseline)"];
for (const [name, perSecond] of Object.entries(best)) {
  console.log(`  ${name.padEnd(28)} ${Math.round(perSecond).toLocaleString("en-US").padStart(10)} frames/s  ${(1e6 / perSecond).toFixed(2)} µs a frame  ${(perSecond / baseline).toFixed(1)}x`);
}
