/** IP address syntax checks, written out so the pure DDL core needs no network module. */

/** Dotted-quad IPv4, optionally with a /prefix (Ruby's IPAddr accepts one); zero-padded octets are refused as Ruby 3.1 does. */
export function isIpv4(text: string): boolean {
  const [addr, prefix, extra] = text.split("/");
  if (extra !== undefined || (prefix !== undefined && !/^(\d|[12]\d|3[0-2])$/.test(prefix))) return false;
  const parts = addr.split(".");
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** IPv6 in any RFC 4291 text form (`::`, embedded IPv4, `%zone`), optionally with a /prefix. */
export function isIpv6(text: string): boolean {
  const [withZone, prefix, extra] = text.split("/");
  if (extra !== undefined || (prefix !== undefined && !/^(\d{1,2}|1[01]\d|12[0-8])$/.test(prefix))) return false;
  const addr = withZone.replace(/%[\w.\-]+$/, "");
  const halves = addr.split("::");
  if (halves.length > 2) return false;
  const groups = (half: string) => (half === "" ? [] : half.split(":"));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const all = [...head, ...tail];
  let width = all.length;
  const last = all[all.length - 1];
  if (last !== undefined && last.includes(".")) {
    if (!isIpv4(last) || last.includes("/")) return false;
    all.pop();
    width += 1;
  }
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? width <= 7 : width === 8;
}
