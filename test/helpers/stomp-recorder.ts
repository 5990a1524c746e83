/** A plain TCP socket that records the STOMP frames we write and answers with captured golden frames. */
import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { REPO } from "./server.js";

export interface Frame {
  command: string;
  headers: Array<[string, string]>;
  body: Buffer;
}

export interface GoldenFrame extends Frame {
  dir: "c2s" | "s2c";
  peer: string;
  /** The complete frame as it crossed the wire. */
  raw: Buffer;
}

/** The frames of one `wire-legacy` capture, EOL records left out. */
export function goldenFrames(name: string): GoldenFrame[] {
  const text = readFileSync(join(REPO, "fixtures", "wire-legacy", `${name}.jsonl`), "utf8");
  return text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line))
    .filter((r) => r.command !== "EOL")
    .map((r) => ({
      dir: r.dir,
      peer: r.peer,
      command: r.command,
      headers: r.header_lines,
      body: Buffer.from(r.body_b64 ?? "", "base64"),
      raw: Buffer.from(r.frame_b64, "base64"),
    }));
}

/** Splits a byte stream into frames: bodies by content-length when given, else up to NUL; EOLs between frames skipped. */
export function parseFrames(bytes: Buffer): Frame[] {
  const frames: Frame[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes[at] === 0x0a || bytes[at] === 0x0d) {
      at++;
      continue;
    }
    const headEnd = bytes.indexOf("\n\n", at);
    if (headEnd < 0) break;
    const [command, ...lines] = bytes.subarray(at, headEnd).toString("utf8").split("\n");
    const headers = lines.map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1)] as [string, string]);
    const length = headers.find(([k]) => k === "content-length");
    const bodyStart = headEnd + 2;
    const bodyEnd = length ? bodyStart + Number(length[1]) : bytes.indexOf(0, bodyStart);
    if (bodyEnd < 0 || bodyEnd >= bytes.length) break;
    frames.push({ command, headers, body: bytes.subarray(bodyStart, bodyEnd) });
    at = bodyEnd + 1;
  }
  return frames;
}

/** Listens on 127.0.0.1; each connection's bytes are kept, and `answer` decides what goes back per frame. */
export class FrameRecorder {
  readonly received: Buffer[] = [];
  private server: Server | undefined;
  private socket: Socket | undefined;

  constructor(private readonly answer: (frame: Frame, socket: Socket) => void) {}

  async listen(): Promise<number> {
    this.server = createServer((socket) => {
      this.socket = socket;
      let seen = 0;
      socket.on("data", (chunk) => {
        this.received.push(chunk);
        const frames = this.frames();
        for (const frame of frames.slice(seen)) this.answer(frame, socket);
        seen = frames.length;
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return (this.server.address() as { port: number }).port;
  }

  frames(): Frame[] {
    return parseFrames(Buffer.concat(this.received));
  }

  /** Sends bytes to the connected client, as the broker would. */
  send(bytes: Buffer): void {
    this.socket!.write(bytes);
  }

  async waitFor(count: number, ms = 3000): Promise<Frame[]> {
    const until = Date.now() + ms;
    while (this.frames().length < count) {
      if (Date.now() > until) throw new Error(`expected ${count} frames, got ${this.frames().map((f) => f.command).join(", ")}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.frames();
  }

  async close(): Promise<void> {
    this.socket?.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
