/** One compound `statement`: a fact comparison (`country=uk`, `mem>=1024`, `os=/deb/`) or a class (`role::web`, `/^role/`). */
import type { FactFilter } from "../protocol/types.js";
import { slashed } from "./regex.js";

export type Statement = { kind: "fact"; rule: FactFilter } | { kind: "class"; name: string };

const FACT_STATEMENT = /^([^=<>!~\s]+)\s*(=~|==|!=|<=|>=|=>|=<|=|<|>)\s*(.*)$/s;
const SPELLINGS: Record<string, FactFilter["operator"]> = { "=": "==", "=>": ">=", "=<": "<=" };

/** Reads a statement the way the legacy client writes it; a text without an operator names a class. */
export function parseStatement(text: string): Statement {
  const trimmed = text.trim();
  const match = FACT_STATEMENT.exec(trimmed);
  if (!match || slashed(trimmed) !== undefined) return { kind: "class", name: trimmed };
  const [, fact, op, raw] = match;
  const value = unquote(raw.trim());
  let operator = SPELLINGS[op] ?? (op as FactFilter["operator"]);
  if (operator === "==" && slashed(value) !== undefined) operator = "=~";
  return { kind: "fact", rule: { fact, operator, value } };
}

function unquote(value: string): string {
  const quoted = /^(["'])(.*)\1$/s.exec(value);
  return quoted ? quoted[2].replace(/\\(.)/g, "$1") : value;
}
