/**
 * Which places a rotation finds are guarded (issue 14, item 5): the same guards as `/secret get`
 * and `/secret edit` (config `approvals.guarded_secrets`, `guarded_edits`, `guarded_tag`),
 * decided on the canonical name and tags AWS returned for the place (ListSecrets,
 * DescribeSecret, BatchGetSecretValue), never on typed text. A guarded place is written only
 * after an approval, under a session scoped to it, and the new pair is shown to nobody. Pure.
 */
import { isGuarded } from '../../approvals/approval.js';

export interface PlaceGuards {
  guarded_secrets: readonly string[];
  guarded_edits: readonly string[];
  guarded_tag?: { key: string; value: string } | undefined;
}

export type GuardedPlace = (place: {
  name: string;
  tags?: Array<{ Key?: string; Value?: string }>;
}) => boolean;

/**
 * The predicate for config's `approvals` section, or undefined when nothing is guarded.
 * - `write` (writing the new key into a place): the reveal guards count as well as the edit
 *   guards, since whoever is shown the new pair knows the guarded value;
 * - `read` (the full scan reading values to search them): the reveal guards only, which the
 *   ordinary session's policy denies anyway; the scan does not ask for them.
 */
export function guardedPlaces(
  approvals: PlaceGuards | undefined,
  use: 'write' | 'read' = 'write',
): GuardedPlace | undefined {
  if (!approvals) return undefined;
  const globs = [
    ...new Set([...approvals.guarded_secrets, ...(use === 'write' ? approvals.guarded_edits : [])]),
  ];
  const tag = approvals.guarded_tag;
  if (globs.length === 0 && !tag) return undefined;
  return (place) =>
    isGuarded(place.name, globs) ||
    (tag !== undefined && (place.tags ?? []).some((t) => t.Key === tag.key && t.Value === tag.value));
}
