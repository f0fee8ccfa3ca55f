/**
 * How long finished short-lived records are kept before a backend with automatic expiry
 * (DynamoDB TTL) may delete them. Only approvals, grants and pending hides are short-lived;
 * rotations and the keys-due report's record are kept, they are history the bot reads back.
 *
 * This is housekeeping, never correctness: DynamoDB deletes expired items lazily (typically
 * within days), so an item past its `expires_at` can still be read. Every reader checks expiry
 * itself (an approval's `expiresAt`, a grant's `validUntil`, a hide's `dueAt`).
 */
import type { RecordKind } from './store.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Retention after a record stops being due, per kind. Long enough that the scheduler has long
 * since acted on it (an approval's expiry, a grant lapsing, a hide) even after an outage, and
 * that the App Home and a person asking "what happened to my request" still find it.
 */
export const RETENTION_MS: Readonly<Partial<Record<RecordKind, number>>> = {
  approval: 30 * DAY_MS,
  grant: 30 * DAY_MS,
  hide: 1 * DAY_MS,
};

/** How long a lease item is kept after its `until`: only so abandoned lease names disappear. */
export const LEASE_RETENTION_MS = 1 * DAY_MS;

/**
 * When a record of `kind` may be deleted, in epoch **seconds** (DynamoDB TTL's unit), or
 * undefined if it is kept. Counted from its due time (an open approval's expiry, a grant's end,
 * a hide's time) or, for a record with no due time (a decided approval), from `now`, the time
 * of the write; never earlier than `now` plus the retention.
 */
export function expiresAtSeconds(
  kind: RecordKind,
  dueAt: number | undefined,
  now: number,
): number | undefined {
  const retention = RETENTION_MS[kind];
  if (retention === undefined) return undefined;
  return Math.ceil((Math.max(dueAt ?? now, now) + retention) / 1000);
}
