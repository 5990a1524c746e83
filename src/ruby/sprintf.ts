/** Ruby's `format % args` for the directives aggregate formats use: %s %d %i %f %e %g %x %o %b %% with flags and width. */

import { inspectFloat, rubyToS } from "./inspect.js";

/** A number Ruby holds as a Float, so that `%s` prints `150.0` rather than `150`. */
export class RubyFloat {
  constructor(readonly value: number) {}
}

/** Formats `args` by `fmt` as Ruby's `Kernel#format` would; a missing argument is an error, as in Ruby. */
export function rubySprintf(fmt: string, args: unknown[]): string {
  let next = 0;
  return fmt.replace(/%([-+ 0#]*)(\d+)?(?:\.(\d+))?([sdifeEgGxXobp%])/g, (_m, flags: string, width?: string, precision?: string, conv?: string) => {
    if (conv === "%") return "%";
    if (next >= args.length) throw new Error("too few arguments");
    const arg = args[next++];
    const num = arg instanceof RubyFloat ? arg.value : arg;
    let body: string;
    switch (conv) {
      case "s":
      case "p":
        body = rubyString(arg);
        if (precision !== undefined) body = body.slice(0, Number(precision));
        break;
      case "d":
      case "i":
        body = sign(Math.trunc(toNumber(num)), flags, (n) => String(n));
        break;
      case "f":
        body = sign(toNumber(num), flags, (n) => fixed(n, precision === undefined ? 6 : Number(precision)));
        break;
      case "e":
      case "E":
        body = sign(toNumber(num), flags, (n) => exponential(n, precision === undefined ? 6 : Number(precision), flags.includes("#")));
        if (conv === "E") body = body.toUpperCase();
        break;
      case "g":
      case "G":
        body = sign(toNumber(num), flags, (n) => general(n, precision === undefined ? 6 : Math.max(1, Number(precision)), flags.includes("#")));
        if (conv === "G") body = body.toUpperCase();
        break;
      case "x":
      case "X":
        body = sign(Math.trunc(toNumber(num)), flags, (n) => n.toString(16));
        if (conv === "X") body = body.toUpperCase();
        break;
      case "o":
        body = sign(Math.trunc(toNumber(num)), flags, (n) => n.toString(8));
        break;
      default:
        body = sign(Math.trunc(toNumber(num)), flags, (n) => n.toString(2));
    }
    return pad(body, Number(width ?? 0), flags, conv !== "s" && conv !== "p");
  });
}

/**
 * `abs` with `digits` decimals as Ruby's `%f` prints it: the shortest decimal that reads back as `abs`, rounded
 * half to even (0.25 -> "0.2", 0.35 -> "0.4", 2.675 -> "2.68"), not the binary value JavaScript's toFixed rounds;
 * below one unit of the last place Ruby compares the binary value with half a unit (0.0005 -> "0.001").
 */
function fixed(abs: number, digits: number): string {
  if (!Number.isFinite(abs)) return String(abs);
  const [mantissa, exponent] = abs.toExponential().split("e");
  const shortest = mantissa.replace(".", "");
  const point = Number(exponent) + 1;
  const whole = point > 0 ? shortest.slice(0, point).padEnd(point, "0") : "0";
  const fraction = point > 0 ? shortest.slice(point) : "0".repeat(-point) + shortest;
  let units = BigInt(whole + fraction.slice(0, digits).padEnd(digits, "0"));
  const rest = fraction.slice(digits).replace(/0+$/, "");
  if (units === 0n) units = aboveHalfUnit(abs, digits) ? 1n : 0n;
  else if (rest > "5" || (rest === "5" && units % 2n === 1n)) units += 1n;
  const text = units.toString().padStart(digits + 1, "0");
  return digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** `abs` as `%e` with `digits` decimals: the shortest decimal rounded half to even to `digits + 1` figures. */
function exponential(abs: number, digits: number, keepPoint: boolean): string {
  if (!Number.isFinite(abs)) return String(abs);
  const { figures, exponent } = significant(abs, digits + 1);
  const mantissa = figures[0] + (digits > 0 || keepPoint ? "." : "") + figures.slice(1);
  return `${mantissa}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
}

/** `%g`: `%e` when the exponent is below -4 or not below the precision, else `%f`; trailing zeros go unless `#`. */
function general(abs: number, precision: number, keepZeros: boolean): string {
  if (!Number.isFinite(abs)) return String(abs);
  const { exponent } = significant(abs, precision);
  const text = exponent < -4 || exponent >= precision ? exponential(abs, precision - 1, keepZeros) : fixed(abs, precision - 1 - exponent);
  if (keepZeros) return text;
  const [number, power] = text.split("e");
  const trimmed = number.includes(".") ? number.replace(/\.?0+$/, "") : number;
  return power === undefined ? trimmed : `${trimmed}e${power}`;
}

/** The first `count` significant figures of the shortest decimal of `abs`, rounded half to even, and its exponent. */
function significant(abs: number, count: number): { figures: string; exponent: number } {
  const [mantissa, power] = abs.toExponential().split("e");
  const shortest = mantissa.replace(".", "");
  let exponent = Number(power);
  let units = BigInt(shortest.slice(0, count).padEnd(count, "0"));
  const rest = shortest.slice(count).replace(/0+$/, "");
  if (rest > "5" || (rest === "5" && units % 2n === 1n)) units += 1n;
  let figures = units.toString().padStart(count, "0");
  if (figures.length > count) {
    figures = figures.slice(0, count);
    exponent++;
  }
  return { figures, exponent };
}

// Exactly: abs > 5 * 10^-(digits + 1).
function aboveHalfUnit(abs: number, digits: number): boolean {
  const [mantissa, exponent] = exactBinary(abs);
  const scaled = mantissa * 10n ** BigInt(digits + 1);
  return exponent >= 0 ? scaled << BigInt(exponent) > 5n : scaled > 5n << BigInt(-exponent);
}

/** A finite non-negative double as an exact mantissa * 2^exponent. */
function exactBinary(x: number): [bigint, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  return biased === 0 ? [fraction, -1074] : [fraction | (1n << 52n), biased - 1075];
}

// `%s` is `to_s`: a RubyFloat keeps its `.0`, arrays and hashes print as inspect.
function rubyString(v: unknown): string {
  return v instanceof RubyFloat ? inspectFloat(v.value) : rubyToS(v);
}

function toNumber(v: unknown): number {
  if (typeof v === "number") return v;
  // Linear on a long run of digits (reply data can come from anyone): no two quantifiers share them.
  if (typeof v === "string" && /^\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*$/.test(v)) return Number(v);
  throw new Error(`invalid value for a number: ${JSON.stringify(v)}`);
}

function sign(n: number, flags: string, render: (abs: number) => string): string {
  const text = render(Math.abs(n));
  if (n < 0 || Object.is(n, -0)) return n === 0 ? text : `-${text}`;
  if (flags.includes("+")) return `+${text}`;
  if (flags.includes(" ")) return ` ${text}`;
  return text;
}

function pad(body: string, width: number, flags: string, numeric: boolean): string {
  if (body.length >= width) return body;
  if (flags.includes("-")) return body.padEnd(width);
  if (flags.includes("0") && numeric) {
    const signChar = /^[-+ ]/.test(body) ? body[0] : "";
    return signChar + body.slice(signChar.length).padStart(width - signChar.length, "0");
  }
  return body.padStart(width);
}
