/**
 * The federation broker (protocol.md §8.3): takes federated requests from the federation network, delivers them into
 * its member networks and routes the replies back. Every subscription is in a queue group, so instances share the
 * work and any one of them can stop: replies carry their way home, whichever instance forwarded the request.
 */
import { ProtocolError, federationReplySubject, federationSubject, replyToRequester, requestIntoCollective, type Hop } from "../protocol/index.js";
import { connectBroker, type NatsConnection, type Subscription } from "../transport/index.js";
import type { Logger } from "../server/logger.js";
import type { FederationSettings, MemberNetwork } from "./settings.js";

export interface FederationStats {
  requests: number;
  replies: number;
  dropped: number;
}

export class FederationBroker {
  readonly stats: FederationStats = { requests: 0, replies: 0, dropped: 0 };
  private readonly subs: Subscription[] = [];

  private constructor(
    private readonly settings: FederationSettings,
    private readonly federation: NatsConnection,
    private readonly members: Map<string, NatsConnection>,
    private readonly log: Logger,
  ) {}

  /** Connects to the federation network and every member network (waiting for each), subscribes, and says so. */
  static async start(settings: FederationSettings, log: Logger): Promise<FederationBroker> {
    const connect = (brokers: MemberNetwork["brokers"], side: string) =>
      connectBroker({ brokers, tls: settings.tls, name: `${settings.identity}:${side}`, mode: "daemon" });
    const federation = await connect(settings.federation, "federation");
    const members = new Map<string, NatsConnection>();
    for (const member of settings.members) members.set(member.name, await connect(member.brokers, member.name));
    const broker = new FederationBroker(settings, federation, members, log);
    await broker.subscribe();
    log.info(`federation broker ${settings.identity} joins ${settings.members.map((m) => m.name).join(", ")} to the federation network at ${federation.getServer()}`);
    return broker;
  }

  private async subscribe(): Promise<void> {
    for (const [name, member] of this.members) {
      this.subs.push(
        this.federation.subscribe(federationSubject(name), { queue: `${name}_federation`, callback: (err, msg) => void (err || this.forwardRequest(name, member, msg.data)) }),
        member.subscribe(federationReplySubject(name), { queue: `${name}_collective`, callback: (err, msg) => void (err || this.forwardReply(name, member, msg.data)) }),
      );
    }
    // Announced only once the brokers hold every subscription, so nothing sent after "joins" is missed.
    await Promise.all([this.federation, ...this.members.values()].map((nc) => nc.flush()));
  }

  private forwardRequest(network: string, member: NatsConnection, data: Uint8Array): void {
    const hop: Hop = [this.federation.getServer(), this.settings.identity, member.getServer()];
    this.safely(`request for ${network}`, () => {
      const { requestid, targets, payload } = requestIntoCollective(data, network, hop);
      for (const target of targets) member.publish(target, payload);
      this.stats.requests++;
      this.log.debug(`federated request ${requestid} delivered into ${network}: ${targets.length} target(s)`);
    });
  }

  private forwardReply(network: string, member: NatsConnection, data: Uint8Array): void {
    const hop: Hop = [member.getServer(), this.settings.identity, this.federation.getServer()];
    this.safely(`reply from ${network}`, () => {
      const { subject, payload } = replyToRequester(data, hop);
      this.federation.publish(subject, payload);
      this.stats.replies++;
    });
  }

  /** A message that is not well-formed federation is dropped with a line saying why; the broker carries on. */
  private safely(what: string, forward: () => void): void {
    try {
      forward();
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      this.stats.dropped++;
      this.log.warn(`dropped a ${what}: ${err.message}`);
    }
  }

  /** Stops taking messages, forwards what was already taken, then disconnects: a stopping instance loses nothing. */
  async stop(): Promise<void> {
    await Promise.all(this.subs.map((sub) => sub.drain().catch(() => undefined)));
    const conns = [this.federation, ...this.members.values()];
    await Promise.all(conns.map((nc) => nc.flush().catch(() => undefined)));
    await Promise.all(conns.map((nc) => nc.close()));
    this.log.info(`federation broker ${this.settings.identity} stopped: ${this.stats.requests} request(s), ${this.stats.replies} reply(ies) forwarded, ${this.stats.dropped} dropped`);
  }
}
