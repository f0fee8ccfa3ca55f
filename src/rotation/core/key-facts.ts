/**
 * What a person needs to know about an IAM user's access keys before rotating them: age, status,
 * last use and a verdict against the configured maximum age. Pure: takes what ListAccessKeys and
 * GetAccessKeyLastUsed returned plus the current time, so tests control both.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** The part of IAM's AccessKeyMetadata this module reads (ListAccessKeys). */
export interface AccessKeyData {
  AccessKeyId?: string;
  Status?: string;
  CreateDate?: Date;
}

/**
 * The part of IAM's AccessKeyLastUsed this module reads (GetAccessKeyLastUsed). AWS leaves
 * LastUsedDate out and reports ServiceName and Region as "N/A" for a key that was never used
 * (moto does the same).
 */
export interface AccessKeyLastUsedData {
  LastUsedDate?: Date;
  ServiceName?: string;
  Region?: string;
}

/** When, where and with which service a key was last used. */
export interface LastUse {
  /** Epoch ms, as reported by IAM. */
  at: number;
  service: string;
  region: string;
}

/**
 * - `ok`: younger than `maxKeyAgeDays - dueSoonDays`;
 * - `due`: rotation is due within `dueSoonDays` (default 14) of the maximum age;
 * - `overdue`: at or past `maxKeyAgeDays`;
 * - `unused-old`: never used and older than `unusedAfterDays` (default 7): a key nobody needs,
 *   to be deleted rather than rotated. Takes precedence over the age verdicts.
 */
export type KeyVerdict = 'ok' | 'due' | 'overdue' | 'unused-old';

export interface KeyFact {
  id: string;
  status: 'Active' | 'Inactive';
  /** Epoch ms. */
  createdAt: number;
  /** Whole days since creation (floor). */
  ageDays: number;
  lastUsed: LastUse | 'never';
  verdict: KeyVerdict;
}

export interface KeyFactOptions {
  maxKeyAgeDays: number;
  /** How long before the maximum age a key counts as `due`; default 14. */
  dueSoonDays?: number;
  /** A never-used key older than this is `unused-old`; default 7. */
  unusedAfterDays?: number;
}

/** Turns one GetAccessKeyLastUsed answer into a {@link LastUse}, or 'never'. */
export function lastUseOf(data: AccessKeyLastUsedData | undefined): LastUse | 'never' {
  const at = data?.LastUsedDate?.getTime();
  if (at === undefined || Number.isNaN(at)) return 'never';
  return { at, service: data?.ServiceName ?? 'N/A', region: data?.Region ?? 'N/A' };
}

/** The verdict for one key; exported so the keys-due report can reuse the rule. */
export function verdictFor(ageMs: number, lastUsed: LastUse | 'never', options: KeyFactOptions): KeyVerdict {
  const unusedAfter = (options.unusedAfterDays ?? 7) * DAY_MS;
  if (lastUsed === 'never' && ageMs > unusedAfter) return 'unused-old';
  const max = options.maxKeyAgeDays * DAY_MS;
  if (ageMs >= max) return 'overdue';
  if (ageMs >= max - (options.dueSoonDays ?? 14) * DAY_MS) return 'due';
  return 'ok';
}

/**
 * Facts for each key, oldest first.
 *
 * @param keys what ListAccessKeys returned (entries without an id are ignored).
 * @param lastUsed GetAccessKeyLastUsed per key id; a missing entry reads as never used.
 * @param now epoch ms from the injected clock.
 */
export function keyFacts(
  keys: readonly AccessKeyData[],
  lastUsed: Readonly<Record<string, AccessKeyLastUsedData | undefined>>,
  now: number,
  options: KeyFactOptions,
): KeyFact[] {
  const facts: KeyFact[] = [];
  for (const key of keys) {
    if (!key.AccessKeyId) continue;
    const createdAt = key.CreateDate?.getTime() ?? now;
    // A key created "after now" (clock skew between the bot and AWS) is zero days old.
    const ageMs = Math.max(0, now - createdAt);
    const use = lastUseOf(lastUsed[key.AccessKeyId]);
    facts.push({
      id: key.AccessKeyId,
      status: key.Status === 'Inactive' ? 'Inactive' : 'Active',
      createdAt,
      ageDays: Math.floor(ageMs / DAY_MS),
      lastUsed: use,
      verdict: verdictFor(ageMs, use, options),
    });
  }
  return facts.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}
