/** Legacy MCollective / Choria configuration: parsing, typed access, file locations, broker hosts. */
export { Config } from "./config.js";
export { ConfigError, parseConfigText, parseBool } from "./parse.js";
export type { ConfigEntry } from "./parse.js";
export { KNOWN_KEYS } from "./keys.js";
export { loadConfig, findConfigFile } from "./load.js";
export { configCandidates } from "./locate.js";
export type { ConfigRole } from "./locate.js";
export { federationMiddlewareHosts, identityDomain, middlewareHosts, parseBrokerAddress, srvDomain } from "./middleware.js";
export { federationCollectives } from "./federation.js";
export type { BrokerAddress, SrvResolver } from "./middleware.js";
