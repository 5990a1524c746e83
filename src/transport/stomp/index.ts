/** STOMP transports (`activemq`, `rabbitmq`) for the legacy MCollective wire. */
import type { Transport } from "../../wire/types.js";
import type { StompSettings } from "./settings.js";
import { StompTransport, type StompConnectOptions } from "./transport.js";

export { stompConfigLines, stompSettingsFromConfig } from "./settings.js";
export type { StompSettings, StompBroker, StompTls, StompReconnect, StompConnector } from "./settings.js";
export { StompTransport } from "./transport.js";
export type { StompConnectOptions } from "./transport.js";
export type { Negotiated, LogFn } from "./link.js";

/**
 * Connects and resolves with the transport once a broker accepted the session. `daemon`: tries the pool forever
 * with back-off and restores subscriptions after every reconnect. `client`: rejects with BrokerUnreachableError
 * (naming the hosts tried) after `timeoutMs`.
 */
export async function connectStomp(settings: StompSettings, opts: StompConnectOptions): Promise<StompTransport & Transport> {
  const transport = new StompTransport(settings, opts);
  await transport.start();
  return transport;
}
