/** Bounding a wait: the client never hangs on a broker that stopped answering. */

/** Settles as `work` does, or rejects with `late()` once `ms` pass first; the timer never outlives the race. */
export async function withDeadline<T>(work: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
