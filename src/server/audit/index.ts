/** Request auditing: the legacy `logfile` line or Choria's JSON lines, appended to `plugin.rpcaudit.logfile`. */
import { appendFileSync, chownSync, readFileSync } from "node:fs";
import type { Config } from "../../config/index.js";
import { rubyPluginFile, type RubyPluginHost } from "../../shim/plugins.js";
import { choriaLine } from "./choria.js";
import type { AuditEvent } from "./event.js";
import { logfileLine } from "./logfile.js";

export type { AuditEvent } from "./event.js";
export { logfileLine } from "./logfile.js";
export { choriaLine } from "./choria.js";
export { inspectRequestData } from "../../ruby/index.js";

export interface Auditor {
  audit(e: AuditEvent): void;
}

export type Log = (level: string, msg: string) => void;

/** Audit formats by `rpcauditprovider` name; adding one is adding a line. */
const FORMATS: Record<string, (e: AuditEvent, now: Date) => string> = {
  logfile: logfileLine,
  choria: choriaLine,
};

export const DEFAULT_AUDIT_LOGFILE = "/var/log/puppetlabs/mcollective/mcollective-audit.log";

export interface FileAuditorOptions {
  file: string;
  format: (e: AuditEvent, now: Date) => string;
  /** Permissions when the file is created (0600 unless given). */
  mode?: number;
  /** Group the file is given after the first write (`plugin.rpcaudit.logfile.group`). */
  gid?: number;
  log?: Log;
  now?: () => number;
}

/** Appends one formatted line per request; a failed write is only logged, never thrown. */
export class FileAuditor implements Auditor {
  private grouped = false;

  constructor(private readonly opts: FileAuditorOptions) {}

  audit(e: AuditEvent): void {
    const now = new Date(this.opts.now?.() ?? Date.now());
    try {
      appendFileSync(this.opts.file, this.opts.format(e, now), { mode: this.opts.mode ?? 0o600 });
      if (this.opts.gid !== undefined && !this.grouped) {
        this.grouped = true;
        chownSync(this.opts.file, -1, this.opts.gid);
      }
    } catch (err) {
      this.opts.log?.("warn", `Audit failed - ${(err as Error).message} - continuing to process message`);
    }
  }
}

/** The auditor `rpcaudit`/`rpcauditprovider` ask for, or undefined when auditing is off. */
export function auditorFromConfig(config: Config, opts: { log?: Log; now?: () => number; ruby?: RubyPluginHost } = {}): Auditor | undefined {
  if (!config.bool("rpcaudit")) return undefined;
  const provider = config.string("rpcauditprovider").toLowerCase();
  const format = FORMATS[provider];
  // A site's own audit plugin (MCollective::RPC::<Name> in <libdir>/mcollective/audit/<name>.rb) runs in Ruby.
  if (!format && opts.ruby && rubyPluginFile(config.libdirs, "audit", provider)) {
    const ruby = opts.ruby;
    return { audit: (e) => ruby.audit(provider, { ...e }) };
  }
  if (!format) {
    opts.log?.("warn", `Unknown rpcauditprovider '${provider}': auditing is disabled (known: ${Object.keys(FORMATS).join(", ")})`);
    return undefined;
  }
  const plugin = config.pluginConf("rpcaudit");
  const mode = /^[0-7]{3,4}$/.test(plugin["logfile.mode"] ?? "") ? parseInt(plugin["logfile.mode"], 8) : 0o600;
  const group = plugin["logfile.group"];
  const gid = group ? groupId(group) : undefined;
  if (group && gid === undefined) opts.log?.("warn", `Audit log group '${group}' is not a known group; the file keeps its default group`);
  return new FileAuditor({ file: plugin.logfile || DEFAULT_AUDIT_LOGFILE, format, mode, gid, ...opts });
}

// A numeric gid, or a group name looked up in /etc/group.
function groupId(group: string, groupFile = "/etc/group"): number | undefined {
  if (/^\d+$/.test(group)) return Number(group);
  try {
    const line = readFileSync(groupFile, "utf8").split("\n").find((l) => l.split(":")[0] === group);
    return line ? Number(line.split(":")[2]) : undefined;
  } catch {
    return undefined;
  }
}
