/** The daemon's log: `logfile` at `loglevel`, or the console when no logfile is set. */
import { appendFileSync } from "node:fs";
import type { Config } from "../config/index.js";

export type LogLevel = "debug" | "info" | "warn" | "error";

const RANK: Record<LogLevel | "fatal", number> = { debug: 0, info: 1, warn: 2, error: 3, fatal: 4 };

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  log(level: LogLevel, msg: string): void;
}

/** One line per event: `<ISO time> <LEVEL> <message>`; lines below the configured level are skipped. */
export function createLogger(opts: { file?: string; level: string; now?: () => Date }): Logger {
  const threshold = RANK[opts.level as LogLevel] ?? RANK.info;
  const now = opts.now ?? (() => new Date());
  const log = (level: LogLevel, msg: string): void => {
    if (RANK[level] < threshold) return;
    const line = `${now().toISOString()} ${level.toUpperCase()} ${msg}\n`;
    if (opts.file) appendFileSync(opts.file, line);
    else process.stdout.write(line);
  };
  return {
    log,
    debug: (msg) => log("debug", msg),
    info: (msg) => log("info", msg),
    warn: (msg) => log("warn", msg),
    error: (msg) => log("error", msg),
  };
}

/** The logger a server.cfg asks for; `logger_type = console` forces the console. */
export function loggerFromConfig(config: Config): Logger {
  const file = config.get("logger_type") === "console" ? undefined : config.get("logfile");
  return createLogger({ file: file || undefined, level: config.loglevel });
}
