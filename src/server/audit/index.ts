/** Request auditing: the legacy `logfile` line or Choria's JSON lines, appended to `plugin.rpcaudit.logfile`. */
import { appendFileSync } from "node:fs";
import type { Config } from "../../config/index.js";
import { choriaLine } from "./choria.js";
import type { AuditEvent } from "./event.js";
import { logfileLine } from "./logfile.js";

export type { AuditEvent } from "./event.js";
export { logfileLine } from "./logfile.js";
export { choriaLine } from "./choria.js";
export { inspectRequestData, inspectValue } from "./ruby-inspect.js";

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

/** Appends one formatted line per request; a failed write is only logged, never thrown. */
export class FileAuditor implements Auditor {
  constructor(
    private readonly opts: { file: string; format: (e: AuditEvent, now: Date) => string; mode?: number; log?: Log; now?: () => number },
  ) {}

  audit(e: AuditEvent): void {
    const now = new Date(this.opts.now?.() ?? Date.now());
    try {
      appendFileSync(this.opts.file, this.opts.format(e, now), { mode: this.opts.mode ?? 0o600 });
    } catch (err) {
      this.opts.log?.("warn", `Audit failed - ${(err as Error).message} - continuing to process message`);
    }
  }
}

/** The auditor `rpcaudit`/`rpcauditprovider` ask for, or undefined when auditing is off. */
export function auditorFromConfig(config: Config, opts: { log?: Log; now?: () => number } = {}): Auditor | undefined {
  if (!config.bool("rpcaudit")) return undefined;
  const provider = config.string("rpcauditprovider").toLowerCase();
  const format = FORMATS[provider];
  if (!format) {
    opts.log?.("warn", `Unknown rpcauditprovider '${provider}': auditing is disabled (known: ${Object.keys(FORMATS).join(", ")})`);
    return undefined;
  }
  const plugin = config.pluginConf("rpcaudit");
  const mode = /^[0-7]{3,4}$/.test(plugin["logfile.mode"] ?? "") ? parseInt(plugin["logfile.mode"], 8) : 0o600;
  return new FileAuditor({ file: plugin.logfile || DEFAULT_AUDIT_LOGFILE, format, mode, ...opts });
}
