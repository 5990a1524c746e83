/**
 * Incoming STOMP frames found by searching for line ends and NULs, in place of the STOMP library's parser, which
 * handles one byte per function call and pushes each into a JavaScript array: ~7 µs and a trail of garbage for a
 * 500-byte reply frame, paid by the node and again by the client for every request (docs/BENCHMARKS.md). Frames come
 * out exactly as the library's parser gives them (command, headers in wire order, body bytes), so everything above
 * it is unchanged.
 */
import { Parser, type IRawFrameType } from "@stomp/stompjs";

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const COLON = 0x3a;

/**
 * What an incomplete frame at the end of the buffered bytes needs before it is worth looking at again: so many bytes,
 * a byte (the command's LF, the body's NUL), or the empty line that ends the headers. Waiting for exactly that keeps
 * a frame arriving in many chunks linear: its bytes are joined and read again only when that has come.
 */
type Need = { bytes: number } | { byte: typeof LF | typeof NUL } | "empty line";

const EMPTY_LINES = ["\n\n", "\n\r\n"];

/** Splits a byte stream into frames; a frame cut across chunks waits until what it needs has come (see Need). */
export class FrameScanner {
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** The last two bytes held, for an empty line cut across chunks. */
  private heldTail: Buffer = Buffer.alloc(0);
  private need: Need = { bytes: 0 };

  constructor(
    private readonly onFrame: (frame: IRawFrameType) => void,
    private readonly onHeartbeat: () => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.held.length > 0) {
      const tail = this.heldTail;
      this.held.push(chunk);
      this.heldBytes += chunk.length;
      this.heldTail = chunk.length >= 2 ? chunk.subarray(-2) : Buffer.concat([tail, chunk]).subarray(-2);
      if (!this.arrived(tail, chunk)) return;
      chunk = Buffer.concat(this.held, this.heldBytes);
      this.held = [];
      this.heldBytes = 0;
    }
    this.scan(chunk);
  }

  /** Whether `chunk`, which came after held bytes ending in `tail`, brings what the held frame needs. */
  private arrived(tail: Buffer, chunk: Buffer): boolean {
    const need = this.need;
    if (need === "empty line") {
      const seam = Buffer.concat([tail, chunk.subarray(0, 2)]);
      return EMPTY_LINES.some((line) => chunk.includes(line) || seam.includes(line));
    }
    return "bytes" in need ? this.heldBytes >= need.bytes : chunk.includes(need.byte);
  }

  private scan(buf: Buffer): void {
    let at = 0;
    while (at < buf.length) {
      const first = buf[at];
      if (first === NUL || first === CR) {
        at++;
      } else if (first === LF) {
        at++;
        this.onHeartbeat();
      } else {
        const end = this.frameAt(buf, at);
        if (end < 0) return;
        at = end;
      }
    }
  }

  /** Hands on the frame starting at `start` and returns where the next begins, or holds its bytes and returns -1. */
  private frameAt(buf: Buffer, start: number): number {
    let eol = buf.indexOf(LF, start);
    if (eol < 0) return this.hold(buf, start, { byte: LF });
    const frame: IRawFrameType = { command: lineText(buf, start, eol), headers: [], binaryBody: undefined };
    let at = eol + 1;
    let length = -1;
    // The next colon from `at` on, searched again only once passed: lines without one must not each scan the rest.
    let colon = buf.indexOf(COLON, at);
    for (;;) {
      eol = buf.indexOf(LF, at);
      if (eol < 0) return this.hold(buf, start, "empty line");
      if (eol === at || (eol === at + 1 && buf[at] === CR)) break;
      if (colon >= 0 && colon < at) colon = buf.indexOf(COLON, at);
      const split = colon >= 0 && colon < eol;
      const key = split ? buf.toString("utf8", at, colon) : lineText(buf, at, eol);
      const value = split ? lineText(buf, colon + 1, eol) : "";
      frame.headers.push([key, value]);
      // The first content-length counts, as in the library.
      if (length < 0 && key === "content-length") length = Number.parseInt(value, 10);
      at = eol + 1;
    }
    const bodyStart = eol + 1;
    let bodyEnd: number;
    if (length >= 0) {
      // The body and the byte after it, which ends the frame.
      if (bodyStart + length >= buf.length) return this.hold(buf, start, { bytes: bodyStart - start + length + 1 });
      bodyEnd = bodyStart + length;
    } else {
      bodyEnd = buf.indexOf(NUL, bodyStart);
      if (bodyEnd < 0) return this.hold(buf, start, { byte: NUL });
    }
    // A copy: a view would keep the whole chunk it came in alive for as long as the message is.
    frame.binaryBody = Uint8Array.prototype.slice.call(buf, bodyStart, bodyEnd);
    try {
      this.onFrame(frame);
    } catch (err) {
      // As the library does: one frame's handler failing must not stop the frames after it.
      console.log("Ignoring an exception thrown by a frame handler:", err);
    }
    return bodyEnd + 1;
  }

  private hold(buf: Buffer, start: number, need: Need): number {
    const rest = buf.subarray(start);
    this.held = [rest];
    this.heldBytes = rest.length;
    this.heldTail = rest.subarray(-2);
    this.need = need;
    return -1;
  }
}

/** A command or header value: up to the line end, CR dropped as the library drops it. */
function lineText(buf: Buffer, from: number, to: number): string {
  const text = buf.toString("utf8", from, to);
  return text.includes("\r") ? text.replaceAll("\r", "") : text;
}

let installed = false;

/** Makes every STOMP library session read its frames with a FrameScanner; the library's parser is otherwise unused. */
export function installFrameScanner(): void {
  if (installed) return;
  installed = true;
  const scanners = new WeakMap<Parser, FrameScanner>();
  Parser.prototype.parseChunk = function (this: Parser, segment: string | ArrayBuffer): void {
    let scanner = scanners.get(this);
    if (!scanner) scanners.set(this, (scanner = new FrameScanner(this.onFrame, this.onIncomingPing)));
    scanner.push(typeof segment === "string" ? Buffer.from(segment) : Buffer.isBuffer(segment) ? segment : Buffer.from(segment));
  };
}
