/** Request authorization by legacy actionpolicy files (`<configdir>/policies/<agent>.policy` and `groups`). */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../../config/index.js";
import { parseGroups, parsePolicy, type Log, type PolicyFile } from "./policy.js";
import { compileRule, ruleDataCalls, type RuleContext, type RuleRequest } from "./rule.js";

export { parsePolicy, parseGroups } from "./policy.js";
export type { PolicyFile, PolicyRule } from "./policy.js";

/** A request to judge: what rules read of it, and its agent (which policy file). */
export interface AuthorizationRequest extends RuleRequest {
  agent: string;
}

export type AuthorizationResult = { allowed: true } | { allowed: false; reason: string };

export interface ActionPolicyOptions {
  policyDir: string;
  allowUnconfigured: boolean;
  enableDefault: boolean;
  defaultName: string;
  log?: Log;
}

/** A policy file with its rules compiled into checks. */
interface LoadedPolicy {
  file: string;
  defaultAllow?: boolean;
  rules: Array<{ effect: "allow" | "deny"; matches: (ctx: RuleContext) => boolean }>;
  dataCalls: Array<{ plugin: string; query: string | null }>;
}

/** Holds the compiled policies of one directory; reads the disk only when built and on `reload()`. */
export class ActionPolicyAuthorizer {
  private policies = new Map<string, LoadedPolicy>();
  private groups = new Map<string, string[]>();
  private readonly log: Log;

  constructor(private readonly opts: ActionPolicyOptions) {
    this.log = opts.log ?? (() => undefined);
    this.reload();
  }

  /** Re-reads every `*.policy` file and the groups file (on SIGHUP). */
  reload(): void {
    const policies = new Map<string, LoadedPolicy>();
    const dir = this.opts.policyDir;
    let names: string[] = [];
    try {
      names = existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith(".policy")).sort() : [];
    } catch (err) {
      this.log("warn", `Cannot read the policy directory ${dir}: ${(err as Error).message}`);
    }
    for (const name of names) {
      const file = join(dir, name);
      try {
        policies.set(name.slice(0, -".policy".length), this.compile(parsePolicy(readFileSync(file, "utf8"), file, this.log)));
      } catch (err) {
        this.log("warn", `Cannot read policy file ${file}: ${(err as Error).message}`);
      }
    }
    const groupsFile = join(dir, "groups");
    let groups = new Map<string, string[]>();
    if (existsSync(groupsFile)) {
      try {
        groups = parseGroups(readFileSync(groupsFile, "utf8"), groupsFile, this.log);
      } catch (err) {
        this.log("warn", `The group file ${groupsFile} exist but it is not readable: ${(err as Error).message}`);
      }
    }
    this.policies = policies;
    this.groups = groups;
  }

  /** Judges one request: the first matching rule wins, else the file's default, else allow_unconfigured. */
  authorize(req: AuthorizationRequest): AuthorizationResult {
    const policy = this.policyFor(req.agent);
    const allowUnconfigured = this.opts.allowUnconfigured;
    if (!policy) {
      const words = `Could not load any valid policy files. ${allowUnconfigured ? "Allowing" : "Denying"} based on allow_unconfigured: ${allowUnconfigured}`;
      return allowUnconfigured ? this.allow(words) : this.deny(words);
    }
    const base = policy.file.split("/").pop();
    const ctx: RuleContext = { request: req, groups: this.groups, log: this.log };
    for (const rule of policy.rules) {
      if (!rule.matches(ctx)) continue;
      if (rule.effect === "allow") return this.allow(`Allowing based on explicit 'allow' policy rule in policyfile: ${base}`);
      return this.deny(`Denying based on explicit 'deny' policy rule in policyfile: ${base}`);
    }
    return (policy.defaultAllow ?? allowUnconfigured)
      ? this.allow(`Allowing based on default policy in ${base}`)
      : this.deny(`Denying based on default policy in ${base}`);
  }

  /** The data functions the policy for `agent` may call; answer them and pass `data` to `authorize`. */
  dataCalls(agent: string): Array<{ plugin: string; query: string | null }> {
    return this.policyFor(agent)?.dataCalls ?? [];
  }

  private compile(policy: PolicyFile): LoadedPolicy {
    const rules = policy.rules.map((rule) => ({ effect: rule.effect, matches: compileRule(rule, this.log) }));
    const unique = new Map(policy.rules.flatMap(ruleDataCalls).map((c) => [`${c.plugin}\0${c.query}`, c]));
    const dataCalls = [...unique.values()];
    return { ...policy, rules, dataCalls };
  }

  private policyFor(agent: string): LoadedPolicy | undefined {
    return this.policies.get(agent) ?? (this.opts.enableDefault ? this.policies.get(this.opts.defaultName) : undefined);
  }

  private allow(words: string): AuthorizationResult {
    this.log("debug", words);
    return { allowed: true };
  }

  private deny(reason: string): AuthorizationResult {
    this.log("debug", reason);
    return { allowed: false, reason };
  }
}

// Legacy truthiness for actionpolicy settings: starts with 1, or has a y anywhere.
const legacyYes = (value: string | undefined): boolean => /^1|y/i.test(value ?? "");

/** The authorizer the config asks for, or undefined when `rpcauthorization` is off or names another provider. */
export function authorizerFromConfig(config: Config, configDir: string, log?: Log): ActionPolicyAuthorizer | undefined {
  if (!config.bool("rpcauthorization")) return undefined;
  if (!/^action_?policy$/i.test(config.string("rpcauthprovider"))) return undefined;
  const plugin = config.pluginConf("actionpolicy");
  return new ActionPolicyAuthorizer({
    policyDir: join(configDir, "policies"),
    allowUnconfigured: legacyYes(plugin.allow_unconfigured),
    enableDefault: legacyYes(plugin.enable_default),
    defaultName: plugin.default_name ?? "default",
    log,
  });
}
