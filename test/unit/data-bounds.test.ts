import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { builtinDataPlugins, checked, type DataPlugin } from "../../src/server/data/index.js";
import { dataDdl } from "../../src/server/data/ddl.js";
import { CORE_METADATA } from "../../src/server/data/plugins/metadata.js";

const fstat = () => builtinDataPlugins({ agents: () => [], facts: () => ({}) }).get("fstat")!;

describe("data plugins are bounded: special files, streaming, the DDL timeout", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "mcompat-data-bounds-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("does not read /proc or /sys files to hash them (/proc/self/pagemap reads as gigabytes)", async () => {
    for (const file of ["/proc/self/pagemap", "/proc/self/status", "/sys/kernel/mm/transparent_hugepage/enabled"]) {
      const r = await fstat().query(file);
      assert.deepEqual({ present: r.present, type: r.type, md5: r.md5 }, { present: 1, type: "file", md5: 0 }, file);
    }
  });

  it("hashes a large file in chunks while the event loop keeps turning, and hashes it right", async () => {
    const file = join(dir, "big");
    writeFileSync(file, "");
    truncateSync(file, 64 * 1024 * 1024);
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    try {
      const r = await fstat().query(file);
      assert.equal(r.md5, createHash("md5").update(Buffer.alloc(64 * 1024 * 1024)).digest("hex"));
    } finally {
      clearInterval(ticker);
    }
    assert.ok(turns > 0, "no timer ran while the file was hashed");
  });

  it("answers a query still running after the DDL timeout with an error saying so, and aborts its work", async () => {
    let aborted: unknown;
    const stuck: DataPlugin = {
      name: "stuck",
      ddl: dataDdl({ metadata: { ...CORE_METADATA, name: "stuck", timeout: 1 }, description: "never answers", outputs: {} }),
      query: (_arg, signal) => new Promise(() => signal?.addEventListener("abort", () => (aborted = signal.reason))),
    };
    await assert.rejects(checked(stuck).query(null), /data plugin stuck timed out after 1s/);
    assert.match(String(aborted), /timed out after 1s/);
  });
});
