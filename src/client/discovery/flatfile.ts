/** `flatfile` (`--nodes FILE`, `--dm flatfile --do file=FILE`): one identity per line, or a JSON list. */
import { ClientError } from "../options.js";
import { discoveryOption, identityMatches, readDiscoveryFile, type DiscoveryMethod } from "./types.js";

const VALID_IDENTITY = /^[\w.-]+$/;

/** The identities in a node list: text (`#` comments and blank lines skipped) or JSON (names or objects with sender/certname). */
export function parseNodeList(text: string, file: string): string[] {
  const trimmed = text.trim();
  let names: string[];
  if (trimmed.startsWith("[")) {
    const parsed = JSON.parse(trimmed) as unknown[];
    names = parsed.map((item) => {
      if (typeof item === "string") return item;
      const record = item as { sender?: string; certname?: string };
      return record?.sender ?? record?.certname ?? "";
    });
  } else {
    names = text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
  }
  for (const name of names) {
    if (!VALID_IDENTITY.test(name)) {
      throw new ClientError(`Identity '${name}' in the discovery file ${file} is not a valid identity (letters, digits, _ . - only)`);
    }
  }
  return [...new Set(names)];
}

export const flatfile: DiscoveryMethod = {
  name: "flatfile",
  aliases: ["file"],
  capabilities: ["identity"],
  timed: false,
  async discover(ctx) {
    const file = discoveryOption(ctx.options, "file", true);
    if (!file) throw new ClientError("The flatfile discovery method needs a file: --nodes FILE or --do file=FILE");
    return parseNodeList(readDiscoveryFile(file, "the discovery file"), file).filter((name) => identityMatches(name, ctx.filter.identity));
  },
};
