/**
 * Authorization cost per request: our authorizer, which parses policies once (and on SIGHUP), against the legacy
 * plugin's way of reading and parsing the policy and groups files on every request, measured in the same process.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ActionPolicyAuthorizer } from "../src/server/authz/index.js";

const dir = mkdtempSync(join(tmpdir(), "mcompat-bench-authz-"));
const rules = Array.from({ length: 20 }, (_, i) => `allow\tcert=team${i} ops\tstatus restart\tcustomer=acme${i}\t*`);
writeFileSync(
  join(dir, "service.policy"),
  ["policy default deny", ...rules, "allow\tops\t*\t(environment=production and role=web) or environment=development"].join("\n") + "\n",
);
writeFileSync(join(dir, "groups"), "ops choria=alice.mcollective choria=bob.mcollective\n");

const opts = { policyDir: dir, allowUnconfigured: false, enableDefault: false, defaultName: "default" };
const request = {
  agent: "service",
  action: "stop",
  callerid: "choria=bob.mcollective",
  identity: "node1",
  facts: { environment: "development", role: "db" },
  classes: ["role::db"],
};

const cached = new ActionPolicyAuthorizer(opts);
// The legacy plugin re-reads both files for every request; building an authorizer does exactly that.
const perRequest = () => new ActionPolicyAuthorizer(opts).authorize(request);

function rate(label: string, fn: () => unknown, ms = 1500): number {
  for (let i = 0; i < 200; i++) fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
  }
  const perSecond = n / ((performance.now() - start) / 1000);
  console.log(`${label.padEnd(46)} ${Math.round(perSecond).toLocaleString("en")} requests/s`);
  return perSecond;
}

if (!cached.authorize(request).allowed || !perRequest().allowed) throw new Error("bench request should be allowed by the compound rule");
const baseline = rate("legacy model: read + parse policy per request", perRequest);
const ours = rate("mcompat: policies parsed once, judged per request", () => cached.authorize(request));
console.log(`ratio: ${(ours / baseline).toFixed(1)}x the legacy model's throughput`);
rmSync(dir, { recursive: true, force: true });
