/** Where mcompat is installed: found by walking up from this module, so it holds whether the code runs from `dist/src/` or from a bundle. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "mcompat") return dir;
    if (dirname(dir) === dir) throw new Error(`mcompat's package.json was not found above ${start}`);
  }
}

/** The folder holding mcompat's package.json, `ddl/`, `compat/` and `fixtures/`. */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** mcompat's own version, as its package.json says. */
export const MCOMPAT_VERSION = (JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;
