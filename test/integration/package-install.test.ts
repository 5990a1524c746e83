import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { REPO } from "../helpers/server.js";

/** npm's own settings from a parent `npm test` would send the install elsewhere than the temporary prefix. */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_config_(prefix|global|location)$/i.test(key)));
}

describe("the npm package", function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), "mcompat-package-"));
  const prefix = join(dir, "prefix");
  const bin = (name: string) => join(prefix, "bin", name);
  let packed: string[];

  before(async () => {
    // Packed from the build this test run uses; `npm pack` itself runs the build first through the prepare script.
    const pack = await execa("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], { cwd: REPO, env: npmEnv() });
    const [{ filename, files }] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    packed = files.map((f) => f.path);
    await execa("npm", ["install", "--global", "--prefix", prefix, "--prefer-offline", "--no-audit", "--no-fund", join(dir, filename)], { env: npmEnv() });
  });

  it("carries the build and what the programs read at run time, and no tests, sources or source maps", () => {
    for (const file of ["bin/mco", "bin/mcompat", "dist/mco/mco.js", "dist/src/cli/mcompat.js", "dist/ddl/package.ddl.json", "compat/bin/mcompat-worker",
      "compat/lib/mcollective.rb", "compat/agents/mcollective/agent/package.rb", "ddl/rpcutil.ddl", "fixtures/facts/node1.yaml",
      "dist/forge/mcollective_agent_package/manifests/init.pp"]) assert.ok(packed.includes(file), `${file} is packed`);
    const unwanted = packed.filter((f) => /^(test|src|bench|scripts|puppet)\/|^dist\/(test|bench)\/|\.(ts|map)$/.test(f));
    assert.deepEqual(unwanted, []);
  });

  it("installs into a clean prefix where mco and mcompat server start", async () => {
    const mco = await execa(bin("mco"), ["--help"], { reject: false });
    assert.equal(mco.exitCode, 0, mco.stderr);
    assert.match(mco.stdout, /^usage: .*\/prefix\/bin\/mco command <options>$/m);
    const server = await execa(bin("mcompat"), ["server", "--help"], { reject: false });
    assert.equal(server.exitCode, 0, server.stderr);
    assert.match(server.stdout, /^Usage: mcompat server \[options\]/);
  });

  it("builds the bundled agents' Forge modules from its own compat/ and ddl/", async () => {
    const out = join(dir, "forge");
    const forge = await execa(bin("mcompat"), ["forge", out], { reject: false, cwd: dir });
    assert.equal(forge.exitCode, 0, forge.stderr);
    for (const agent of ["package", "service", "puppet"]) {
      assert.ok(existsSync(join(out, `mcollective_agent_${agent}`, "files", "mcollective", "agent", `${agent}.json`)), agent);
    }
  });
});
