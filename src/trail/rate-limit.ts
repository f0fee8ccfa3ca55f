/**
 * One request allowance per CloudTrail account and Region, shared by everything in the process
 * that calls LookupEvents. CloudTrail allows "two per second, per account, per Region" (API
 * reference, LookupEvents); requests are spaced so that no second ever holds more than that,
 * with a margin for the network, whoever asks. Slots are handed out in the order they are asked
 * for, so concurrent look-ups take turns instead of one starving the others.
 */

export interface TrailRateLimiter {
  /**
   * Waits for the next request slot of `bucket` (`account/region`). Resolves false at once,
   * reserving nothing, when that slot would come after `deadline` (on {@link now}'s clock).
   */
  acquire(bucket: string, deadline: number): Promise<boolean>;
  /** AWS throttled anyway (other clients share the account's allowance): hold `bucket` back. */
  backOff(bucket: string, ms: number): void;
  /** The limiter's clock, in ms (monotonic by default). */
  now(): number;
}

export interface TrailRateLimiterOptions {
  requestsPerSecond: number;
  /** Added to every gap between two requests; default 50 ms. */
  marginMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export function createTrailRateLimiter(options: TrailRateLimiterOptions): TrailRateLimiter {
  if (!(options.requestsPerSecond > 0)) throw new RangeError('requestsPerSecond must be positive');
  const gapMs = 1000 / options.requestsPerSecond + (options.marginMs ?? 50);
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const nextFree = new Map<string, number>();
  return {
    now,
    async acquire(bucket, deadline) {
      const t = now();
      const slot = Math.max(t, nextFree.get(bucket) ?? t);
      if (slot > deadline) return false;
      nextFree.set(bucket, slot + gapMs);
      if (slot > t) await sleep(slot - t);
      return true;
    },
    backOff(bucket, ms) {
      const t = now();
      nextFree.set(bucket, Math.max(nextFree.get(bucket) ?? t, t + ms));
    },
  };
}
