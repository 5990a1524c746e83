/** Per-node result blocks in mco's layouts: normal (DDL-driven), verbose (`-v`), and without a DDL. */
import type { RpcResult } from "../../../client/index.js";
import type { Paint } from "./colour.js";
import { rubyInspect, rubyPretty } from "../../../ruby/index.js";

/** The part of an action's DDL that decides what is shown and how it is labelled. */
export interface ActionView {
  display: "always" | "ok" | "failed" | string;
  outputs: Record<string, { display_as?: string }>;
}

export type DisplayMode = "ok" | "failed" | "all";

const STATUS_TEXT: Record<number, [string, "red" | "yellow"] | undefined> = {
  1: ["Request Aborted", "red"],
  2: ["Unknown Action", "yellow"],
  3: ["Missing Request Data", "yellow"],
  4: ["Invalid Request Data", "yellow"],
  5: ["Unknown Request Status", "red"],
};

/** Whether a result is shown under a display mode (`--display` wins over the DDL's). */
export function shouldDisplay(result: RpcResult, ddlDisplay: string, override?: DisplayMode): boolean {
  const mode = override === "all" ? "always" : (override ?? ddlDisplay);
  if (mode === "ok") return result.statuscode === 0;
  if (mode === "failed") return result.statuscode > 0;
  return true;
}

/** One result as `mco rpc` prints it with a DDL: status line, message, then right-aligned labels. */
export function resultBlock(result: RpcResult, action: ActionView | undefined, paint: Paint): string {
  const status = STATUS_TEXT[result.statuscode];
  let text = `${result.sender.padEnd(40)} ${status ? paint(status[1], status[0]) : ""}\n`;
  if (result.statusmsg !== "OK") text += `   ${paint("yellow", result.statusmsg)}\n`;
  if (result.statuscode === 0) text += dataLines(result.data, action);
  return text + "\n";
}

function dataLines(data: unknown, action: ActionView | undefined): string {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return `\n\t${rubyInspect(data)}\n`;
  const record = data as Record<string, unknown>;
  const keys = Object.keys(record);
  const label = (k: string) => action?.outputs[k]?.display_as || k;
  const width = Math.max(0, ...keys.map((k) => label(k).length));
  let text = "";
  for (const key of [...keys].sort()) {
    const name = label(key);
    const padding = width - name.length + 3;
    text += `${" ".repeat(padding)}${name}:`;
    const value = record[key];
    if (typeof value === "string" || typeof value === "number") {
      const lines = String(value).split("\n");
      if (lines.length === 1 && lines[0] === "") text += "\n";
      else text += lines.map((line, i) => (i === 0 ? " " : " ".repeat(padding + name.length + 2)) + line).join("\n") + "\n";
    } else {
      text += " " + rubyPretty(value).split("\n").join("\n" + " ".repeat(width + 5)) + "\n";
    }
  }
  return text;
}

/** `-v` (and mco's fallback without a DDL): every reply, message after a colon, data as a Ruby hash. */
export function verboseBlock(result: RpcResult): string {
  let text = `${result.sender.padEnd(40)}: ${result.statusmsg}\n`;
  if (result.statuscode <= 1) text += `${rubyPretty(result.data, true).split("\n").map((l) => `    ${l}`).join("\n")}\n\n`;
  else if (result.statuscode >= 5) text += `    ${result.statusmsg}`;
  return text;
}

/** Without a DDL and without `-v`, mco shows only failures, one line each. */
export function noDdlBlock(result: RpcResult, paint: Paint): string {
  return result.statuscode === 0 ? "" : `${result.sender.padEnd(40)} ${paint("red", result.statusmsg)}\n`;
}

export interface ResultsLayout {
  verbose: boolean;
  action?: ActionView;
  display?: DisplayMode;
  paint: Paint;
}

/** The text of one result under the chosen layout ("" when it is not displayed). */
export function formatResult(result: RpcResult, layout: ResultsLayout): string {
  if (layout.verbose) return verboseBlock(result);
  if (!layout.action) return noDdlBlock(result, layout.paint);
  return shouldDisplay(result, layout.action.display, layout.display) ? resultBlock(result, layout.action, layout.paint) : "";
}

/** The whole results section as printrpc prints it: a blank line, the blocks, a blank line. */
export function formatResults(results: RpcResult[], layout: ResultsLayout): string {
  return "\n" + results.map((r) => formatResult(r, layout)).join("") + "\n";
}
