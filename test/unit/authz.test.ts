import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ActionPolicyAuthorizer, authorizerFromConfig, parsePolicy } from "../../src/server/authz/index.js";
import { Config } from "../../src/config/index.js";

const fixtures = join(process.cwd(), "fixtures", "policies");
const DENIED = "Could not load any valid policy files. Denying based on allow_unconfigured: false";

function request(over: Partial<Parameters<ActionPolicyAuthorizer["authorize"]>[0]> = {}) {
  return { agent: "puppet", action: "status", callerid: "cert=admin", identity: "node1", facts: {}, classes: [], ...over };
}

describe("actionpolicy authorization", () => {
  let dir: string;
  let logs: string[];
  const log = (level: string, msg: string) => logs.push(`${level}: ${msg}`);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "mcompat-authz-"));
    logs = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function authorizer(policies: Record<string, string>, opts: Partial<ConstructorParameters<typeof ActionPolicyAuthorizer>[0]> = {}) {
    for (const [name, text] of Object.entries(policies)) writeFileSync(join(dir, name), text);
    return new ActionPolicyAuthorizer({ policyDir: dir, allowUnconfigured: false, enableDefault: false, defaultName: "default", log, ...opts });
  }

  describe("when no policy file applies", () => {
    it("denies with the legacy reason when allow_unconfigured is off", () => {
      assert.deepEqual(authorizer({}).authorize(request()), { allowed: false, reason: DENIED });
    });

    it("allows when allow_unconfigured is on", () => {
      assert.deepEqual(authorizer({}, { allowUnconfigured: true }).authorize(request()), { allowed: true });
    });

    it("uses the default policy only when enable_default is set", () => {
      const files = { "default.policy": "policy default deny\nallow\t*\tstatus\t*\t*\n" };
      assert.deepEqual(authorizer(files, { allowUnconfigured: true, enableDefault: true }).authorize(request({ action: "stop" })), {
        allowed: false,
        reason: "Denying based on default policy in default.policy",
      });
      assert.deepEqual(authorizer(files, { enableDefault: true }).authorize(request()), { allowed: true });
      assert.deepEqual(authorizer(files).authorize(request()), { allowed: false, reason: DENIED });
    });

    it("denies, with a warning, when the policy directory is not a directory", () => {
      const notADir = join(dir, "file");
      writeFileSync(notADir, "");
      const auth = new ActionPolicyAuthorizer({ policyDir: notADir, allowUnconfigured: false, enableDefault: false, defaultName: "default", log });
      assert.deepEqual(auth.authorize(request()), { allowed: false, reason: DENIED });
      assert.ok(logs.some((l) => l.startsWith(`warn: Cannot read the policy directory ${notADir}`)));
    });

    it("honours a custom default_name", () => {
      const auth = authorizer({ "fallback.policy": "policy default allow\n" }, { enableDefault: true, defaultName: "fallback" });
      assert.deepEqual(auth.authorize(request()), { allowed: true });
    });
  });

  describe("the policy default", () => {
    it("falls back to allow_unconfigured when a file has no policy default line", () => {
      const files = { "puppet.policy": "allow\tcert=other\t*\t*\t*\n" };
      assert.equal(authorizer(files).authorize(request()).allowed, false);
      assert.equal(authorizer(files, { allowUnconfigured: true }).authorize(request()).allowed, true);
    });

    it("treats any default other than allow as deny, and the last default line counts", () => {
      assert.equal(authorizer({ "puppet.policy": "policy default bogus\n" }).authorize(request()).allowed, false);
      assert.equal(authorizer({ "puppet.policy": "policy default deny\npolicy default allow\n" }).authorize(request()).allowed, true);
    });
  });

  describe("rules", () => {
    it("reads the request's facts and classes only for a rule whose callers and actions match", () => {
      const auth = authorizer({ "puppet.policy": "policy default deny\nallow\tcert=other\t*\tcountry=uk\tweb\n" });
      let reads = 0;
      const counted = (callerid: string) => {
        const req = request({ callerid });
        return Object.defineProperties(req, {
          facts: { get: () => (reads++, { country: "uk" }) },
          classes: { get: () => (reads++, ["web"]) },
        });
      };
      assert.equal(auth.authorize(counted("cert=admin")).allowed, false);
      assert.equal(reads, 0);
      assert.equal(auth.authorize(counted("cert=other")).allowed, true);
      assert.ok(reads >= 2);
    });

    it("lets the first matching rule win, allow or deny", () => {
      const auth = authorizer({ "puppet.policy": "policy default allow\ndeny\tcert=admin\tstop\t*\t*\nallow\t*\t*\t*\t*\n" });
      assert.deepEqual(auth.authorize(request({ action: "stop" })), {
        allowed: false,
        reason: "Denying based on explicit 'deny' policy rule in policyfile: puppet.policy",
      });
      assert.deepEqual(auth.authorize(request({ action: "start" })), { allowed: true });
    });

    it("matches callers by substring of the caller field, as the legacy plugin does", () => {
      const auth = authorizer({ "puppet.policy": "policy default deny\nallow\tcert=admin cert=ops\t*\t*\t*\n" });
      assert.equal(auth.authorize(request({ callerid: "cert=ops" })).allowed, true);
      assert.equal(auth.authorize(request({ callerid: "cert=adm" })).allowed, true);
      assert.equal(auth.authorize(request({ callerid: "cert=dev" })).allowed, false);
    });

    it("treats a lone * as the fourth field of a 4-field rule as matching every node", () => {
      const auth = authorizer({ "puppet.policy": "policy default deny\nallow\tcert=admin\t*\t*\n" });
      assert.equal(auth.authorize(request()).allowed, true);
      assert.equal(auth.authorize(request({ callerid: "cert=other" })).allowed, false);
    });

    it("reads fields as Ruby's split does, ignoring stray spaces", () => {
      const auth = authorizer({ "puppet.policy": "policy default deny\nallow\t cert=admin\t status \t os=debian \t*\n" });
      assert.equal(auth.authorize(request({ facts: { os: "debian" } })).allowed, true);
    });

    it("matches actions exactly from a space list", () => {
      const auth = authorizer({ "puppet.policy": "policy default deny\nallow\t*\tenable disable\t*\t*\n" });
      assert.equal(auth.authorize(request({ action: "disable" })).allowed, true);
      assert.equal(auth.authorize(request({ action: "able" })).allowed, false);
    });

    it("requires every fact=value of a 5-field rule, compared as strings", () => {
      const auth = authorizer({ "puppet.policy": "policy default deny\nallow\t*\t*\tcustomer=acme os=debian\t*\n" });
      assert.equal(auth.authorize(request({ facts: { customer: "acme", os: "debian" } })).allowed, true);
      assert.equal(auth.authorize(request({ facts: { customer: "acme", os: "redhat" } })).allowed, false);
      const cmp = authorizer({ "puppet.policy": "policy default deny\nallow\t*\t*\tversion<5\t*\n" });
      assert.equal(cmp.authorize(request({ facts: { version: "4" } })).allowed, true);
      assert.equal(cmp.authorize(request({ facts: { version: "10" } })).allowed, true, "string comparison: '10' < '5'");
      assert.equal(cmp.authorize(request({ facts: { version: 6 } })).allowed, false);
    });

    it("looks facts up by dotted path when no flat fact has the name", () => {
      const auth = authorizer({ "puppet.policy": "policy default deny\nallow\t*\t*\tos.family=Debian\t*\n" });
      assert.equal(auth.authorize(request({ facts: { os: { family: "Debian" } } })).allowed, true);
    });

    it("requires every class of a 5-field rule, with /regex/ classes", () => {
      const auth = authorizer({ "puppet.policy": "policy default deny\nallow\t*\t*\t*\tapache /^role::web/\n" });
      assert.equal(auth.authorize(request({ classes: ["apache", "role::webserver"] })).allowed, true);
      assert.equal(auth.authorize(request({ classes: ["apache"] })).allowed, false);
    });

    it("rejects a fact where a class is expected and logs it", () => {
      const auth = authorizer({ "puppet.policy": "policy default deny\nallow\t*\t*\t*\tos=debian\n" });
      assert.equal(auth.authorize(request({ facts: { os: "debian" } })).allowed, false);
      assert.ok(logs.includes("warn: Fact found where class was expected: os=debian"));
    });

    it("evaluates a compound fourth field of a 4-field rule", () => {
      const auth = authorizer({ "puppet.policy": "policy default deny\nallow\t*\t*\t(environment=production and !maintenance) or role=dev\n" });
      assert.equal(auth.authorize(request({ facts: { environment: "production" } })).allowed, true);
      assert.equal(auth.authorize(request({ facts: { environment: "production" }, classes: ["maintenance"] })).allowed, false);
      assert.equal(auth.authorize(request({ facts: { role: "dev" }, classes: ["maintenance"] })).allowed, true);
    });

    it("evaluates compound fact and class fields of a 5-field rule", () => {
      const auth = authorizer({ "puppet.policy": "policy default deny\nallow\t*\t*\tcountry=uk or country=de\tnot legacy\n" });
      assert.equal(auth.authorize(request({ facts: { country: "de" } })).allowed, true);
      assert.equal(auth.authorize(request({ facts: { country: "fr" } })).allowed, false);
      assert.equal(auth.authorize(request({ facts: { country: "uk" }, classes: ["legacy"] })).allowed, false);
    });

    it("runs data functions of a compound field through the supplied lookup", () => {
      const auth = new ActionPolicyAuthorizer({ policyDir: fixtures, allowUnconfigured: false, enableDefault: false, defaultName: "default", log });
      const asOperator = { agent: "puppet", action: "restart", callerid: "cert=puppet-admins", identity: "n", classes: [] };
      const puppetData = (enabled: boolean) => (name: string) => (name === "puppet" ? { enabled } : undefined);
      assert.equal(auth.authorize({ ...asOperator, facts: { environment: "production" }, data: puppetData(false) }).allowed, true);
      assert.equal(auth.authorize({ ...asOperator, facts: { environment: "production" }, data: puppetData(true) }).allowed, false);
      assert.equal(auth.authorize({ ...asOperator, facts: { environment: "development" } }).allowed, true);
      assert.equal(auth.authorize({ ...asOperator, facts: { environment: "production" } }).allowed, false);
      assert.ok(logs.some((l) => l.includes("Could not call Data function in policy file")));
    });

    it("lists the data functions an agent's policy calls, for the server to answer first", () => {
      const auth = authorizer({ "puppet.policy": "allow\t*\t*\tfstat('/etc/motd').size>0 and puppet().enabled=true\nallow\t*\t*\t!fstat('/etc/motd').size=0\tx\n" });
      assert.deepEqual(auth.dataCalls("puppet"), [
        { plugin: "fstat", query: "/etc/motd" },
        { plugin: "puppet", query: null },
      ]);
      assert.deepEqual(auth.dataCalls("service"), []);
    });

    it("does not match a rule whose compound field cannot be parsed", () => {
      const auth = authorizer({ "puppet.policy": "policy default deny\nallow\t*\t*\t(a=1 or\n" });
      assert.equal(auth.authorize(request({ facts: { a: "1" } })).allowed, false);
      assert.ok(logs.some((l) => l.startsWith("warn: Cannot evaluate policy compound field")));
    });
  });

  describe("groups", () => {
    it("lets a group name in the caller field stand for its members", () => {
      cpSync(fixtures, dir, { recursive: true });
      const auth = new ActionPolicyAuthorizer({ policyDir: dir, allowUnconfigured: false, enableDefault: true, defaultName: "default", log });
      const call = (callerid: string, action: string) => auth.authorize(request({ agent: "service", callerid, action })).allowed;
      assert.equal(call("choria=bob.mcollective", "restart"), true);
      assert.equal(call("choria=carol.mcollective", "restart"), false, "carol's group is not named in the rule");
      assert.equal(call("choria=carol.mcollective", "status"), true);
    });

    it("skips a malformed groups line with a warning", () => {
      const auth = authorizer({ groups: "bad/name choria=x\nok choria=y\n", "puppet.policy": "policy default deny\nallow\tok\t*\t*\t*\n" });
      assert.equal(auth.authorize(request({ callerid: "choria=y" })).allowed, true);
      assert.ok(logs.some((l) => l.includes("'bad/name choria=x' is not in the expected format")));
    });
  });

  describe("parsing", () => {
    it("reads 4- and 5-field rules separated by one or more hard TABs", () => {
      const policy = parsePolicy("allow\t\tcert=a\t*\tfoo=bar\n deny\tx\ny\nallow\tcert=b\tstop\t\t*\t\tweb\n", "p.policy", () => undefined);
      assert.deepEqual(policy.rules, [
        { effect: "allow", callers: "cert=a", actions: "*", facts: "foo=bar" },
        { effect: "allow", callers: "cert=b", actions: "stop", facts: "*", classes: "web" },
      ]);
    });

    it("skips a rule written with spaces instead of TABs and logs the line", () => {
      const auth = authorizer({ "puppet.policy": "# comment\n\npolicy default deny\nallow    *    *    *    *\n" });
      assert.equal(auth.authorize(request()).allowed, false);
      assert.deepEqual(logs.filter((l) => l.startsWith("warn")), [`warn: Cannot parse policy ${join(dir, "puppet.policy")} line: allow    *    *    *    *`]);
    });
  });

  describe("reloading", () => {
    it("reads policies when built and again only on reload()", () => {
      const auth = authorizer({ "puppet.policy": "policy default deny\n" });
      writeFileSync(join(dir, "puppet.policy"), "policy default allow\n");
      assert.equal(auth.authorize(request()).allowed, false);
      auth.reload();
      assert.equal(auth.authorize(request()).allowed, true);
    });
  });

  describe("authorizerFromConfig", () => {
    const config = (text: string) => Config.fromText(text);

    it("is undefined unless rpcauthorization is on with the action_policy provider", () => {
      assert.equal(authorizerFromConfig(config(""), dir), undefined);
      assert.equal(authorizerFromConfig(config("rpcauthorization = 1\nrpcauthprovider = other\n"), dir), undefined);
      assert.ok(authorizerFromConfig(config("rpcauthorization = 1\nrpcauthprovider = actionpolicy\n"), dir));
    });

    it("reads <configdir>/policies and the legacy /^1|y/i switches", () => {
      cpSync(fixtures, join(dir, "policies"), { recursive: true });
      const on = "rpcauthorization = yes\nrpcauthprovider = action_policy\n";
      const byDefault = authorizerFromConfig(config(on + "plugin.actionpolicy.enable_default = y\n"), dir)!;
      assert.equal(byDefault.authorize(request({ agent: "service", callerid: "choria=alice.mcollective" })).allowed, true);
      const unconfigured = authorizerFromConfig(config(on + "plugin.actionpolicy.allow_unconfigured = true\n"), dir)!;
      assert.deepEqual(unconfigured.authorize(request({ agent: "service" })), { allowed: false, reason: DENIED });
      const allowed = authorizerFromConfig(config(on + "plugin.actionpolicy.allow_unconfigured = Yes\n"), dir)!;
      assert.deepEqual(allowed.authorize(request({ agent: "service" })), { allowed: true });
    });
  });
});
