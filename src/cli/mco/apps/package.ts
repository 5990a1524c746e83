/** `mco package <action> <package>`: install, remove and report packages with the package agent. */
import type { RpcResult } from "../../../client/index.js";
import { UsageError } from "../argv.js";
import type { Application } from "../app.js";
import { actionAndTarget, confirmUnfiltered, YES_OPTION } from "../agent-app.js";
import { callAgent, reportBySender } from "../agent-call.js";
import { rubySprintf, rubyToS } from "../../../ruby/index.js";
import type { Session } from "../session.js";

const PACKAGE_ACTIONS = ["install", "uninstall", "purge", "update", "status", "search"];
const GLOBAL_ACTIONS = ["count", "md5", "yum_clean", "yum_checkupdates", "apt_update", "checkupdates", "apt_checkupdates", "refresh"];
const CHECK_UPDATES = ["yum_checkupdates", "apt_checkupdates", "checkupdates"];
/** Read-only actions that may run on every node without asking. */
const SAFE_ACTIONS = ["status", "count", "md5"];

/** The outdated packages of a check-update reply, as `name` or (verbose) `name-version`. */
function outdated(data: Record<string, unknown>, withVersion: boolean): string {
  const list = Array.isArray(data.outdated_packages) ? (data.outdated_packages as Array<Record<string, unknown>>) : [];
  return list.map((p) => (withVersion ? `${rubyToS(p.package)}-${rubyToS(p.version)}` : rubyToS(p.package))).join(" ");
}

/** What one successful reply shows on its line, or undefined for nothing (package.rb's rules). */
export function packageLine(action: string, verbose: boolean, r: RpcResult): string | undefined {
  const d = r.data;
  if (verbose) {
    if (action === "count" || action === "md5") return rubyToS(d.output);
    if (CHECK_UPDATES.includes(action)) return outdated(d, true);
    if (action === "refresh") return rubyToS(d.output).split("\n").join("\n    ");
    if (action === "search") return rubyToS(d.package_count);
    return rubyToS(d.ensure);
  }
  if (action === "status") {
    const ensure = rubyToS(d.ensure);
    if (ensure === "absent" || ensure === "purged") return ensure;
    // package.rb formats "%s-%s.%s" % [name, ensure, arch]: a nil arch still leaves the dot.
    return rubySprintf("%s-%s.%s", [d.name, d.ensure, d.arch]);
  }
  if (action === "count" || action === "md5") return rubyToS(d.output);
  if (CHECK_UPDATES.includes(action)) return outdated(d, false);
  return undefined;
}

export const packageApp: Application = {
  name: "package",
  description: "Install, uninstall, update, purge and perform other actions to packages",
  usage: ["mco package [OPTIONS] [FILTERS] <ACTION> <PACKAGE>"],
  options: [YES_OPTION, { key: "version", flags: ["--version"], arg: "VERSION", description: "Version of the package to install or update" }],
  sections: ["rpc", "common", "filters"],
  async run(session: Session): Promise<number> {
    const { action, target } = actionAndTarget(session.positionals, [...PACKAGE_ACTIONS, ...GLOBAL_ACTIONS]);
    if (action === undefined || (target === undefined && !GLOBAL_ACTIONS.includes(action))) throw new UsageError("Please specify package name and action");
    if (![...PACKAGE_ACTIONS, ...GLOBAL_ACTIONS].includes(action)) {
      throw new UsageError(`Action has to be one of ${[...PACKAGE_ACTIONS, ...GLOBAL_ACTIONS].join(", ")}`);
    }
    if (!SAFE_ACTIONS.includes(action) && !(await confirmUnfiltered(session, "packages"))) return 1;
    const data: Record<string, unknown> = {};
    if (PACKAGE_ACTIONS.includes(action)) data.package = target;
    if (typeof session.values.version === "string") data.version = session.values.version;
    const run = await callAgent(session, "package", action, data);
    return reportBySender(session, run, (r) => packageLine(action, session.verbose, r), `${action} Package results`);
  },
};
