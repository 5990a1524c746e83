/** `mco plugin doc`: a DDL rendered with the layout of MCollective's help templates (rpc, data, discovery, metadata). */
import type { ActionDdl, Ddl, InputDdl, OutputDdl } from "./model.js";
import { rubyToS } from "../ruby/index.js";

/** The text `mco plugin doc <plugin>` prints for this DDL, chosen by its plugin type. */
export function renderDoc(ddl: Ddl): string {
  const meta = metadataDoc(ddl);
  if (ddl.pluginType === "agent") return meta + "\n" + agentDoc(ddl);
  if (ddl.pluginType === "data") return meta + "\n" + dataDoc(ddl.dataquery);
  if (ddl.pluginType === "discovery") return meta + "\n" + discoveryDoc(ddl.capabilities ?? []);
  return meta;
}

function metadataDoc(ddl: Ddl): string {
  const m = ddl.metadata;
  const name = rubyToS(m.name);
  let text = `${name}\n${"=".repeat(name.length)}\n\n${rubyToS(m.description)}\n\n`;
  text += `      Author: ${rubyToS(m.author)}\n     Version: ${rubyToS(m.version)}\n     License: ${rubyToS(m.license)}\n`;
  text += `     Timeout: ${rubyToS(m.timeout)}\n   Home Page: ${rubyToS(m.url)}\n`;
  if (ddl.requires?.mcollective) text += `\n   Requires MCollective ${ddl.requires.mcollective} or newer\n`;
  if (ddl.usage) text += `\n${alignText(ddl.usage, 80, 3)}\n`;
  return text;
}

function agentDoc(ddl: Ddl): string {
  const names = Object.keys(ddl.actions).sort();
  let text = `ACTIONS:\n========\n   ${names.join(", ")}\n\n`;
  for (const name of names) text += actionDoc(ddl.actions[name]);
  return text;
}

function actionDoc(a: ActionDdl): string {
  let text = `   ${a.name} action:\n   ${"-".repeat(a.name.length + 8)}\n       ${a.description}\n\n       INPUT:\n`;
  const inputs = Object.keys(a.inputs).sort();
  if (inputs.length === 0) text += "          This action does not have any inputs\n";
  for (const name of inputs) text += `           ${name}:\n${inputLines(a.inputs[name], true)}\n`;
  text += "\n       OUTPUT:\n";
  for (const name of Object.keys(a.outputs).sort()) text += outputDoc(name, a.outputs[name], true);
  return text;
}

function inputLines(i: InputDdl, withOptional: boolean): string {
  let text = `              Description: ${i.description}\n                   Prompt: ${i.prompt}\n                     Type: ${i.type}\n`;
  if (withOptional) text += `                 Optional: ${i.optional}\n`;
  if (i.type === "string") text += `               Validation: ${i.validation ?? ""}\n                   Length: ${i.maxlength ?? ""}\n`;
  else if (i.type === "list") text += `             Valid Values: ${(i.list ?? []).map((v) => rubyToS(v)).join(", ")}\n`;
  if (truthy(i.default)) text += `            Default Value: ${rubyToS(i.default)}\n`;
  return text;
}

function outputDoc(name: string, o: OutputDdl, withDefault: boolean): string {
  let text = `           ${name}:\n              Description: ${o.description}\n               Display As: ${o.display_as}\n`;
  if (withDefault && truthy(o.default)) text += `            Default Value: ${rubyToS(o.default)}\n`;
  return text + "\n";
}

function dataDoc(query: ActionDdl | undefined): string {
  let text = "QUERY FUNCTION INPUT:\n\n";
  const input = query?.inputs.query;
  text += input ? inputLines(input, false) : "    This plugin does not take any input\n";
  text += "\nQUERY FUNCTION OUTPUT:\n\n";
  for (const name of Object.keys(query?.outputs ?? {}).sort()) text += outputDoc(name, query!.outputs[name], false);
  return text;
}

const CAPABILITY_TEXT: Array<[string, string]> = [
  ["Filter based on configuration management classes", "classes"],
  ["Filter based on system facts", "facts"],
  ["Filter based on mcollective identity", "identity"],
  ["Filter based on mcollective agents", "agents"],
  ["Compound filters combining classes and facts", "compound"],
];

function discoveryDoc(capabilities: string[]): string {
  return "DISCOVERY METHOD CAPABILITIES:\n" + CAPABILITY_TEXT.filter(([, cap]) => capabilities.includes(cap)).map(([text]) => `      ${text}\n`).join("") + "\n";
}

/** Ruby's truthiness: only nil and false are false (0 and "" are true). */
function truthy(v: unknown): boolean {
  return v !== undefined && v !== null && v !== false;
}

/** MCollective's `Util.align_text`: wraps at `cols` columns and indents every line by `preamble` spaces. */
function alignText(source: string, cols: number, preamble: number): string {
  const width = cols - preamble;
  const lines = source.split("\n");
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  let piece = "";
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    let indent = /^ */.exec(line)![0].length;
    if (piece !== "") {
      if (indent >= width) indent = 0;
      if (lines[i + 1] !== undefined && line === " ".repeat(indent)) lines.splice(i + 1, 0, "");
      line = line.slice(0, indent) + `${piece} ` + line.slice(indent);
    }
    piece = "";
    if (line.length > width + preamble) {
      const cut = line.lastIndexOf(" ", width);
      if (cut >= 0) {
        piece = line.slice(cut).trimStart();
        line = line.slice(0, cut);
      }
    }
    if (piece !== "" && lines[i + 1] === undefined) {
      lines[i + 1] = " ".repeat(indent) + piece;
      piece = "";
    }
    lines[i] = " ".repeat(preamble) + line;
  }
  return lines.join("\n");
}
