/** Ruby's `Time#strftime` for the directives mco and the agents print times with. */

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * `time.strftime(format)` with %Y %m %d %H %M %S %F %T %z and %%, in local time, or in UTC with `utc`
 * (where %z is +0000).
 */
export function strftime(time: Date, format: string, utc = false): string {
  const f = utc
    ? { Y: time.getUTCFullYear(), m: time.getUTCMonth() + 1, d: time.getUTCDate(), H: time.getUTCHours(), M: time.getUTCMinutes(), S: time.getUTCSeconds(), offset: 0 }
    : { Y: time.getFullYear(), m: time.getMonth() + 1, d: time.getDate(), H: time.getHours(), M: time.getMinutes(), S: time.getSeconds(), offset: -time.getTimezoneOffset() };
  return format.replace(/%([YmdHMSFTz%])/g, (_all, directive: string) => {
    switch (directive) {
      case "Y":
        return pad(f.Y, 4);
      case "F":
        return `${pad(f.Y, 4)}-${pad(f.m)}-${pad(f.d)}`;
      case "T":
        return `${pad(f.H)}:${pad(f.M)}:${pad(f.S)}`;
      case "z":
        return `${f.offset < 0 ? "-" : "+"}${pad(Math.trunc(Math.abs(f.offset) / 60))}${pad(Math.abs(f.offset) % 60)}`;
      case "%":
        return "%";
      default:
        return pad(f[directive as "m" | "d" | "H" | "M" | "S"]);
    }
  });
}
