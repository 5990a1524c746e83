/** The golden wire samples captured from a real legacy stack (`fixtures/wire/*.txt`), split into messages. */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** One published message of a sample: where it went and its exact layers. */
export interface GoldenMessage {
  file: string;
  subject: string;
  reply: string | null;
  /** Raw NATS payload bytes (L0) */
  payload: string;
  /** The secure layer JSON text (L2) */
  secure: string;
  /** The signed or hashed text (L3) */
  l3: string;
  /** The agent body (L4) */
  body: string;
}

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

const wireDir = join(repoRoot, "fixtures", "wire");
/** The certificates of the captured stack, so that the samples' signatures verify. */
export const wireCertsDir = join(wireDir, "certs");

/** Every message of every golden sample, in file order. */
export function goldenMessages(): GoldenMessage[] {
  return readdirSync(wireDir)
    .filter((f) => f.endsWith(".txt"))
    .sort()
    .flatMap((file) => parseSample(file, readFileSync(join(wireDir, file), "utf8")));
}

function parseSample(file: string, text: string): GoldenMessage[] {
  return text
    .split(/^={20,}$/m)
    .slice(1)
    .map((section) => {
      const lines = section.split("\n");
      const head = /^#\d+ subject=(\S+) reply=(\S+)/.exec(lines.find((l) => l.startsWith("#")) ?? "");
      if (!head) throw new Error(`${file}: a section without a "#n subject=" line`);
      const after = (marker: string): string => {
        const at = lines.findIndex((l) => l.startsWith(marker));
        if (at < 0) throw new Error(`${file}: no "${marker}" in a section`);
        return lines[at + 1];
      };
      return {
        file,
        subject: head[1],
        reply: head[2] === "nil" ? null : (JSON.parse(head[2]) as string),
        payload: after("--- [L0] raw NATS payload"),
        secure: after("--- [L2] base64-decoded transport.data"),
        l3: after("--- [L3] secure.message"),
        body: after("--- [L4] inner message"),
      };
    });
}
