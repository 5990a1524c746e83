/** Debian's Puppet for tests: `puppet apply` into a temporary root with its own confdir, vardir and Hiera data. */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { stringify } from "yaml";

const CANDIDATES = ["/opt/puppetlabs/bin/puppet", "/usr/bin/puppet"];

/** The puppet program; a missing one fails the test with what to install. */
export function puppetBinary(): string {
  const found = CANDIDATES.find((path) => existsSync(path));
  if (!found) throw new Error(`puppet not found at ${CANDIDATES.join(" or ")}: install Debian's puppet-agent (bash scripts/ensure-deps.sh)`);
  return found;
}

export interface ApplyResult {
  /** --detailed-exitcodes: 0 nothing changed, 2 changes, 4 or 6 failures. */
  code: number;
  output: string;
}

/** Runs `puppet apply -e <manifest>` with `hiera` as the only Hiera data; Puppet's own state stays in a temporary folder. */
export async function puppetApply(opts: { modulepath: string[]; hiera: Record<string, unknown>; certname: string; manifest: string; args?: string[] }): Promise<ApplyResult> {
  const state = mkdtempSync(join(tmpdir(), "mcompat-puppet-state-"));
  const data = join(state, "data");
  mkdirSync(data);
  writeFileSync(join(data, "common.yaml"), stringify(opts.hiera));
  const hieraConfig = join(state, "hiera.yaml");
  writeFileSync(hieraConfig, stringify({ version: 5, defaults: { datadir: data, data_hash: "yaml_data" }, hierarchy: [{ name: "test", path: "common.yaml" }] }));
  const dirs = ["confdir", "vardir", "codedir", "logdir", "rundir", "publicdir"].flatMap((setting) => [`--${setting}`, join(state, setting)]);
  const r = await execa(puppetBinary(), ["apply", "--detailed-exitcodes", "--color=false", "--modulepath", opts.modulepath.join(":"),
    "--hiera_config", hieraConfig, "--certname", opts.certname, ...dirs, ...(opts.args ?? []), "-e", opts.manifest], { reject: false, all: true });
  // Facter in containers complains about /proc/1/environ on every run; it changes nothing.
  const output = String(r.all).split("\n").filter((line) => !/Facter: Permission denied/.test(line)).join("\n");
  return { code: r.exitCode ?? -1, output };
}
