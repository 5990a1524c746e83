/** Node side of the Ruby workers that run legacy MCollective agents. */
export { WorkerPool } from "./pool.js";
export { POOL_KEYS } from "./settings.js";
export type { AgentCall, AgentProbe, WorkerPoolOptions } from "./pool.js";
export type { AgentFiles, LogLevel, Logger } from "./parent.js";
export { bundledAgents, BUNDLED_LIBDIR } from "./bundled.js";
export { forgeModule, writeForgeModule, writeForgeModules, writeForgeRelease, type AgentPlugin, type ForgeOptions } from "./forge.js";
export { pluginFromFolder } from "./forge-sources.js";
export { rubyPluginFacts } from "./facts.js";
