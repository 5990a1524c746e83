/**
 * mco's client log: the console logger's `<level> YYYY/MM/DD HH:MM:SS: <origin> <message>` on stderr, or a line
 * appended to `logfile` when the config says `logger_type = file` and names one; below `loglevel` nothing is written.
 */
import { appendFileSync } from "node:fs";
import type { Config } from "../../../config/index.js";
import { strftime } from "../../../ruby/index.js";
import type { Colour, Paint } from "./colour.js";
import type { Out } from "../session.js";

export type ClientLogLevel = "debug" | "info" | "warn" | "error" | "fatal";

const RANK: Record<ClientLogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, fatal: 4 };
const COLOUR: Partial<Record<ClientLogLevel, Colour>> = { info: "green", warn: "yellow", error: "red", fatal: "red" };

export type ClientLog = (level: ClientLogLevel, origin: string, message: string) => void;

/** Ruby's `Time#strftime("%Y/%m/%d %H:%M:%S")` in local time. */
export function logTime(t: Date): string {
  return strftime(t, "%Y/%m/%d %H:%M:%S");
}

export function clientLog(config: Config, stderr: Out, paint: Paint, now: () => Date = () => new Date()): ClientLog {
  const threshold = RANK[config.loglevel as ClientLogLevel] ?? RANK.info;
  const logfile = config.get("logger_type") === "file" ? config.get("logfile") : undefined;
  return (level, origin, message) => {
    if (RANK[level] < threshold) return;
    if (logfile) appendFileSync(logfile, `${now().toISOString()} ${level.toUpperCase()} ${origin} ${message}\n`);
    else stderr.write(`${COLOUR[level] ? paint(COLOUR[level], level) : level} ${logTime(now())}: ${origin} ${message}\n`);
  };
}
