/** Parsing of actionpolicy policy files and the groups file, line by line as the legacy plugin reads them. */

export type Log = (level: string, msg: string) => void;

/** One `allow|deny` line; `classes` is absent for the 4-field (compound) form. */
export interface PolicyRule {
  effect: "allow" | "deny";
  callers: string;
  actions: string;
  facts: string;
  classes?: string;
}

/** One `<agent>.policy` file: lines in order, since a `policy default` line only counts when no rule matched. */
export interface PolicyFile {
  file: string;
  /** The last `policy default` seen: true for allow, false for anything else; undefined when absent. */
  defaultAllow?: boolean;
  rules: PolicyRule[];
}

const SKIPPED_LINE = /^(#.*|\s*)$/;
const DEFAULT_LINE = /^policy\s+default\s+(\w+)/;
// Hard TABs between 4 or 5 fields, exactly the legacy expression (its last field is the final group 6).
const RULE_LINE = /^(allow|deny)\t+(.+?)\t+(.+?)\t+(.+?)(\t+(.+?))*$/;
const GROUP_NAME = /^[\w.-]+$/;

/** Parses the text of one policy file; lines that are not comments, a default or a rule are logged and skipped. */
export function parsePolicy(text: string, file: string, log: Log): PolicyFile {
  const policy: PolicyFile = { file, rules: [] };
  for (const line of splitLines(text)) {
    if (SKIPPED_LINE.test(line)) continue;
    const dflt = DEFAULT_LINE.exec(line);
    if (dflt) {
      policy.defaultAllow = dflt[1] === "allow";
      continue;
    }
    const rule = RULE_LINE.exec(line);
    if (rule) {
      policy.rules.push({
        effect: rule[1] as "allow" | "deny",
        callers: rule[2],
        actions: rule[3],
        facts: rule[4],
        ...(rule[6] !== undefined ? { classes: rule[6] } : {}),
      });
      continue;
    }
    log("warn", `Cannot parse policy ${file} line: ${line}`);
  }
  return policy;
}

/** Parses the groups file: `groupname callerid callerid ...` per line, groups with no members ignored. */
export function parseGroups(text: string, file: string, log: Log): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const line of splitLines(text)) {
    if (SKIPPED_LINE.test(line)) continue;
    const [name, ...members] = line.trim().split(/\s+/);
    if (!GROUP_NAME.test(name)) {
      log("warn", `Group file ${file} line '${line}' is not in the expected format of 'group_name caller_id caller_id caller_id'`);
      continue;
    }
    if (members.length > 0) groups.set(name, members);
  }
  return groups;
}

// A CRLF file reads as if it had plain newlines.
function splitLines(text: string): string[] {
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}
