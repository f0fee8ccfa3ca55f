/**
 * TOTP codes for a parsed 2fa-seed at a given instant. Pure: the clock is a parameter so that
 * tests (and the RFC 6238 vectors) control time.
 */

import { createGuardrails, generateSync, type HashAlgorithm } from 'otplib';
import { MAX_PERIOD, MIN_SECRET_BYTES, type TotpAlgorithm, type TotpSeed } from './otpauth.js';

/** What `/totp NAME` shows: the code now, the one after it, and how long the current one lasts. */
export interface TotpCodes {
  /** The code for the time step containing `nowMs`. */
  current: string;
  /** The code for the following time step (useful when `secondsLeft` is small). */
  next: string;
  /** Whole seconds until `current` expires, rounded up: from `period` (step just began) down to 1. */
  secondsLeft: number;
  /** Start of the current time step, Unix time in milliseconds (same unit as `nowMs`). */
  periodStart: number;
  /** The seed's time step in seconds. */
  period: number;
}

/**
 * otplib refuses keys under 16 bytes by default (RFC 4226's recommendation). parseSeed already
 * decides which key lengths are acceptable (see MIN_SECRET_BYTES there for why 10), so otplib's
 * limits are aligned with it instead of disagreeing after a seed was accepted.
 */
const GUARDRAILS = createGuardrails({ MIN_SECRET_BYTES, MAX_PERIOD });

const OTPLIB_ALGORITHM: Record<TotpAlgorithm, HashAlgorithm> = {
  SHA1: 'sha1',
  SHA256: 'sha256',
  SHA512: 'sha512',
};

/**
 * Computes the current and next TOTP codes (RFC 6238, T0 = 0) for `seed` at `nowMs`.
 *
 * Uses otplib's synchronous generator with its default pure-JS (noble) HMAC, passing the raw key
 * bytes so otplib's own base32 decoding is not involved.
 *
 * @param seed - A seed from {@link parseSeed}.
 * @param nowMs - The instant, Unix time in milliseconds (e.g. `Date.now()` or a test clock).
 * @throws {RangeError} If `nowMs` is not a finite, non-negative number (a programming error).
 */
export function totpCodes(seed: TotpSeed, nowMs: number): TotpCodes {
  if (!Number.isFinite(nowMs) || nowMs < 0) {
    throw new RangeError('totpCodes: nowMs must be a finite, non-negative Unix time in milliseconds');
  }
  const periodMs = seed.period * 1000;
  const step = Math.floor(nowMs / periodMs);
  const periodStartMs = step * periodMs;
  const periodStartSec = step * seed.period;

  const codeAt = (epochSeconds: number): string =>
    generateSync({
      strategy: 'totp',
      secret: seed.secret,
      algorithm: OTPLIB_ALGORITHM[seed.algorithm],
      digits: seed.digits,
      period: seed.period,
      // Any instant inside the step gives the same code; the step's start avoids rounding doubts.
      epoch: epochSeconds,
      guardrails: GUARDRAILS,
    });

  return {
    current: codeAt(periodStartSec),
    next: codeAt(periodStartSec + seed.period),
    secondsLeft: Math.ceil((periodStartMs + periodMs - nowMs) / 1000),
    periodStart: periodStartMs,
    period: seed.period,
  };
}

/**
 * Groups a code's digits for reading aloud or retyping: two groups split by a space, the shorter
 * first, e.g. 6 → `492 039`, 7 → `492 0391`, 8 → `4920 3912` (the 3+3 and 4+4 forms are what
 * authenticator apps show). Codes shorter than 4 characters are returned as they are.
 *
 * The grouped form is for display only: a pasted space breaks many login forms, so offer the
 * ungrouped code wherever people copy it.
 */
export function groupDigits(code: string): string {
  if (code.length < 4) return code;
  const split = Math.floor(code.length / 2);
  return `${code.slice(0, split)} ${code.slice(split)}`;
}
