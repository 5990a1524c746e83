/** Named validators (`:validation => :shellsafe`): a registry of plain functions returning an error text or undefined. */
import { isIpv4, isIpv6 } from "./ip.js";

/** Checks one value; returns MCollective's failure text, or undefined when the value passes. */
export type Validator = (value: unknown) => string | undefined;

const SHELL_UNSAFE = ["`", "$", ";", "|", "&&", ">", "<"];

function shellsafe(value: unknown): string | undefined {
  if (typeof value !== "string") return "value should be a String";
  const bad = SHELL_UNSAFE.find((chr) => value.includes(chr));
  return bad === undefined ? undefined : `value should not have ${bad} in it`;
}

/** Ruby typecheck by DDL type name; undefined for a type name it does not know. */
export function typeMatches(value: unknown, type: string): boolean | undefined {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return (typeof value === "number" && Number.isInteger(value)) || typeof value === "bigint";
    case "float":
    case "number":
      return (typeof value === "number" && Number.isFinite(value)) || typeof value === "bigint";
    case "boolean":
      return typeof value === "boolean";
    case "hash":
    case "Hash":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "array":
    case "Array":
      return Array.isArray(value);
    case "any":
    case "":
      return true;
    default:
      return undefined;
  }
}

function typecheck(type: string): Validator {
  return (value) => (typeMatches(value, type) ? undefined : `value should be a ${type}`);
}

/** Puppet's rule for environment and tag names: one letter, or letters, digits and underscores. */
function puppetVariable(value: unknown): string | undefined {
  const unsafe = shellsafe(value);
  if (unsafe) return unsafe;
  const s = value as string;
  const ok = s.length === 1 ? /^[a-zA-Z]$/.test(s) : /^[a-zA-Z0-9_]+$/.test(s);
  return ok ? undefined : `Invalid variable name '${s}' specified`;
}

function puppetTags(value: unknown): string | undefined {
  const unsafe = shellsafe(value);
  if (unsafe) return unsafe;
  for (const tag of (value as string).split(",")) {
    for (const part of tag.trim().split("::")) {
      const bad = puppetVariable(part);
      if (bad) return bad;
    }
  }
  return undefined;
}

const HOSTNAME = /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** `host`, `host:port`, an IPv4 or IPv6 address, or `[ipv6]:port`. */
function puppetServerAddress(value: unknown): string | undefined {
  const unsafe = shellsafe(value);
  if (unsafe) return unsafe;
  const s = value as string;
  let host = s;
  let port: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(s);
  if (bracketed) {
    [, host, port] = bracketed;
    if (!isIpv6(host)) return `The hostname '${host}' is not a valid hostname`;
  } else if (!isIpv6(s) && s.includes(":")) {
    host = s.slice(0, s.lastIndexOf(":"));
    port = s.slice(s.lastIndexOf(":") + 1);
  }
  if (!bracketed && !isIpv6(host) && !isIpv4(host) && !HOSTNAME.test(host)) return `The hostname '${host}' is not a valid hostname`;
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    return `The port '${port}' is not a valid puppet master port`;
  }
  return undefined;
}

function matching(re: RegExp, what: string): Validator {
  return (value) => (typeof value === "string" && re.test(value) ? undefined : `${String(value)} is not a valid ${what}`);
}

/**
 * Validators known without Ruby: MCollective's own, the type names, and those of the package, service and puppet agents.
 * A validator added here is one entry; anything else is a plugin the server asks Ruby about.
 */
export const NAMED_VALIDATORS: Readonly<Record<string, Validator>> = {
  shellsafe,
  ipv4address: (v) => (typeof v === "string" && isIpv4(v) ? undefined : "value should be an ipv4 address"),
  ipv6address: (v) => (typeof v === "string" && isIpv6(v) ? undefined : "value should be an ipv6 address"),
  ipaddress: (v) => (typeof v === "string" && (isIpv4(v) || isIpv6(v)) ? undefined : "value should be an ip address"),
  string: typecheck("string"),
  integer: typecheck("integer"),
  float: typecheck("float"),
  number: typecheck("number"),
  boolean: typecheck("boolean"),
  package_name: matching(/^[a-zA-Z.\-_\d]+$/, "package name"),
  service_name: matching(/^[a-zA-Z.\-_\d:@]+$/, "service name"),
  puppet_variable: puppetVariable,
  puppet_tags: puppetTags,
  puppet_server_address: puppetServerAddress,
  puppet_resource: (v) => (typeof v === "string" && /^[a-zA-Z0-9_]+\[.+\]$/.test(v) ? undefined : `${String(v)} is not a valid resource name`),
};

/** MCollective's core validators, which always run in Node even where Ruby could be asked. */
export const CORE_VALIDATORS = new Set(["shellsafe", "ipv4address", "ipv6address", "string", "integer", "float", "number", "boolean"]);

/** `length` validator: maxlength 0 means unlimited. */
export function lengthError(value: string, max: number): string | undefined {
  return max > 0 && [...value].length > max ? `Input string is longer than ${max} character(s)` : undefined;
}
