/** `stdin` (`--dm stdin`): identities piped in, as text lines or JSON (e.g. another `mco rpc --json`'s output). */
import { ClientError } from "../options.js";
import { parseNodeList } from "./flatfile.js";
import { identityMatches, type DiscoveryMethod } from "./types.js";

/** Everything on standard input as text. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export const stdin: DiscoveryMethod = {
  name: "stdin",
  aliases: [],
  capabilities: ["identity"],
  timed: false,
  async discover(ctx) {
    if (process.stdin.isTTY) throw new ClientError("The stdin discovery method needs the node list piped in, not a terminal");
    const text = await readStdin();
    if (text.trim() === "") throw new ClientError("data piped on STDIN contained only whitespace - could not discover hosts from it.");
    return parseNodeList(text, "piped on STDIN").filter((name) => identityMatches(name, ctx.filter.identity));
  },
};
