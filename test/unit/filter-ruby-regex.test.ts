import assert from "node:assert/strict";
import type { Filter } from "../../src/protocol/types.js";
import { matchFilter, parseCompound, parseFactFilter, type NodeView } from "../../src/filter/index.js";
import { identityMatches } from "../../src/client/discovery/types.js";
import { ActionPolicyAuthorizer } from "../../src/server/authz/index.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const web: NodeView = { identity: "web1", facts: { hostname: "web1", os: "Debian" }, classes: ["role::web"], agents: ["rpcutil"] };
const db: NodeView = { identity: "db1", facts: { hostname: "db1", os: "Debian" }, classes: ["role::db"], agents: ["rpcutil"] };

function filter(part: Partial<Filter>): Filter {
  return { fact: [], cf_class: [], agent: [], identity: [], compound: [], ...part };
}
const selected = (f: Filter) => [web, db].filter((n) => matchFilter(f, n)).map((n) => n.identity);

describe("filters read Ruby regex syntax", () => {
  it("-F hostname=/\\Aweb\\d\\z/ selects web1 only", () => {
    assert.deepEqual(selected(filter({ fact: [parseFactFilter("hostname=/\\Aweb\\d\\z/")] })), ["web1"]);
  });

  it("-F with a POSIX bracket class and a leading (?i)", () => {
    assert.deepEqual(selected(filter({ fact: [parseFactFilter("hostname=/^db[[:digit:]]$/")] })), ["db1"]);
    assert.deepEqual(selected(filter({ fact: [parseFactFilter("os=/(?i)\\Adebian\\z/")] })), ["web1", "db1"]);
  });

  it('-S "not hostname=/\\Adb/" spares the db hosts', () => {
    assert.deepEqual(selected(filter({ compound: [parseCompound("not hostname=/\\Adb/")] })), ["web1"]);
  });

  it("-I and -C read \\A and \\z", () => {
    assert.deepEqual(selected(filter({ identity: ["/\\Adb\\d\\z/"] })), ["db1"]);
    assert.deepEqual(selected(filter({ cf_class: ["/\\Arole::web\\z/"] })), ["web1"]);
  });

  it("compound expressions and data-call comparisons read Ruby regexes", () => {
    assert.deepEqual(selected(filter({ compound: [[{ expr: "fact('hostname') matches '\\\\Aweb\\\\d'" }]] })), ["web1"]);
    const data: NodeView = { ...web, data: () => ({ name: "web1" }) };
    assert.equal(matchFilter(filter({ compound: [parseCompound("host().name=/\\Aweb\\z/")] }), data), false);
    assert.equal(matchFilter(filter({ compound: [parseCompound("host().name=/\\Aweb\\d\\z/")] }), data), true);
  });

  it("a regex that cannot compile selects no node, negated or not", () => {
    assert.deepEqual(selected(filter({ compound: [parseCompound("not hostname=/(?>db)/")] })), []);
    assert.deepEqual(selected(filter({ fact: [parseFactFilter("hostname=/a++/")] })), []);
  });

  it("client-side identity discovery reads \\A and \\z", () => {
    assert.equal(identityMatches("db1", ["/\\Adb\\d\\z/"]), true);
    assert.equal(identityMatches("xdb1", ["/\\Adb\\d\\z/"]), false);
  });

  it("actionpolicy class regexes read Ruby syntax", () => {
    const dir = mkdtempSync(join(tmpdir(), "mcompat-authz-re-"));
    try {
      writeFileSync(join(dir, "puppet.policy"), "policy default deny\nallow\t*\t*\t*\t/\\Arole::web\\z/\n");
      const auth = new ActionPolicyAuthorizer({ policyDir: dir, allowUnconfigured: false, enableDefault: false, defaultName: "default", log: () => {} });
      const request = (classes: string[]) => ({ agent: "puppet", action: "status", callerid: "cert=a", identity: "n", facts: {}, classes });
      assert.equal(auth.authorize(request(["role::web"])).allowed, true);
      assert.equal(auth.authorize(request(["role::webx"])).allowed, false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
