/** What an mco application is (one file each under `apps/`), and its help text in OptionParser's layout. */
import { helpLine, type OptionSpec } from "./argv.js";
import { ALWAYS_OPTIONS, COMMON_OPTIONS, FILTER_OPTIONS, RPC_OPTIONS } from "./options.js";
import type { Session } from "./session.js";

export type OptionSection = "rpc" | "common" | "filters";

export interface Application {
  name: string;
  /** One line, shown by `mco help`. */
  description: string;
  /** `Usage:` lines of the help text, if any. */
  usage?: string[];
  /** The application's own options (`Application Options`). */
  options: OptionSpec[];
  /** Shared sections this application takes (mco's `exclude_argument_sections` is the complement). */
  sections: OptionSection[];
  /** Runs with parsed arguments; resolves to the exit code. */
  run(session: Session): Promise<number>;
}

export const MCOLLECTIVE_VERSION = "2.12.5";

/** Every option an application accepts: its own, the shared sections it takes, and `-c -v -h`. */
export function applicationOptions(app: Application): OptionSpec[] {
  return [
    ...app.options,
    ...(app.sections.includes("rpc") ? RPC_OPTIONS : []),
    ...ALWAYS_OPTIONS,
    ...(app.sections.includes("common") ? COMMON_OPTIONS : []),
    ...(app.sections.includes("filters") ? FILTER_OPTIONS : []),
  ];
}

/** `mco help <app>` / `mco <app> --help`, laid out as Ruby's OptionParser prints mco's options. */
export function helpText(app: Application): string {
  const lines: string[] = ["", app.description];
  if (app.usage && app.usage.length > 0) lines.push("", ...app.usage.map((u) => `Usage: ${u}`), "");
  lines.push("Application Options", ...app.options.map(helpLine));
  if (app.sections.includes("rpc")) lines.push("", "RPC Options", ...RPC_OPTIONS.map(helpLine));
  lines.push(...ALWAYS_OPTIONS.map(helpLine));
  if (app.sections.includes("common")) lines.push("", "Common Options", ...COMMON_OPTIONS.map(helpLine));
  if (app.sections.includes("filters")) lines.push("", "Host Filters", ...FILTER_OPTIONS.map(helpLine));
  lines.push("", `The Marionette Collective ${MCOLLECTIVE_VERSION}`);
  return lines.join("\n") + "\n";
}
