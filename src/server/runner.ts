/** Picks who runs this node's Ruby agents: the shim's WorkerPool, or nobody when there are none. */
import type { Config } from "../config/index.js";
import { WorkerPool } from "../shim/index.js";
import type { AppServices } from "../shim/requests.js";
import type { Logger } from "./logger.js";
import type { LoadedAgent } from "./registry.js";
import type { RubyRunner } from "./ruby.js";

/** A pool of long-lived Ruby workers for the Ruby agents found; no Ruby process at all when there are none. */
export function rubyRunnerFor(
  config: Config,
  configFile: string,
  agents: LoadedAgent[],
  log: Logger,
  facts: () => Record<string, unknown>,
  requests?: AppServices,
): RubyRunner {
  if (agents.length === 0) {
    return {
      probe: async () => ({ loaded: [], failed: [] }),
      call: async (c) => ({ statuscode: 5, statusmsg: `agent ${c.agent} is not a Ruby agent on this node`, data: {} }),
      queryData: async () => undefined,
      stop: async () => undefined,
    };
  }
  return new WorkerPool({
    configFile,
    config: config.entries(),
    agents: agents.map((a) => ({ agent: a.name, rb: a.rb!, ddl: a.ddlFile })),
    log: (level, msg) => log.log(level, msg),
    facts,
    requests,
  });
}
