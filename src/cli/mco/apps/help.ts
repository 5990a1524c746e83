/** `mco help [app]`: the application list, or one application's options. */
import { helpText, MCOLLECTIVE_VERSION, type Application } from "../app.js";
import type { Session } from "../session.js";

/** `mco help`: every application with its description. */
export function applicationList(apps: Application[]): string {
  const rows = [...apps].sort((a, b) => a.name.localeCompare(b.name)).map((a) => `  ${a.name.padEnd(15)} ${a.description}`);
  return `The Marionette Collective version ${MCOLLECTIVE_VERSION}\n\n${rows.join("\n")}\n\n`;
}

export const help: Application = {
  name: "help",
  description: "Application list and help",
  options: [],
  sections: [],
  async run(session: Session): Promise<number> {
    const { APPLICATIONS, unknownCommandText } = await import("./index.js");
    const name = session.positionals[0];
    if (name === undefined) {
      session.io.stdout.write(applicationList(APPLICATIONS));
      return 0;
    }
    const app = APPLICATIONS.find((a) => a.name === name);
    if (!app) {
      session.io.stdout.write(unknownCommandText(session.program, name));
      return 1;
    }
    session.io.stdout.write(helpText(app));
    return 0;
  },
};
