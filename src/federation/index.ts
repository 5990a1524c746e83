/** Federation of member networks (protocol.md §8.3): the broker that joins them, and its settings. */
export { FederationBroker } from "./broker.js";
export type { FederationStats } from "./broker.js";
export { federationSettings } from "./settings.js";
export type { FederationSettings, MemberNetwork } from "./settings.js";
