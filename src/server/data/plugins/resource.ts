/** `resource`: statistics of the last Puppet run and whether Puppet manages a given resource. */
import { dataDdl } from "../ddl.js";
import type { DataPluginFactory } from "../plugin.js";
import { lastRun, loadSummary, puppetStateFiles, readIfPresent } from "./puppet-state.js";

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

/** Reads the files `plugin.puppet.lastrunfile` / `resourcefile` name, else those of Puppet's usual layout. */
export const resource: DataPluginFactory = (ctx) => ({
  name: "resource",
  ddl,
  async query(arg) {
    const files = puppetStateFiles(ctx.puppetConf);
    const summary = await loadSummary(files.lastrunfile);
    const lastrun = lastRun(summary);
    return {
      managed: arg ? await managingResource(arg, files.resourcefile) : false,
      out_of_sync_resources: summary.resources.out_of_sync,
      failed_resources: summary.resources.failed,
      changed_resources: summary.resources.changed,
      total_resources: summary.resources.total,
      total_time: summary.time.total ?? 0,
      config_retrieval_time: summary.time.config_retrieval ?? 0,
      lastrun,
      since_lastrun: Math.floor((ctx.now?.() ?? Date.now()) / 1000) - lastrun,
      config_version: summary.version.config ?? "unknown",
    };
  },
});

// `File[/srv/www]` is looked up as `file[/srv/www]`, the form Puppet writes to resources.txt.
async function managingResource(name: string, resourcesFile: string): Promise<boolean> {
  const m = /^(.+?)\[(.+)\]$/.exec(name);
  if (!m) throw new Error(`Invalid resource name ${name}`);
  const text = (await readIfPresent(resourcesFile, "resources")) ?? "";
  return text.split("\n").includes(`${m[1].toLowerCase()}[${m[2]}]`);
}
