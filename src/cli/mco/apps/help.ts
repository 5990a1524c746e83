/** `mco help [app]`: the application list (ours and the libdirs' Ruby ones), or one application's options. */
import { helpText, MCOLLECTIVE_VERSION, type Application } from "../app.js";
import { NATIVE_FIRST, rubyApplications, type RubyApplication } from "../ruby-apps.js";
import type { Session } from "../session.js";

/** `mco help`: every application with its description; says so when one of ours hides a Ruby one of the same name. */
export function applicationList(apps: Application[], ruby: RubyApplication[] = []): string {
  const rubyWins = ruby.filter((r) => !NATIVE_FIRST.includes(r.name));
  const ours = apps.filter((a) => !rubyWins.some((r) => r.name === a.name)).map((a) => ({ name: a.name, description: a.description }));
  const entries = [...ours, ...rubyWins];
  const rows = entries.sort((a, b) => a.name.localeCompare(b.name)).map((a) => `  ${a.name.padEnd(15)} ${a.description}`);
  const hidden = ruby.filter((r) => NATIVE_FIRST.includes(r.name)).map((r) => r.name);
  const note = hidden.length === 0 ? "" : `mcompat's own ${hidden.join(", ")} run instead of the application plugins of that name in the libdirs.\n\n`;
  return `The Marionette Collective version ${MCOLLECTIVE_VERSION}\n\n${rows.join("\n")}\n\n${note}`;
}

export const help: Application = {
  name: "help",
  description: "Application list and help",
  options: [],
  sections: [],
  async run(session: Session): Promise<number> {
    const { APPLICATIONS, unknownCommandText } = await import("./index.js");
    const config = await session.config().catch(() => undefined);
    const ruby = config ? rubyApplications(config) : [];
    const name = session.positionals[0];
    if (name === undefined) {
      session.io.stdout.write(applicationList(APPLICATIONS, ruby));
      return 0;
    }
    if (config && !NATIVE_FIRST.includes(name) && ruby.some((r) => r.name === name)) {
      const { runRubyApp } = await import("../ruby-app.js");
      return runRubyApp(name, [], config, session.io, { help: true });
    }
    const app = APPLICATIONS.find((a) => a.name === name);
    if (!app) {
      session.io.stdout.write(unknownCommandText(session.program, name, config?.libdirs, ruby.map((r) => r.name)));
      return 1;
    }
    session.io.stdout.write(helpText(app));
    return 0;
  },
};
