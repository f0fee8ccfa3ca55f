/**
 * Sorting users' keys into the report's sections (overdue, two keys, unused, inactive, with the
 * rotation in progress attached), with the rules a single rotation's inspect step uses
 * (key-facts.ts). Pure.
 */
import { keyFacts } from '../rotation/core/key-facts.js';
import type {
  DueKey,
  KeyLine,
  KeysDueCategory,
  KeysDueSections,
  KeysDueUser,
  RotationInProgress,
  TwoKeysLine,
  UserKeysRead,
} from './report-types.js';

export const byName = (a: { userName: string }, b: { userName: string }): number =>
  a.userName < b.userName ? -1 : a.userName > b.userName ? 1 : 0;

const oldestFirst = (a: KeyLine, b: KeyLine): number =>
  a.key.createdAt - b.key.createdAt ||
  byName(a, b) ||
  (a.key.id ?? '').localeCompare(b.key.id ?? '') ||
  (a.key.slot ?? 0) - (b.key.slot ?? 0);

const CATEGORY_ORDER: readonly KeysDueCategory[] = [
  'overdue',
  'two-keys',
  'unused',
  'inactive',
  'rotation-in-progress',
];

/**
 * Sorts users' keys into the report's sections; pure. The rules (ages from `now`, strict "older
 * than" for unused, "at or past" for overdue, as in key-facts.ts):
 * - inactive: Status Inactive, whatever its age or use;
 * - unused: Active, never used (no LastUsedDate), older than `unusedKeyDays`;
 * - overdue: Active, at least `maxKeyAgeDays` old, and not unused;
 * - two keys: the user has two keys (any status, IAM allows no more);
 * - a rotation in progress for the user is attached to each of its lines (`rotationId`).
 * A key is in at most one of inactive / unused / overdue.
 */
export function sortKeysDue(
  reads: readonly UserKeysRead[],
  inProgress: readonly Pick<RotationInProgress, 'id' | 'userName'>[],
  now: number,
  options: { maxKeyAgeDays: number; unusedKeyDays?: number },
): KeysDueSections {
  const factOptions = { maxKeyAgeDays: options.maxKeyAgeDays, unusedAfterDays: options.unusedKeyDays ?? 7 };
  return sortDueKeys(
    reads.map((read) => ({
      userName: read.userName,
      keys: keyFacts(read.keys, read.lastUsed, now, factOptions),
    })),
    inProgress,
  );
}

/**
 * The sections from users' key facts (see {@link sortKeysDue} for the rules); pure. A rotation
 * is matched to its user case-insensitively, as IAM compares user names.
 */
export function sortDueKeys(
  input: ReadonlyArray<{ userName: string; keys: DueKey[] }>,
  inProgress: readonly Pick<RotationInProgress, 'id' | 'userName'>[],
): KeysDueSections {
  const rotationOf = new Map<string, string>();
  for (const r of inProgress) {
    const key = r.userName.toLowerCase();
    if (!rotationOf.has(key)) rotationOf.set(key, r.id);
  }
  const users: KeysDueUser[] = [];
  const overdue: KeyLine[] = [];
  const unused: KeyLine[] = [];
  const inactive: KeyLine[] = [];
  const twoKeys: TwoKeysLine[] = [];
  for (const { userName, keys } of [...input].sort(byName)) {
    const rotationId = rotationOf.get(userName.toLowerCase());
    const withRotation = rotationId ? { rotationId } : {};
    const found = new Set<KeysDueCategory>();
    for (const key of keys) {
      const line: KeyLine = { userName, key, ...withRotation };
      if (key.status === 'Inactive') {
        inactive.push(line);
        found.add('inactive');
      } else if (key.verdict === 'unused-old') {
        unused.push(line);
        found.add('unused');
      } else if (key.verdict === 'overdue') {
        overdue.push(line);
        found.add('overdue');
      }
    }
    if (keys.length >= 2) {
      twoKeys.push({ userName, keys, ...withRotation });
      found.add('two-keys');
    }
    if (rotationId) found.add('rotation-in-progress');
    users.push({
      userName,
      keys,
      categories: CATEGORY_ORDER.filter((c) => found.has(c)),
      ...withRotation,
    });
  }
  overdue.sort(oldestFirst);
  unused.sort(oldestFirst);
  inactive.sort(oldestFirst);
  return { users, overdue, twoKeys, unused, inactive };
}
