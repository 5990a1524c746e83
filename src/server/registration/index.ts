/** Periodic registration: signed requests to agent `registration`, every `registerinterval` seconds. */
import type { Config } from "../../config/index.js";
import { emptyFilter, newRequestId } from "../../protocol/index.js";
import { rubyPluginFile, type RubyPluginHost } from "../../shim/plugins.js";
import type { Destination, OutboundRequest } from "../../wire/index.js";
import { PROVIDERS, type RegistrationItem } from "./providers.js";

export { PROVIDERS } from "./providers.js";
export type { RegistrationProvider, RegistrationItem, ProviderContext } from "./providers.js";

export interface RegistrationOptions {
  config: Config;
  publish: (dest: Destination, payload: Uint8Array | string) => void;
  /** Signs a request with the node's security plugin. */
  encode: (request: OutboundRequest) => Uint8Array | string;
  identity: string;
  inventory: () => Record<string, unknown>;
  /** Loaded agent names for the legacy Agentlist body; defaults to the names in `inventory().agents`. */
  agents?: () => string[];
  log?: (level: string, msg: string) => void;
  /** Unix milliseconds. */
  now?: () => number;
  /** Serves registration plugins written in Ruby (`<libdir>/mcollective/registration/<name>.rb`). */
  ruby?: RubyPluginHost;
}

/** Starts publishing; a no-op when `registerinterval` is 0 or `registration` names nothing known. */
export function startRegistration(opts: RegistrationOptions): { stop(): void } {
  const { config } = opts;
  const log = opts.log ?? (() => undefined);
  const interval = config.int("registerinterval", 0);
  const names = config.list("registration").map((n) => n.toLowerCase());
  const ruby = opts.ruby;
  const inRuby = (n: string) => ruby !== undefined && !PROVIDERS[n] && rubyPluginFile(config.libdirs, "registration", n) !== undefined;
  for (const name of names.filter((n) => !PROVIDERS[n] && !inRuby(n))) log("warn", `Unknown registration plugin '${name}' ignored (known: ${Object.keys(PROVIDERS).join(", ")})`);
  const known = names.filter((n) => PROVIDERS[n] || inRuby(n));
  if (interval <= 0 || known.length === 0) return { stop: () => undefined };

  const ctx = { config, inventory: opts.inventory, agents: opts.agents ?? (() => agentNames(opts.inventory())) };
  const rubyPoll = (name: string) => async (): Promise<RegistrationItem> => ({ body: await ruby!.registrationBody(name) });
  const polls = known.map((name) => ({ name, poll: PROVIDERS[name] ? PROVIDERS[name](ctx) : rubyPoll(name) }));
  const collective = targetCollective(config, log);
  const now = opts.now ?? Date.now;

  const publishAll = async () => {
    for (const { name, poll } of polls) {
      try {
        const item = await poll();
        const dest: Destination = item.target ? { kind: "reply", target: item.target } : { kind: "agent", collective, agent: "registration" };
        opts.publish(dest, encode(item, collective));
      } catch (err) {
        log("error", `Sending ${name} registration message failed: ${(err as Error).message}`);
      }
    }
  };

  const encode = (item: RegistrationItem, target: string) =>
    opts.encode({
      requestid: newRequestId(),
      senderid: opts.identity,
      filter: { ...emptyFilter(), agent: ["registration"] },
      collective: target,
      agent: "registration",
      ttl: config.ttl,
      time: Math.floor(now() / 1000),
      message: item.body,
      replyTo: "dev.null",
    });

  // registration_splay spreads a fleet's first messages over one interval.
  const delay = config.bool("registration_splay") ? Math.floor(Math.random() * interval * 1000) : 0;
  if (delay > 0) log("debug", `registration_splay enabled. Registration will start in ${Math.round(delay / 1000)} seconds`);
  let repeat: NodeJS.Timeout | undefined;
  const first = setTimeout(() => {
    void publishAll();
    repeat = setInterval(() => void publishAll(), interval * 1000);
    repeat.unref();
  }, delay);
  first.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(repeat);
    },
  };
}

// registration_collective must be one of ours, else the main collective is used.
function targetCollective(config: Config, log: (level: string, msg: string) => void): string {
  const main = config.mainCollective;
  const wanted = config.get("registration_collective") || main;
  if (config.collectives.includes(wanted)) return wanted;
  log("warn", `Sending registration to ${main}: ${wanted} is not a valid collective`);
  return main;
}

function agentNames(inventory: Record<string, unknown>): string[] {
  const agents = Array.isArray(inventory.agents) ? inventory.agents : [];
  return agents.map((a) => (typeof a === "string" ? a : String((a as Record<string, unknown>)?.agent ?? (a as Record<string, unknown>)?.name ?? "")));
}
