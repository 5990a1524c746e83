/** The mco applications; adding one is adding a file under `apps/` and a line here. */
import { MCOLLECTIVE_VERSION, type Application } from "../app.js";
import { completion } from "./completion.js";
import { describeFilterApp } from "./describe_filter.js";
import { facts } from "./facts.js";
import { find } from "./find.js";
import { help } from "./help.js";
import { inventory } from "./inventory.js";
import { packageApp } from "./package.js";
import { ping } from "./ping.js";
import { plugin } from "./plugin.js";
import { puppet } from "./puppet.js";
import { rpc } from "./rpc.js";
import { service } from "./service.js";

export const APPLICATIONS: Application[] = [completion, describeFilterApp, facts, find, help, inventory, packageApp, ping, plugin, puppet, rpc, service];

/** Application names (ours and the libdirs' Ruby ones) in rows of three, as `mco` alone prints them. */
function commandRows(rubyNames: string[]): string {
  const names = [...new Set([...APPLICATIONS.map((a) => a.name), ...rubyNames])].sort();
  const rows: string[] = [];
  for (let i = 0; i < names.length; i += 3) rows.push("   " + [0, 1, 2].map((k) => (names[i + k] ?? "").padEnd(20)).join(" "));
  return rows.join("\n");
}

/** `mco` alone: the version, usage, and the known commands. */
export function commandListText(program: string, rubyNames: string[] = []): string {
  return [
    `The Marionette Collective version ${MCOLLECTIVE_VERSION}`,
    "",
    `usage: ${program} command <options>`,
    "",
    "Known commands:",
    "",
    commandRows(rubyNames),
    "",
    `Type '${program} help' for a detailed list of commands and '${program} help command'`,
    "to get detailed help for a command",
    "",
    "",
  ].join("\n");
}

/** `mco nosuchcmd`: the same block with the usage line replaced by where applications were looked for. */
export function unknownCommandText(program: string, name: string, libdirs: string[] = [], rubyNames: string[] = []): string {
  return commandListText(program, rubyNames).replace(
    `usage: ${program} command <options>\n`,
    [`Unknown command '${name}', searched for applications in:`, "", ...libdirs.map((d) => `   ${d}`), ""].join("\n"),
  );
}
