import assert from "node:assert/strict";
import { createLogger } from "../../src/server/index.js";
import { FacterFacts } from "../../src/server/facts.js";

describe("server: facts from the real facter", function () {
  this.timeout(60_000);

  it("reads nested facts from `facter --json`", async () => {
    const facts = new FacterFacts(300, createLogger({ level: "fatal" }));
    await facts.reload();
    const os = facts.facts().os as { family?: unknown } | undefined;
    assert.equal(typeof os?.family, "string");
  });
});
