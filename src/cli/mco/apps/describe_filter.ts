/** `mco describe_filter [filters]`: the checks that the given -F, -C and -S filters stand for, in words. */
import type { CompoundToken, Filter } from "../../../protocol/index.js";
import type { Application } from "../app.js";
import type { Session } from "../session.js";

const factCheck = (fact: string, operator: string, value: string) => `Check if fact '${fact}' ${operator} '${value}'`;
const classCheck = (name: string) => `Check if class '${name}' is present on the host`;

/** One -S token list as indented instructions, parentheses indenting what they enclose. */
function compoundLines(tokens: CompoundToken[]): string[] {
  const lines: string[] = [];
  const indents = ["  "];
  for (const token of tokens) {
    const indent = indents[indents.length - 1];
    if ("statement" in token) {
      const match = /^(.+?)(=~|<=|>=|!=|==|=|<|>)(.+)$/.exec(token.statement);
      lines.push(indent + (match ? factCheck(match[1], match[2], match[3]) : classCheck(token.statement)));
    } else if ("fstatement" in token) {
      const f = token.fstatement;
      const params = f.params ? ` with parameters (${f.params})` : "";
      lines.push(`${indent}Execute the Data Query '${f.name}'${params}. Check if the query's '${f.value ?? ""}' value ${f.operator} '${String(f.r_compare)}'  `);
    } else if ("(" in token) {
      lines.push(indent + "(");
      indents.push(indent + indent);
    } else if (")" in token) {
      if (indents.length > 1) indents.pop();
      lines.push(indents[indents.length - 1] + ")");
    } else if ("expr" in token) {
      lines.push(`${indent}Evaluate the expression ${token.expr}`);
    } else {
      lines.push(indent + Object.keys(token)[0].toUpperCase());
    }
  }
  return lines;
}

/** The description of a filter, section by section, as describe_filter prints it. */
export function describeFilter(filter: Filter): string {
  let text = "";
  if (filter.fact.length > 0) {
    text += "-F filter expands to the following fact comparisons:\n\n";
    text += filter.fact.map((f) => `  ${factCheck(f.fact, f.operator, f.value)}\n`).join("") + "\n";
  }
  if (filter.cf_class.length > 0) {
    text += "-C filter expands to the following class checks:\n\n";
    text += filter.cf_class.map((c) => `  ${classCheck(c)}\n`).join("") + "\n";
  }
  if (filter.compound.length > 0) {
    text += "-S Query expands to the following instructions:\n\n";
    text += compoundLines(filter.compound[0]).map((l) => l + "\n").join("") + "\n";
  }
  return text;
}

export const describeFilterApp: Application = {
  name: "describe_filter",
  description: "Display human readable interpretation of filters",
  usage: ["mco describe_filter -S <filter> -F <filter> -C <filter>"],
  options: [],
  sections: ["filters"],
  async run(session: Session): Promise<number> {
    session.io.stdout.write(describeFilter((await session.client()).filter));
    return 0;
  },
};
