/** The daemon that replaces mcollectived: `Server.start({configFile})`, then `reload()` on SIGHUP and `stop()` on SIGTERM. */
export { Server } from "./daemon.js";
export type { ServerOptions } from "./daemon.js";
export { createLogger, loggerFromConfig } from "./logger.js";
export type { Logger } from "./logger.js";
