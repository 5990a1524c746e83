/** Pool settings: explicit options first, then plugin.mcompat.ruby.* config keys, then defaults (pure). */

export interface PoolSettings {
  size: number; maxQueue: number; recycleAfter: number; maxMemoryMb: number; perAgent: number; startTimeoutSec: number; ruby: string; preload: string[];
  idleTimeoutSec: number;
}

export interface PoolSettingOptions {
  config: Record<string, string>;
  size?: number; maxQueue?: number; recycleAfter?: number; maxMemoryMb?: number; perAgent?: number; startTimeoutSec?: number; ruby?: string;
  preload?: string[]; idleTimeoutSec?: number;
}

/** The config keys, for docs and error messages. */
export const POOL_KEYS = {
  size: "plugin.mcompat.ruby.workers",
  maxQueue: "plugin.mcompat.ruby.max_queue",
  recycleAfter: "plugin.mcompat.ruby.recycle_after",
  maxMemoryMb: "plugin.mcompat.ruby.max_memory",
  perAgent: "plugin.mcompat.ruby.per_agent",
  startTimeoutSec: "plugin.mcompat.ruby.start_timeout",
  ruby: "plugin.mcompat.ruby.command",
  preload: "plugin.mcompat.ruby.preload",
  idleTimeoutSec: "plugin.mcompat.ruby.idle_timeout",
} as const;

function whole(config: Record<string, string>, key: string): number | undefined {
  const raw = config[key];
  if (raw === undefined || raw.trim() === "") return undefined;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) throw new Error(`${key} must be a whole number of at least 1, not '${raw}'`);
  return Number(raw);
}

/** A comma-separated list; undefined when the key is not set. */
function list(raw: string | undefined): string[] | undefined {
  return raw?.split(",").map((item) => item.trim()).filter((item) => item !== "");
}

/** Resolves every setting; `cores` is the machine's parallelism. Throws naming the key when a config value is not a number. */
export function poolSettings(opts: PoolSettingOptions, cores: number): PoolSettings {
  const c = opts.config;
  // Actions mostly wait on subprocesses (package managers, service tools, Puppet): twice the cores keep the CPUs busy.
  const size = opts.size ?? whole(c, POOL_KEYS.size) ?? Math.max(4, cores * 2);
  return {
    size,
    maxQueue: opts.maxQueue ?? whole(c, POOL_KEYS.maxQueue) ?? 100,
    // A worker that stays warm serves faster than a new fork; leaks are caught by maxMemoryMb, not by retiring early.
    recycleAfter: opts.recycleAfter ?? whole(c, POOL_KEYS.recycleAfter) ?? 10_000,
    // Workers hold 5-20 MB of their own pages serving the bundled agents; one far past that is leaking.
    maxMemoryMb: opts.maxMemoryMb ?? whole(c, POOL_KEYS.maxMemoryMb) ?? 256,
    // While other agents wait, one agent holds at most this many, so its long actions cannot starve the rest.
    perAgent: Math.max(1, opts.perAgent ?? whole(c, POOL_KEYS.perAgent) ?? size - 1),
    startTimeoutSec: opts.startTimeoutSec ?? whole(c, POOL_KEYS.startTimeoutSec) ?? 60,
    ruby: opts.ruby ?? c[POOL_KEYS.ruby] ?? "ruby",
    // Puppet is what Puppet-backed agents share and the slowest library to load and set up: the parent does it once.
    preload: opts.preload ?? list(c[POOL_KEYS.preload]) ?? ["puppet", "puppet_settings"],
    // The workers a burst forked go once it is over, as Node gives back its heap (src/server/idle-release.ts); one stays.
    idleTimeoutSec: opts.idleTimeoutSec ?? whole(c, POOL_KEYS.idleTimeoutSec) ?? 10,
  };
}
