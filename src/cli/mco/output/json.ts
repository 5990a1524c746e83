/** `--json` as mco prints it (pretty on a terminal, one line otherwise), and `--json-stats` with Choria's request_stats. */
import type { RpcResult, RpcStats } from "../../../client/index.js";
import { stringifyJson } from "../../../protocol/index.js";

/** The results array; `pretty` is JSON.pretty_generate's 2-space layout. */
export function formatJson(results: RpcResult[], pretty: boolean): string {
  return stringifyJson(results, pretty ? 2 : undefined) + "\n";
}

/** Results with the request statistics (times in seconds), in the shape of `choria req --json`. */
export function formatJsonWithStats(agent: string, action: string, results: RpcResult[], stats: RpcStats, pretty: boolean): string {
  const document = {
    agent,
    action,
    replies: results.map(({ sender, statuscode, statusmsg, data }) => ({ sender, statuscode, statusmsg, data })),
    request_stats: {
      requestid: stats.requestid,
      no_responses: stats.noResponse,
      unexpected_responses: stats.unexpected,
      discovered: stats.discovered.length,
      failed: stats.failed,
      ok: stats.ok,
      responses: stats.responded.length,
      publish_time: stats.publishTimeMs / 1000,
      request_time: stats.blockTimeMs / 1000,
      discover_time: stats.discoveryTimeMs / 1000,
      start_time_utc: Math.floor(stats.startTime.getTime() / 1000),
    },
  };
  return stringifyJson(document, pretty ? 2 : undefined) + "\n";
}
