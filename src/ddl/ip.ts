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
  if (halves.length !== 2) return width === 8;
  // Ruby's IPAddr limits compressed forms by their colon count: 6 with an IPv4 tail, else 7, or 8 when the
  // address starts or ends with "::" (so "::1:2:3:4:5:1.2.3.4" is refused although RFC 4291 would allow it).
  const colons = addr.split(":").length - 1;
  const limit = width !== all.length ? 6 : addr.startsWith("::") || addr.endsWith("::") ? 8 : 7;
  return width <= 7 && colons <= limit;
}
