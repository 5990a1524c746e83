/** One line per node with the sender right-aligned, as the package, service and puppet applications print them. */
import type { RpcResult } from "../../../client/index.js";
import type { Paint } from "./colour.js";

/**
 * `"%<w>s: %s"` with w = longest sender + 3: successes show `text(result)` (skipped when it returns undefined),
 * failures their status message in red.
 */
export function senderLines(results: RpcResult[], text: (r: RpcResult) => string | undefined, paint: Paint): string {
  if (results.length === 0) return "";
  const width = Math.max(...results.map((r) => r.sender.length)) + 3;
  let out = "";
  for (const result of results) {
    const line = result.statuscode === 0 ? text(result) : paint("red", result.statusmsg);
    // Ruby's puts adds no newline to a line that already ends with one.
    if (line !== undefined) out += `${result.sender.padStart(width)}: ${line}`.replace(/(?<!\n)$/, "\n");
  }
  return out;
}
