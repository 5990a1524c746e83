/** Where Puppet keeps its agent state files, from `plugin.puppet.*` settings or the install's usual layout. */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";

export interface PuppetStateFiles {
  lastrunfile: string;
  resourcefile: string;
  agent_disabled_lockfile: string;
  agent_catalog_run_lockfile: string;
  pidfile: string;
}

// Puppet AIO packages, then Debian's puppet-agent, then Puppet 3 and older.
const LAYOUTS: Array<{ marker: string; files: PuppetStateFiles }> = [
  {
    marker: "/opt/puppetlabs/puppet",
    files: {
      lastrunfile: "/opt/puppetlabs/puppet/cache/state/last_run_summary.yaml",
      resourcefile: "/opt/puppetlabs/puppet/cache/state/resources.txt",
      agent_disabled_lockfile: "/opt/puppetlabs/puppet/cache/state/agent_disabled.lock",
      agent_catalog_run_lockfile: "/opt/puppetlabs/puppet/cache/state/agent_catalog_run.lock",
      pidfile: "/var/run/puppetlabs/agent.pid",
    },
  },
  {
    marker: "/var/cache/puppet",
    files: {
      lastrunfile: "/var/cache/puppet/public/last_run_summary.yaml",
      resourcefile: "/var/cache/puppet/state/resources.txt",
      agent_disabled_lockfile: "/var/cache/puppet/state/agent_disabled.lock",
      agent_catalog_run_lockfile: "/var/cache/puppet/state/agent_catalog_run.lock",
      pidfile: "/run/puppet/agent.pid",
    },
  },
  {
    marker: "/var/lib/puppet",
    files: {
      lastrunfile: "/var/lib/puppet/state/last_run_summary.yaml",
      resourcefile: "/var/lib/puppet/state/resources.txt",
      agent_disabled_lockfile: "/var/lib/puppet/state/agent_disabled.lock",
      agent_catalog_run_lockfile: "/var/lib/puppet/state/agent_catalog_run.lock",
      pidfile: "/var/run/puppet/agent.pid",
    },
  },
];

/** Each file from its `plugin.puppet.<setting>` when set, else from the first layout installed here. */
export function puppetStateFiles(conf: Record<string, string> = {}): PuppetStateFiles {
  const layout = (LAYOUTS.find((l) => existsSync(l.marker)) ?? LAYOUTS[1]).files;
  const pick = (key: keyof PuppetStateFiles) => conf[key] || layout[key];
  return {
    lastrunfile: pick("lastrunfile"),
    resourcefile: pick("resourcefile"),
    agent_disabled_lockfile: pick("agent_disabled_lockfile"),
    agent_catalog_run_lockfile: pick("agent_catalog_run_lockfile"),
    pidfile: pick("pidfile"),
  };
}

type Section = Record<string, unknown>;

/** The file's text, or undefined when it does not exist; other read errors say which file. */
export async function readIfPresent(file: string, what: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`Cannot read Puppet ${what} ${file}: ${(err as Error).message}`);
  }
}

/** last_run_summary.yaml with missing sections and resource counters filled, as Puppet's agent manager does. */
export async function loadSummary(file: string): Promise<{ time: Section; resources: Section; version: Section }> {
  const text = await readIfPresent(file, "summary");
  const parsed: unknown = text === undefined ? {} : parseYaml(text);
  const doc = (parsed !== null && typeof parsed === "object" ? parsed : {}) as Record<string, unknown>;
  const section = (name: string): Section => {
    const value = doc[name];
    return value !== null && typeof value === "object" ? (value as Section) : {};
  };
  const resources = { failed: 0, changed: 0, corrective_change: 0, total: 0, restarted: 0, out_of_sync: 0, ...section("resources") };
  return { time: section("time"), resources, version: section("version") };
}

/** The unix time of the last completed run, 0 when unknown. */
export function lastRun(summary: { time: Section }): number {
  const value = Math.trunc(Number(summary.time.last_run ?? 0));
  return Number.isFinite(value) ? value : 0;
}
