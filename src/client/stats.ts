/** What happened during one request: who was asked, who answered, how long each phase took. */

export interface RpcStats {
  requestid: string;
  agent: string;
  action: string;
  /** Nodes the request was meant for, after limits. */
  discovered: string[];
  responded: string[];
  noResponse: string[];
  unexpected: string[];
  ok: number;
  failed: number;
  /** Replies dropped (bad hash, wrong request id, duplicates), with reasons. */
  rejected: Array<{ sender?: string; reason: string }>;
  /** False when discovery was skipped (plain `-I` names). */
  discoveryPerformed: boolean;
  discoveryMethod: string;
  discoveryTimeMs: number;
  publishTimeMs: number;
  /** From the first publish to the last reply or the timeout, batch sleeps included. */
  blockTimeMs: number;
  totalTimeMs: number;
  startTime: Date;
  /** True when nothing was sent because nothing was discovered. */
  noRequestSent: boolean;
}

/** mco's exit code for an RPC run (mco-client.md A.7). */
export function haltCode(stats: RpcStats): number {
  const discovered = stats.discovered.length;
  const responses = stats.responded.length;
  if (!stats.discoveryPerformed && responses === 0) return 4;
  if (discovered > 0 && responses === 0) return 3;
  if (discovered > 0 && stats.failed > 0) return 2;
  if (discovered === 0) return 1;
  return 0;
}

/** Stats before anything happened: no nodes, no replies, zero times. */
export function emptyStats(agent: string, action: string): RpcStats {
  return {
    requestid: "",
    agent,
    action,
    discovered: [],
    responded: [],
    noResponse: [],
    unexpected: [],
    ok: 0,
    failed: 0,
    rejected: [],
    discoveryPerformed: true,
    discoveryMethod: "",
    discoveryTimeMs: 0,
    publishTimeMs: 0,
    blockTimeMs: 0,
    totalTimeMs: 0,
    startTime: new Date(),
    noRequestSent: false,
  };
}
