/** mco's progress bar (rpc/progress.rb), drawn only on a terminal: a piped stdout gets no carriage returns. */

const SPINNER = ["|", "/", "-", "\\", "|", "/", "-", "\\"];

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export class ProgressBar {
  private frame = 0;
  private readonly enabled: boolean;

  constructor(
    private readonly out: ProgressStream,
    private readonly total: number,
    enabled: boolean,
    private readonly colour: boolean,
    /** A batched call ends its bar with one newline, not two (rpc/client.rb's call_agent_batched). */
    private readonly batched = false,
  ) {
    this.enabled = enabled && out.isTTY === true;
  }

  /** True when the bar is drawn (progress wanted and stdout is a terminal). */
  get active(): boolean {
    return this.enabled;
  }

  /** The bar line for `done` of `total`, as mco draws it for a `columns`-wide terminal. */
  line(done: number, columns: number | undefined): string {
    const size = columns === undefined ? 0 : Math.min(columns - 22, 60);
    if (size <= 0) return `\r${done} / ${this.total}`;
    const bars = Math.round((done / this.total) * size);
    const finished = done === this.total;
    const spin = finished ? "*" : SPINNER[this.frame++ % SPINNER.length];
    const mark = this.colour ? `\u001b[${finished ? 32 : 31}m${spin}\u001b[0m` : spin;
    return `\r ${mark} [ ${"=".repeat(bars)}>${" ".repeat(Math.max(0, size - bars))} ] ${done} / ${this.total}`;
  }

  /** Prints the leading newline and the empty bar. */
  start(): void {
    if (!this.enabled) return;
    this.out.write("\n" + this.line(0, this.out.columns));
  }

  update(done: number): void {
    if (this.enabled) this.out.write(this.line(done, this.out.columns));
  }

  /** Ends the bar with mco's two newlines (one after a batched call). */
  finish(): void {
    if (this.enabled) this.out.write(this.batched ? "\n" : "\n\n");
  }
}
