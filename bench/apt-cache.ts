/**
 * apt as an installed Debian server has it. Debian's container images turn off apt's binary package cache
 * (`Dir::Cache::pkgcache ""` in /etc/apt/apt.conf.d/docker-clean), so every `apt-mark` there rebuilds it from the
 * package lists: ~0.6 s of CPU, where a server with /var/cache/apt/pkgcache.bin spends a fraction of that. This
 * writes an APT_CONFIG that keeps the machine's settings but leaves the cache on, in a directory of its own under
 * the run's temporary root (removed with it; the machine's /var/cache/apt is not touched), and builds the cache once.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PARTS = "/etc/apt/apt.conf.d";
/** A setting that names no file for a cache turns that cache off. */
const CACHE_OFF = /Dir::Cache::(src)?pkgcache\s+""/;

/** The APT_CONFIG file to give the daemons; their apt programs then read and write the cache beside it. */
export function aptWithBinaryCache(): string {
  const dir = mkdtempSync(join(tmpdir(), "mcompat-bench-apt-"));
  const parts = join(dir, "apt.conf.d");
  mkdirSync(parts, { recursive: true });
  for (const name of readdirSync(PARTS)) {
    const file = join(PARTS, name);
    if (!CACHE_OFF.test(readFileSync(file, "utf8"))) copyFileSync(file, join(parts, name));
  }
  const config = join(dir, "apt.conf");
  // APT_CONFIG is read before the parts directory, so it can name another one.
  writeFileSync(config, [`Dir::Etc::parts "${parts}/";`, `Dir::Cache::pkgcache "${join(dir, "pkgcache.bin")}";`,
    `Dir::Cache::srcpkgcache "${join(dir, "srcpkgcache.bin")}";`, ""].join("\n"));
  execFileSync("apt-cache", ["gencaches"], { env: { ...process.env, APT_CONFIG: config }, stdio: "ignore" });
  return config;
}
