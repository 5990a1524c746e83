import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUNDLED_DDL_DIR, agentDdlCandidates, loadAgentDdl } from "../../src/client/index.js";
import { Config } from "../../src/config/index.js";
import { parseDdl } from "../../src/ddl/index.js";

const emptyLibdir = Config.fromText(`libdir = ${mkdtempSync(join(tmpdir(), "mcompat-nolib-"))}`);

describe("agent DDL lookup (client)", () => {
  for (const name of readdirSync(BUNDLED_DDL_DIR).filter((f) => f.endsWith(".ddl")).map((f) => f.replace(/\.ddl$/, ""))) {
    it(`reads the bundled ${name} DDL from the build's JSON, and it says what the Ruby DDL says`, () => {
      const found = agentDdlCandidates(emptyLibdir, name).find((f) => f.endsWith(`dist/ddl/${name}.ddl.json`));
      assert.ok(found, "the pre-parsed JSON is a candidate");
      const fromJson = loadAgentDdl(emptyLibdir, name);
      const written = join(BUNDLED_DDL_DIR, `${name}.ddl`);
      // `requires` has no place in a JSON DDL; only `plugin doc` shows it, and that reads the Ruby DDL.
      const { requires: _unused, ...fromRuby } = parseDdl(readFileSync(written, "utf8"), written);
      assert.deepEqual(fromJson, fromRuby);
    });
  }

  it("prefers a libdir's DDL over the bundled one", () => {
    const libdir = mkdtempSync(join(tmpdir(), "mcompat-lib-"));
    mkdirSync(join(libdir, "mcollective", "agent"), { recursive: true });
    const ddl = readFileSync(join(BUNDLED_DDL_DIR, "rpcutil.ddl"), "utf8").replace(/:timeout\s*=>\s*\d+/, ":timeout => 42");
    writeFileSync(join(libdir, "mcollective", "agent", "rpcutil.ddl"), ddl);
    assert.equal(loadAgentDdl(Config.fromText(`libdir = ${libdir}`), "rpcutil")?.metadata.timeout, 42);
  });

  it("finds nothing for an agent nobody installed", () => {
    assert.equal(loadAgentDdl(emptyLibdir, "nosuchagent"), undefined);
  });
});
