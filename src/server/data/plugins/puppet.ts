/** `puppet`: the Puppet agent's state (enabled, applying, daemon running, last run), from its lock and pid files. */
import { dataDdl, queryDefaults } from "../ddl.js";
import type { DataPluginFactory } from "../plugin.js";
import { lastRun, loadSummary, puppetStateFiles, readIfPresent } from "./puppet-state.js";

const ddl = dataDdl({
  metadata: {
    name: "puppet",
    description: "Information about Puppet agent state",
    author: "R.I.Pienaar <rip@devco.net>",
    license: "ASL 2.0",
    version: "1.1",
    url: "http://puppetlabs.com/",
    timeout: 1,
  },
  description: "Puppet Agent state",
  outputs: {
    applying: { description: "Is a catalog being applied", display_as: "Applying", default: false },
    enabled: { description: "Is the agent currently locked", display_as: "Enabled", default: false },
    daemon_present: { description: "Is the Puppet agent daemon running on this system", display_as: "Daemon Running", default: false },
    lastrun: { description: "When the Agent last applied a catalog in local time", display_as: "Last Run", default: 0 },
    since_lastrun: { description: "How long ago did the Agent last apply a catalog in local time", display_as: "Since Last Run", default: -1 },
    status: { description: "Current status of the Puppet agent", display_as: "Status", default: "unknown" },
    disable_message: { description: "Message supplied when agent was disabled", display_as: "Lock Message", default: "" },
  },
});

/** Reads the lock, pid and summary files `plugin.puppet.*` names, else those of Puppet's usual layout. */
export const puppet: DataPluginFactory = (ctx) => ({
  name: "puppet",
  ddl,
  async query() {
    const files = puppetStateFiles(ctx.puppetConf);
    const lock = await readIfPresent(files.agent_disabled_lockfile, "disable lock");
    const applying = await pidFileAlive(files.agent_catalog_run_lockfile);
    const daemonPresent = await pidFileAlive(files.pidfile);
    const idling = daemonPresent && !applying;
    const lastrun = lastRun(await loadSummary(files.lastrunfile));
    const status = lock !== undefined ? "disabled" : applying ? "applying a catalog" : idling ? "idling" : "stopped";
    return {
      ...queryDefaults(ddl),
      applying,
      enabled: lock === undefined,
      daemon_present: daemonPresent,
      lastrun,
      since_lastrun: Math.floor((ctx.now?.() ?? Date.now()) / 1000) - lastrun,
      status,
      disable_message: lock === undefined ? "" : disableMessage(lock),
      idling,
    };
  },
});

// The lock holds {"disabled_message": "..."}; older Puppets left it empty.
function disableMessage(lock: string): string {
  try {
    const parsed = JSON.parse(lock) as { disabled_message?: unknown };
    return typeof parsed.disabled_message === "string" ? parsed.disabled_message : "";
  } catch {
    return "";
  }
}

// A pid file counts when it names a live process (one we may not signal still counts).
async function pidFileAlive(file: string): Promise<boolean> {
  const pid = Number((await readIfPresent(file, "pid file"))?.trim());
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
