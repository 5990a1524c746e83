/** mco's colours (Util.colorize); off unless the config's `color` is on and the stream is a terminal. */

const CODES = { red: "\u001b[31m", green: "\u001b[32m", yellow: "\u001b[33m", cyan: "\u001b[36m", bold: "\u001b[1m" } as const;

export type Colour = keyof typeof CODES;

/** Wraps text in a colour when enabled, as mco does. */
export type Paint = (colour: Colour, text: string | number) => string;

export function painter(enabled: boolean): Paint {
  return enabled ? (colour, text) => `${CODES[colour]}${text}\u001b[0m` : (_colour, text) => String(text);
}
