/** Time, injected wherever it matters (credential expiry, version dates, TOTP), so tests control it. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
