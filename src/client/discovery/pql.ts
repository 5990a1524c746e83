/** The PuppetDB query (PQL) that finds the nodes a filter selects, as Choria's puppetdb discovery writes it. */
import type { FactFilter, Filter } from "../../protocol/index.js";

/** A regex matching letters of either case, since PQL's `~` is case-sensitive and mco's matches were not. */
export function caseInsensitive(re: string): string {
  return re.replace(/[a-zA-Z]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
}

const quote = (s: string) => JSON.stringify(s);
const stripSlashes = (s: string) => s.replace(/^\/|\/$/g, "");
const isRegex = (s: string) => s.startsWith("/") && s.endsWith("/") && s.length > 1;

/** `foo::bar` → `Foo::Bar`: Puppet's Class resource titles. */
function classTitle(name: string): string {
  return name.split("::").map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join("::");
}

function identityQuery(identities: string[]): string | undefined {
  if (identities.length === 0) return undefined;
  const parts = identities.map((id) => {
    if (id.startsWith("pql:")) return `certname in ${id.slice(4).trim()}`;
    if (isRegex(id)) return `certname ~ ${quote(caseInsensitive(stripSlashes(id)))}`;
    return `certname = ${quote(id)}`;
  });
  return parts.join(" or ");
}

function classQuery(klass: string): string {
  if (isRegex(klass)) return `resources {type = "Class" and title ~ ${quote(caseInsensitive(stripSlashes(klass)))}}`;
  return `resources {type = "Class" and title = ${quote(classTitle(klass))}}`;
}

const SERVICE_AGENTS = new Set(["rpcutil", "scout", "choria_util", "discovery"]);

function agentQuery(agent: string): string {
  if (SERVICE_AGENTS.has(agent)) {
    return `resources {type = "Class" and title = "Choria::Service"} or resources {type = "Class" and title = "Mcollective::Service"}`;
  }
  if (isRegex(agent)) return `resources {type = "File" and tag ~ ${quote(`mcollective_agent_.*?${caseInsensitive(stripSlashes(agent))}.*?_server`)}}`;
  return `resources {type = "File" and tag = ${quote(`mcollective_agent_${agent}_server`)}}`;
}

function factQuery(f: FactFilter): string {
  const path = `facts.${f.fact}`;
  const plain = /^(-?\d+(\.\d+)?|true|false)$/.test(f.value);
  const equals = plain ? `${path} = ${f.value} or ${path} = ${quote(f.value)}` : `${path} = ${quote(f.value)}`;
  switch (f.operator) {
    case "=~":
      return `inventory {${path} ~ ${quote(caseInsensitive(stripSlashes(f.value)))}}`;
    case "==":
      return `inventory {${equals}}`;
    case "!=":
      return `!(inventory {${equals}})`;
    default:
      if (!/^-?\d+(\.\d+)?$/.test(f.value)) {
        throw new Error(`PuppetDB can only compare fact ${f.fact} ${f.operator} with a number, not '${f.value}'`);
      }
      return `inventory {${path} ${f.operator} ${f.value}}`;
  }
}

/** The PQL for a filter in a collective; deactivated nodes are listed too so the caller can drop them. */
export function nodeQuery(filter: Filter, collective: string): string {
  const parts = [
    `certname in inventory[certname] { facts.mcollective.server.collectives.match("\\d+") = ${quote(collective)} }`,
    identityQuery(filter.identity),
    ...filter.cf_class.map(classQuery),
    ...filter.agent.map(agentQuery),
    ...filter.fact.map(factQuery),
  ].filter((p): p is string => p !== undefined);
  return `nodes[certname, deactivated] { ${parts.map((p) => `(${p})`).join(" and ")} }`;
}
