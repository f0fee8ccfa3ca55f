/**
 * Spaces calls out to at most `callsPerSecond`, in the order they ask: for work that reads a
 * whole account (the full scan of secrets and parameters) and must stay well inside the service's
 * documented request quota, so the account's other users are not throttled because of it.
 */
export interface Pacer {
  /** Resolves when the caller may send its next request. */
  wait(): Promise<void>;
}

export function createPacer(
  callsPerSecond: number,
  options: { now?: () => number; sleep?: (ms: number) => Promise<void> } = {},
): Pacer {
  if (!(callsPerSecond > 0)) throw new RangeError(`callsPerSecond must be positive, got ${callsPerSecond}`);
  const gapMs = 1000 / callsPerSecond;
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let nextFree = Number.NEGATIVE_INFINITY;
  return {
    async wait() {
      const t = now();
      const slot = Math.max(t, nextFree);
      nextFree = slot + gapMs;
      if (slot > t) await sleep(slot - t);
    },
  };
}
