/**
 * `mco puppet runall N`: start Puppet runs on every enabled node while keeping at most N applying at once, as
 * mco's Puppetrunner does: trigger nodes until N are tracked, sleep a second, poll puppet#status, and let a node
 * go when its last run is newer than the run it was asked for, after 5 polls without it starting, or after 5
 * polls it did not answer. Unlike mco, a node that stays "applying" past `stuckAfterSec` is given up too, so the
 * loop always ends.
 */

/** The puppet agent as the runner needs it; the application backs it with the RPC client. */
export interface PuppetFleet {
  /** Nodes whose puppet#status says enabled, sorted. */
  enabledNodes(): Promise<string[]>;
  /** puppet#status of `hosts`: the data of every successful reply, by sender. */
  status(hosts: string[]): Promise<Map<string, Record<string, unknown>>>;
  /** puppet#runonce with force on one node; undefined when it did not answer. */
  runonce(host: string): Promise<{ statuscode: number; statusmsg: string; data: Record<string, unknown> } | undefined>;
}

export interface RunnerOptions {
  concurrency: number;
  log: (message: string) => void;
  sleep: (ms: number) => Promise<void>;
  /** Unix seconds now; the runner measures how long a node has been applying with it. */
  now: () => number;
  /** Give up on a node still applying after this long (default one hour). */
  stuckAfterSec?: number;
}

interface Tracked {
  name: string;
  initiatedAt: number;
  checks: number;
  noResponse: number;
  /** When this runner first saw the node applying. */
  applyingSince?: number;
}

const MAX_CHECKS = 5;

/** One runall pass over the enabled nodes; resolves when every node was started or given up on. */
export async function runAll(fleet: PuppetFleet, opts: RunnerOptions): Promise<void> {
  if (!(opts.concurrency > 0)) throw new Error("The concurrency for the runall command has to be greater than 0");
  opts.log(`Running all nodes with a concurrency of ${opts.concurrency}`);
  opts.log("Discovering enabled Puppet nodes to manage");
  const hosts = await fleet.enabledNodes();
  opts.log(`Found ${hosts.length} enabled ${hosts.length === 1 ? "node" : "nodes"}`);
  const pending = [...hosts];
  const givenUp = new Set<string>();
  let running = await refresh(fleet, pending, [], givenUp, opts);
  while (pending.length > 0) {
    for (const host of [...pending]) {
      if (running.length >= opts.concurrency) break;
      if (running.some((t) => t.name === host)) continue;
      running.push({ name: host, initiatedAt: await runHost(fleet, host, opts.log), checks: 0, noResponse: 0 });
      pending.splice(pending.indexOf(host), 1);
    }
    await opts.sleep(1000);
    running = await refresh(fleet, hosts, running, givenUp, opts);
    for (const host of givenUp) if (pending.includes(host)) pending.splice(pending.indexOf(host), 1);
  }
  opts.log(`Iteration complete. Initiated a Puppet run on ${hosts.length} nodes.`);
}

/** Asks one node to run now; returns when it says the run was initiated (0 if unknown). */
async function runHost(fleet: PuppetFleet, host: string, log: (m: string) => void): Promise<number> {
  const reply = await fleet.runonce(host);
  if (!reply) {
    log(`${host} did not return a result`);
    return 0;
  }
  log(`${host} schedule status: ${reply.statuscode === 0 ? String(reply.data.summary ?? "") : reply.statusmsg}`);
  return Number(reply.data.initiated_at ?? 0) || 0;
}

/** Polls the status of `hosts` and returns the nodes still counted as running. */
async function refresh(fleet: PuppetFleet, hosts: string[], running: Tracked[], givenUp: Set<string>, opts: RunnerOptions): Promise<Tracked[]> {
  const wanted = hosts.filter((h) => !givenUp.has(h));
  const statuses = wanted.length > 0 ? await fleet.status(wanted) : new Map<string, Record<string, unknown>>();
  const stuckAfter = opts.stuckAfterSec ?? 3600;
  const kept: Tracked[] = [];
  const drop = (host: string, why: string) => {
    opts.log(`Host ${host} ${why}. Skipping.`);
    givenUp.add(host);
  };
  for (const host of wanted) {
    const tracked = running.find((t) => t.name === host) ?? { name: host, initiatedAt: 0, checks: 0, noResponse: 0 };
    const data = statuses.get(host);
    if (!data) {
      opts.log(`Host ${host} did not respond to the status action.`);
      tracked.noResponse++;
      if (tracked.noResponse >= MAX_CHECKS) drop(host, "failed to respond multiple times");
      else kept.push(tracked);
      continue;
    }
    if (data.applying === true) {
      tracked.applyingSince ??= opts.now();
      if (opts.now() - tracked.applyingSince > stuckAfter) drop(host, `is still applying after ${stuckAfter} seconds`);
      else kept.push(tracked);
      continue;
    }
    if (Number(data.lastrun ?? 0) >= tracked.initiatedAt) continue;
    tracked.checks++;
    if (tracked.checks >= MAX_CHECKS) drop(host, "did not move into an applying state");
    else kept.push(tracked);
  }
  return kept;
}
