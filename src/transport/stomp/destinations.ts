/** Destination names and header sets as the legacy `activemq` and `rabbitmq` connectors form them. */
import type { Destination, InboxSpec } from "../../wire/types.js";
import type { StompSettings } from "./settings.js";

/** One SUBSCRIBE: headers in legacy order (`destination` included where it belongs). */
export interface SubscribeTarget {
  destination: string;
  /** The subscription id (legacy sends it on 1.1; the library sends it always). */
  id: string;
  headers: Record<string, string>;
}

/** Where a reply inbox listens and what requests name as their reply-to. */
export interface InboxTarget {
  replyTo: string;
  /** Undefined when the broker delivers without a SUBSCRIBE (RabbitMQ temp queues). */
  subscribe?: SubscribeTarget;
}

export interface Naming {
  subscribeTarget(dest: Destination, identity: string): SubscribeTarget;
  /** SEND destination and the headers that go before it, in legacy order. */
  sendHeaders(dest: Destination, opts: { identity: string; replyTo?: string; ttl: number; now: number }): {
    destination: string;
    headers: Record<string, string>;
  };
  inboxTarget(spec: InboxSpec, identity: string, pid: number): InboxTarget;
}

export function namingFor(settings: StompSettings): Naming {
  return settings.connector === "activemq" ? activemqNaming(settings) : rabbitmqNaming(settings);
}

function activemqNaming(settings: StompSettings): Naming {
  const agentTopic = (c: string, agent: string) => (settings.agentsMultiplex ? `/topic/${c}.agents` : `/topic/${c}.${agent}.agent`);
  const destinationOf = (dest: Destination) =>
    dest.kind === "node" ? `/queue/${dest.collective}.nodes` : dest.kind === "agent" ? agentTopic(dest.collective, dest.agent) : dest.target;
  return {
    subscribeTarget(dest, identity): SubscribeTarget {
      const destination = destinationOf(dest);
      if (dest.kind === "node") {
        // Every node shares one queue; the JMS selector picks this node's messages.
        return {
          destination,
          id: `${dest.collective}_directed_to_identity`,
          headers: { selector: `mc_identity = '${identity}'`, destination },
        };
      }
      return { destination, id: destination, headers: { destination } };
    },
    sendHeaders(dest, { identity, replyTo, ttl, now }) {
      const secs = Math.floor(now / 1000);
      const headers: Record<string, string> = {};
      if (settings.priority > 0) headers.priority = String(settings.priority);
      headers.timestamp = String(secs * 1000);
      // JMS expiry: absolute epoch ms, ten seconds past the ttl.
      headers.expires = String((secs + ttl + 10) * 1000);
      if (replyTo !== undefined && dest.kind !== "reply") headers["reply-to"] = replyTo;
      if (dest.kind === "node") headers.mc_identity = dest.identity;
      headers.mc_sender = identity;
      return { destination: destinationOf(dest), headers };
    },
    inboxTarget(spec, identity, pid) {
      const destination = `/queue/${spec.collective}.reply.${identity}_${pid}.${spec.seq}`;
      return { replyTo: destination, subscribe: { destination, id: destination, headers: { destination } } };
    },
  };
}

function rabbitmqNaming(settings: StompSettings): Naming {
  const destinationOf = (dest: Destination) =>
    dest.kind === "node"
      ? `/exchange/${dest.collective}_directed/${dest.identity}`
      : dest.kind === "agent"
        ? settings.agentsMultiplex
          ? `/exchange/${dest.collective}_broadcast`
          : `/exchange/${dest.collective}_broadcast/${dest.agent}`
        : dest.target;
  return {
    subscribeTarget(dest, identity): SubscribeTarget {
      if (dest.kind === "node") {
        const destination = `/exchange/${dest.collective}_directed/${identity}`;
        return { destination, id: `${dest.collective}_${identity}_directed_to_identity`, headers: { destination } };
      }
      const destination = destinationOf(dest);
      const id =
        dest.kind === "agent"
          ? settings.agentsMultiplex
            ? `${dest.collective}_broadcast`
            : `${dest.collective}_broadcast_${dest.agent}`
          : destination;
      return { destination, id, headers: { destination } };
    },
    sendHeaders(dest, { identity, replyTo, ttl }) {
      const headers: Record<string, string> = {};
      if (replyTo !== undefined && dest.kind !== "reply") headers["reply-to"] = replyTo;
      // RabbitMQ's per-message TTL is relative, in ms.
      headers.expiration = String((ttl + 10) * 1000);
      headers.mc_sender = identity;
      return { destination: destinationOf(dest), headers };
    },
    inboxTarget(spec, identity, pid) {
      if (settings.useReplyExchange) {
        const destination = `/exchange/mcollective_reply/${identity}_${pid}_${spec.seq}`;
        return { replyTo: destination, subscribe: { destination, id: `mcollective_${spec.agent}_replies`, headers: { destination } } };
      }
      // RabbitMQ makes a private queue per name on first use in a reply-to and delivers to it unasked.
      return { replyTo: `/temp-queue/mcollective_reply_${spec.agent}` };
    },
  };
}
