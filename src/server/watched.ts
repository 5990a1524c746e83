/** A value read from files and read again only when one of them changes (mtime or size). */
import { statSync } from "node:fs";

export class WatchedFiles<T> {
  private stamp = "";
  private value: T;
  /** Set while the files were looked at in this turn of the event loop: a burst of requests stats them once. */
  private fresh = false;

  /** `read` turns the files into a value; when it throws, the last good value stays and `onError` hears why. */
  constructor(
    private readonly files: string[],
    private readonly read: (files: string[]) => T,
    empty: T,
    private readonly onError: (err: Error) => void,
  ) {
    this.value = empty;
  }

  /** The current value, read again if any file changed since the last look. */
  get(): T {
    if (this.fresh) return this.value;
    this.fresh = true;
    setImmediate(() => (this.fresh = false));
    const stamp = this.files.map(stampOf).join("|");
    if (stamp !== this.stamp) {
      try {
        this.value = this.read(this.files);
      } catch (err) {
        this.onError(err as Error);
      }
      this.stamp = stamp;
    }
    return this.value;
  }

  /** Forgets the stamps so that the next `get` reads every file. */
  invalidate(): void {
    this.stamp = "";
    this.fresh = false;
  }
}

function stampOf(file: string): string {
  try {
    const s = statSync(file);
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return "missing";
  }
}
