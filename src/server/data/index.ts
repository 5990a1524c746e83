/** Data plugins (`fstat`, `sysctl`, `agent`, `resource`, `fact`, `collective`) for `-S` filters, rpcutil get_data and policies. */
import type { DataContext, DataPlugin, DataPluginFactory } from "./plugin.js";
import { agent } from "./plugins/agent.js";
import { collective } from "./plugins/collective.js";
import { fact } from "./plugins/fact.js";
import { fstat } from "./plugins/fstat.js";
import { resource } from "./plugins/resource.js";
import { sysctl } from "./plugins/sysctl.js";

export type { DataContext, DataPlugin, DataPluginFactory } from "./plugin.js";

export { sysctlPlugin } from "./plugins/sysctl.js";

/** The bundled plugins; adding one is adding a file under plugins/ and a line here. */
const BUILTIN: DataPluginFactory[] = [agent, collective, fact, fstat, resource, sysctl];

/** Every bundled data plugin by name, bound to this server's state. */
export function builtinDataPlugins(ctx: DataContext): Map<string, DataPlugin> {
  return new Map(BUILTIN.map((factory) => factory(ctx)).map((plugin) => [plugin.name, plugin]));
}
