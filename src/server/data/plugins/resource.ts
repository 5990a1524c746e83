/** `resource`: statistics of the last Puppet run and whether Puppet manages a given resource. */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { dataDdl } from "../ddl.js";
import type { DataPluginFactory } from "../plugin.js";

const ddl = dataDdl({
  metadata: {
    name: "resource",
    description: "Information about Puppet managed resources",
    author: "R.I.Pienaar <rip@devco.net>",
    license: "ASL 2.0",
    version: "1.1",
    url: "http://puppetlabs.com/",
    timeout: 1,
  },
  description: "Puppet Managed Resources",
  query: { prompt: "Resource Name", description: "Valid resource name", type: "string", validation: "puppet_resource", optional: true, maxlength: 120 },
  outputs: {
    managed: { description: "Is the resource managed", display_as: "Managed", default: false },
    out_of_sync_resources: { description: "Resources that were not in desired state", display_as: "Out of Sync Resources", default: -1 },
    failed_resources: { description: "Resources that failed to apply", display_as: "Failed Resources", default: -1 },
    changed_resources: { description: "Resources that were changed", display_as: "Changed Resources", default: -1 },
    total_resources: { description: "Total resources managed on a node", display_as: "Total Resources", default: 0 },
    total_time: { description: "Total time taken to retrieve and process the catalog", display_as: "Total Time", default: 0 },
    config_retrieval_time: { description: "Time taken to retrieve the catalog from the master", display_as: "Config Retrieval Time", default: -1 },
    lastrun: { description: "When the Agent last applied a catalog in local time", display_as: "Last Run", default: 0 },
    since_lastrun: { description: "How long ago did the Agent last apply a catalog in local time", display_as: "Since Last Run", default: "Unknown" },
    config_version: { description: "Puppet config version for the previously applied catalog", display_as: "Config Version", default: null },
  },
});

// Where Puppet keeps its state: AIO packages first, then Debian's puppet-agent, then old Puppet 3.
const SUMMARY_FILES = [
  "/opt/puppetlabs/puppet/cache/state/last_run_summary.yaml",
  "/var/cache/puppet/public/last_run_summary.yaml",
  "/var/lib/puppet/state/last_run_summary.yaml",
];
const RESOURCE_FILES = [
  "/opt/puppetlabs/puppet/cache/state/resources.txt",
  "/var/cache/puppet/state/resources.txt",
  "/var/lib/puppet/state/resources.txt",
];

type Section = Record<string, unknown>;

/** Reads `plugin.puppet.lastrunfile` / `plugin.puppet.resourcefile`, else the first of Puppet's usual locations. */
export const resource: DataPluginFactory = (ctx) => ({
  name: "resource",
  ddl,
  async query(arg) {
    const summaryFile = ctx.puppetConf?.lastrunfile ?? firstExisting(SUMMARY_FILES);
    const summary = await loadSummary(summaryFile);
    const managed = arg ? await managingResource(arg, ctx.puppetConf?.resourcefile ?? firstExisting(RESOURCE_FILES)) : false;
    const lastrun = Math.trunc(Number(summary.time.last_run ?? 0));
    return {
      managed,
      out_of_sync_resources: summary.resources.out_of_sync ?? 0,
      failed_resources: summary.resources.failed ?? 0,
      changed_resources: summary.resources.changed ?? 0,
      total_resources: summary.resources.total ?? 0,
      total_time: summary.time.total ?? 0,
      config_retrieval_time: summary.time.config_retrieval ?? 0,
      lastrun,
      since_lastrun: Math.floor((ctx.now?.() ?? Date.now()) / 1000) - lastrun,
      config_version: summary.version.config ?? "unknown",
    };
  },
});

function firstExisting(files: string[]): string {
  return files.find((f) => existsSync(f)) ?? files[0];
}

// A missing file reads as an empty summary; missing sections and counters are filled as Puppet's manager does.
async function loadSummary(file: string): Promise<{ time: Section; resources: Section; version: Section }> {
  let parsed: unknown = {};
  try {
    parsed = parseYaml(await readFile(file, "utf8")) ?? {};
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`Cannot read Puppet summary ${file}: ${(err as Error).message}`);
  }
  const doc = (parsed !== null && typeof parsed === "object" ? parsed : {}) as Record<string, unknown>;
  const section = (name: string): Section => {
    const value = doc[name];
    return value !== null && typeof value === "object" ? (value as Section) : {};
  };
  const resources = { failed: 0, changed: 0, corrective_change: 0, total: 0, restarted: 0, out_of_sync: 0, ...section("resources") };
  return { time: section("time"), resources, version: section("version") };
}

// `File[/srv/www]` is looked up as `file[/srv/www]`, the form Puppet writes to resources.txt.
async function managingResource(name: string, resourcesFile: string): Promise<boolean> {
  const m = /^(.+?)\[(.+)\]$/.exec(name);
  if (!m) throw new Error(`Invalid resource name ${name}`);
  let text = "";
  try {
    text = await readFile(resourcesFile, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`Cannot read Puppet resources ${resourcesFile}: ${(err as Error).message}`);
  }
  return text.split("\n").includes(`${m[1].toLowerCase()}[${m[2]}]`);
}
