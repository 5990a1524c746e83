/** Data plugins (`fstat`, `sysctl`, `agent`, `puppet`, `resource`, `fact`, `collective`) for `-S` filters, rpcutil get_data and policies. */
import { DdlError, validateInputs, type Ddl } from "../../ddl/index.js";
import type { DataContext, DataPlugin, DataPluginFactory } from "./plugin.js";
import { agent } from "./plugins/agent.js";
import { collective } from "./plugins/collective.js";
import { fact } from "./plugins/fact.js";
import { fstat } from "./plugins/fstat.js";
import { puppet } from "./plugins/puppet.js";
import { resource } from "./plugins/resource.js";
import { sysctl } from "./plugins/sysctl.js";

export type { DataContext, DataPlugin, DataPluginFactory } from "./plugin.js";

export { sysctlPlugin } from "./plugins/sysctl.js";

/** The bundled plugins; adding one is adding a file under plugins/ and a line here. */
const BUILTIN: DataPluginFactory[] = [agent, collective, fact, fstat, puppet, resource, sysctl];

/** Every bundled data plugin by name, bound to this server's state, each checking its argument against its DDL. */
export function builtinDataPlugins(ctx: DataContext): Map<string, DataPlugin> {
  return new Map(BUILTIN.map((factory) => checked(factory(ctx))).map((plugin) => [plugin.name, plugin]));
}

/**
 * Wraps a plugin so that a query argument the DDL refuses rejects with a DdlError (statuscode 4, missing or invalid),
 * and a query still running after the DDL's timeout rejects saying so, its work aborted.
 */
export function checked(plugin: DataPlugin): DataPlugin {
  const query = plugin.ddl.dataquery;
  const asAction: Ddl = { ...plugin.ddl, actions: query ? { query } : {} };
  return {
    ...plugin,
    async query(arg) {
      if (!query?.inputs.query) {
        if (arg !== null) throw new DdlError(`No data plugin argument was declared in the ${plugin.name} DDL but an input was supplied`, 4, "query");
      } else if (arg !== null || !query.inputs.query.optional) {
        validateInputs(asAction, "query", arg === null ? {} : { query: arg });
      }
      return withDeadline(plugin, arg);
    },
  };
}

async function withDeadline(plugin: DataPlugin, arg: string | null): Promise<Record<string, unknown>> {
  const seconds = plugin.ddl.metadata.timeout || 1;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`data plugin ${plugin.name} timed out after ${seconds}s`);
      controller.abort(err);
      reject(err);
    }, seconds * 1000);
  });
  try {
    return await Promise.race([plugin.query(arg, controller.signal), overrun]);
  } finally {
    clearTimeout(timer);
  }
}
