/**
 * The daemon's log: `logfile` at `loglevel`, rotated by `max_log_size` keeping `keeplogs` files as the legacy
 * daemon's Ruby Logger did, or the console when no logfile is set. Logging never throws: a line the file refuses
 * (full disk, no permission, folder gone) goes to stderr and is counted, and the file says how many once it works again.
 */
import { appendFileSync, existsSync, renameSync, statSync } from "node:fs";
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

export interface LoggerOptions {
  file?: string;
  level: string;
  now?: () => Date;
  /** `keeplogs`: files kept in all, the current one included; 0 never rotates. */
  keep?: number;
  /** `max_log_size`: a file larger than this is rotated before the next line. */
  maxBytes?: number;
  /** Where lines go that the file refused (stderr by default). */
  fallback?: (text: string) => void;
}

/** A logger that also tells how many lines never reached its file. */
export interface CountingLogger extends Logger {
  /** Lines that could not be written to the log file (they went to the fallback instead). */
  lost(): number;
}

/** One line per event: `<ISO time> <LEVEL> <message>`; lines below the configured level are skipped. */
export function createLogger(opts: LoggerOptions): CountingLogger {
  const threshold = RANK[opts.level as LogLevel] ?? RANK.info;
  const now = opts.now ?? (() => new Date());
  const format = (level: LogLevel, msg: string) => `${now().toISOString()} ${level.toUpperCase()} ${msg}\n`;
  const fallback = opts.fallback ?? ((text: string) => process.stderr.write(text));
  if (!opts.fallback) ignoreBrokenPipes();
  const file = opts.file ? new LogFile(opts.file, opts.keep ?? 5, opts.maxBytes ?? 2_097_152) : undefined;
  let lost = 0;
  let unreported = 0;

  const write = (line: string): void => {
    if (!file) return safely(() => process.stdout.write(line));
    try {
      if (unreported > 0) file.append(format("warn", `${unreported} log line(s) could not be written to ${file.path} and went to stderr`));
      unreported = 0;
      file.append(line);
    } catch (err) {
      lost++;
      unreported++;
      // Straight to the fallback, never through this logger again: that is what failed.
      safely(() => fallback(unreported === 1 ? `${format("error", `cannot write ${file.path}: ${(err as Error).message}`)}${line}` : line));
    }
  };
  const log = (level: LogLevel, msg: string): void => {
    if (RANK[level] >= threshold) write(format(level, msg));
  };
  return {
    log,
    debug: (msg) => log("debug", msg),
    info: (msg) => log("info", msg),
    warn: (msg) => log("warn", msg),
    error: (msg) => log("error", msg),
    lost: () => lost,
  };
}

/** The logger a server.cfg asks for; `logger_type = console` forces the console. */
export function loggerFromConfig(config: Config): CountingLogger {
  const file = config.get("logger_type") === "console" ? undefined : config.get("logfile");
  return createLogger({ file: file || undefined, level: config.loglevel, keep: config.int("keeplogs", 5), maxBytes: config.int("max_log_size", 2_097_152) });
}

/** A log file appended line by line (so an outside logrotate that moves it is followed), rotated by size. */
class LogFile {
  constructor(
    readonly path: string,
    private readonly keep: number,
    private readonly maxBytes: number,
  ) {}

  append(line: string): void {
    if (this.keep > 0 && sizeOf(this.path) > this.maxBytes) this.rotate();
    appendFileSync(this.path, line);
  }

  /** Ruby Logger's shift: `file.N-1` ... `file.0` move up one (the oldest is overwritten), then `file` becomes `file.0`. */
  private rotate(): void {
    for (let i = this.keep - 3; i >= 0; i--) {
      if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    }
    renameSync(this.path, `${this.path}.0`);
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * A write to a closed stdout or stderr (the pipe or terminal that started the daemon is gone) fails with an 'error'
 * event that, unheard, ends the process; it has nowhere to be reported, so it is ignored.
 */
function ignoreBrokenPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (!stream.listeners("error").includes(ignore)) stream.on("error", ignore);
  }
}

function ignore(): void {}

function safely(write: () => unknown): void {
  try {
    write();
  } catch {
    // Nowhere left to write it.
  }
}
