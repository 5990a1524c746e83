/** NATS: the TLS connection, and the local nats-server launcher used by `mcompat broker`, the quickstart and tests. */
export { connectBroker, BrokerUnreachableError, RECONNECT } from "./connection.js";
export type { ConnectOptions, NatsConnection, Msg, Subscription } from "./connection.js";
export { startBroker, brokerConfig } from "./broker.js";
export type { BrokerOptions, RunningBroker } from "./broker.js";
export { NatsTransport, connectNats, natsSubject } from "./nats.js";
export { DeliveryQueue } from "./inbox.js";
export { FederatedTransport } from "./federated.js";
export { resolveSrv } from "./srv.js";
