import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../../src/server/index.js";

const at = () => new Date("2026-01-02T03:04:05Z");
const tempDir = () => mkdtempSync(join(tmpdir(), "mcompat-logger-"));

describe("server: logging never takes the daemon down", () => {
  it("sends lines to stderr and counts them while the log folder is missing, and says how many once it is back", () => {
    const dir = join(tempDir(), "gone");
    const file = join(dir, "server.log");
    const stderr: string[] = [];
    const log = createLogger({ file, level: "info", now: at, fallback: (t) => stderr.push(t) });
    for (let i = 0; i < 3; i++) log.warn(`message ${i}`);
    assert.equal(log.lost(), 3);
    assert.match(stderr[0], /^2026-01-02T03:04:05\.000Z ERROR cannot write .*gone\/server\.log: ENOENT/);
    assert.deepEqual(stderr.join("").split("\n").filter((l) => l.includes("WARN")), [0, 1, 2].map((i) => `2026-01-02T03:04:05.000Z WARN message ${i}`));
    mkdirSync(dir);
    log.info("back");
    assert.equal(readFileSync(file, "utf8"), `2026-01-02T03:04:05.000Z WARN 3 log line(s) could not be written to ${file} and went to stderr\n2026-01-02T03:04:05.000Z INFO back\n`);
    assert.equal(log.lost(), 3);
  });

  it("survives a full disk (/dev/full refuses every write with ENOSPC), and a fallback that throws too", () => {
    const stderr: string[] = [];
    const full = createLogger({ file: "/dev/full", level: "debug", now: at, fallback: (t) => stderr.push(t) });
    for (let i = 0; i < 1000; i++) full.error(`request handling failed: ${i}`);
    assert.equal(full.lost(), 1000);
    assert.match(stderr[0], /cannot write \/dev\/full: ENOSPC/);
    assert.equal(stderr.length, 1000);
    const nowhere = createLogger({ file: "/dev/full", level: "debug", fallback: () => { throw new Error("EPIPE"); } });
    assert.doesNotThrow(() => nowhere.error("still running"));
    assert.equal(nowhere.lost(), 1);
  });

  it("rotates at max_log_size as the legacy Ruby Logger did: file, file.0 ... file.(keeplogs-2), oldest dropped", () => {
    const dir = tempDir();
    const file = join(dir, "server.log");
    const log = createLogger({ file, level: "info", now: at, keep: 4, maxBytes: 200 });
    for (let i = 0; i < 100; i++) log.info(`line ${String(i).padStart(3, "0")}`);
    assert.deepEqual(readdirSync(dir).sort(), ["server.log", "server.log.0", "server.log.1", "server.log.2"]);
    const lineBytes = "2026-01-02T03:04:05.000Z INFO line 000\n".length;
    const kept = [`${file}.2`, `${file}.1`, `${file}.0`, file].flatMap((f) => {
      assert.ok(statSync(f).size <= 200 + lineBytes, `${f} is ${statSync(f).size} bytes`);
      return readFileSync(f, "utf8").trimEnd().split("\n");
    });
    const numbers = kept.map((l) => Number(/line (\d+)$/.exec(l)![1]));
    assert.deepEqual(numbers, numbers.map((_, i) => 99 - numbers.length + 1 + i), "the newest lines, in order, none missing");
    assert.equal(log.lost(), 0);
  });

  it("never rotates with keeplogs = 0", () => {
    const dir = tempDir();
    const log = createLogger({ file: join(dir, "server.log"), level: "info", keep: 0, maxBytes: 10 });
    for (let i = 0; i < 20; i++) log.info(`line ${i}`);
    assert.deepEqual(readdirSync(dir), ["server.log"]);
    assert.equal(existsSync(join(dir, "server.log.0")), false);
  });
});

describe("server: logging with stdout and stderr gone", () => {
  it("keeps a process alive whose log file and stderr both fail (the pipe that started it closed)", async () => {
    const logger = new URL("../../src/server/logger.js", import.meta.url).href;
    const script = `
      const { createLogger } = await import(${JSON.stringify(logger)});
      const log = createLogger({ file: "/dev/full", level: "info" });
      await new Promise((r) => setTimeout(r, 200));
      for (let i = 0; i < 2000; i++) log.error("line " + i);
      await new Promise((r) => setTimeout(r, 200));
      process.stdout.write("alive " + log.lost() + "\\n");`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
    child.stderr.destroy();
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((done) => child.on("close", done));
    assert.equal(out, "alive 2000\n");
    assert.equal(code, 0);
  });
});
