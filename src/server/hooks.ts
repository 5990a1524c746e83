/** The AAA hooks of the pipeline, built from the config: authorization, audit, registration and data plugins. */
import type { Config } from "../config/index.js";
import type { SecurityCodec, Transport } from "../wire/index.js";
import { auditorFromConfig, type AuditEvent } from "./audit/index.js";
import { authorizerFromConfig, type AuthorizationRequest, type AuthorizationResult } from "./authz/index.js";
import { builtinDataPlugins } from "./data/index.js";
import { startRegistration } from "./registration/index.js";
import { RubyPluginHost } from "../shim/plugins.js";
import type { Logger, LogLevel } from "./logger.js";

export interface DataSource {
  names(): string[];
  query(plugin: string, query: string | null): Promise<Record<string, unknown> | undefined>;
}

export interface Hooks {
  authorize(req: AuthorizationRequest): AuthorizationResult;
  audit(entry: AuditEvent): void;
  reload(): void;
  data: DataSource;
  startRegistration(transport: Transport, codec: SecurityCodec, inventory: () => Record<string, unknown>): { stop(): void };
}

/** The hooks a server.cfg configures; an unconfigured hook allows, audits nothing, registers nothing. */
export function hooksFromConfig(config: Config, configDir: string, node: NodeState, log: Logger): Hooks {
  const shared = sharedHooks(config, configDir, log);
  return {
    authorize: shared.authorize,
    audit: shared.audit,
    reload: shared.reload,
    data: dataSourceFor(config, configDir, node),
    startRegistration: (transport, codec, inventory) =>
      startRegistration({
        config,
        publish: (dest, payload) => transport.publish(dest, payload, { replyTo: "dev.null", ttl: config.ttl }),
        encode: (request) => codec.encodeRequest(request),
        identity: config.identity,
        inventory,
        agents: node.agents,
        log: shared.say,
        ruby: shared.ruby,
      }),
  };
}

/**
 * The hooks that do not depend on which node asks (authorization judges the facts the request carries), so that
 * `mcompat emulate` reads the policies and opens the audit log once for all its nodes.
 */
export function sharedHooks(config: Config, configDir: string, log: Logger): SharedHooks {
  const say = (level: string, msg: string) => log.log(level as LogLevel, msg);
  const authorizer = authorizerFromConfig(config, configDir, say);
  // Started only when a Ruby audit or registration plugin is first used.
  const ruby = new RubyPluginHost(config.entries(), config.file, say);
  const auditor = auditorFromConfig(config, { log: say, ruby });
  return {
    say,
    ruby,
    authorize: (req) => authorizer?.authorize(req) ?? { allowed: true },
    audit: (entry) => auditor?.audit(entry),
    reload: () => authorizer?.reload(),
  };
}

/** One node's data plugins (`agent()`, `fstat()`, `puppet()`...), which read its own facts and agents. */
export function dataSourceFor(config: Config, configDir: string, node: NodeState): DataSource {
  const plugins = builtinDataPlugins({
    agents: node.agents,
    facts: node.facts,
    configDir,
    agentMetadata: node.agentMetadata,
    collectives: () => config.collectives,
    puppetConf: config.pluginConf("puppet"),
  });
  return {
    names: () => [...plugins.keys()],
    query: async (plugin, query) => plugins.get(plugin)?.query(query),
  };
}

export interface SharedHooks extends Pick<Hooks, "authorize" | "audit" | "reload"> {
  say: (level: string, msg: string) => void;
  ruby: RubyPluginHost;
}

/** What the hooks read of the node's live state. */
export interface NodeState {
  agents: () => string[];
  facts: () => Record<string, unknown>;
  agentMetadata: (agent: string) => Record<string, unknown> | undefined;
}
