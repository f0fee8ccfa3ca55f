/**
 * The searches that read values: the rotation's full scan for one key id ({@link scanPlaces})
 * and the account index ({@link indexAccount}), which tags every place holding any key id. Both
 * walk the account with read-every-value.ts and tag what they find.
 */
import { DescribeParametersCommand } from '@aws-sdk/client-ssm';
import { classifyAwsError } from '../../aws/aws-errors.js';
import { createPacer } from '../../scheduling/pacer.js';
import { findKeyInSecret } from './key-places.js';
import {
  hasTag,
  type LocateClients,
  type LocateProgress,
  parameterNameOf,
  parameterOf,
  tagPlace,
} from './place-names.js';
import { readEveryValue, type ReadValue, type ScanOptions } from './read-every-value.js';
import type { LocatedSecret, PlaceSearch, SearchCount } from './rotation.js';

/**
 * The full scan: every secret and String/SecureString parameter the role can read, searched
 * for `keyId`; what holds it is tagged. Within `limits` (see the file's comment).
 */
export async function scanPlaces(
  clients: LocateClients,
  keyId: string,
  options: ScanOptions,
): Promise<{ secrets: LocatedSecret[]; search: PlaceSearch }> {
  const pacer = options.pacer ?? createPacer(options.limits.callsPerSecond);
  const progress: LocateProgress = { listed: 0, listingDone: false, read: 0, parametersRead: 0, found: 0 };
  const found: LocatedSecret[] = [];
  /** Found places not yet tagged with this key id. */
  const toTag: Array<{ place: string; id: string; kind: 'secret' | 'parameter' }> = [];
  const counts = await readEveryValue(
    clients,
    { ...options, pacer },
    (v) => {
      const result = findKeyInSecret(v.text, keyId);
      if (!result.found) return;
      found.push({
        name: v.place,
        ...(v.arn ? { arn: v.arn } : {}),
        found: 'scan',
        search: result,
        ...(v.parameter ? { parameter: v.parameter } : {}),
        ...(v.tags ? { tags: v.tags } : {}),
      });
      progress.found++;
      if (!hasTag(v.tags, keyId)) toTag.push({ place: v.place, id: v.id, kind: v.kind });
    },
    progress,
  );
  const search: PlaceSearch = {
    mode: 'full',
    at: options.now,
    secrets: counts.secrets,
    parameters: counts.parameters,
    tagged: 0,
    newlyTagged: 0,
  };

  // A parameter found by GetParametersByPath has no KMS key id there; the write needs it.
  for (const f of found.filter((x) => x.parameter?.type === 'SecureString')) {
    try {
      await pacer.wait();
      const res = await clients.ssm.send(
        new DescribeParametersCommand({
          ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [parameterNameOf(f.name)!] }],
        }),
      );
      const meta = res.Parameters?.[0];
      if (meta) f.parameter = parameterOf(meta);
    } catch (err) {
      if (classifyAwsError(err) !== 'access_denied') throw err;
    }
  }

  // Tag what was found, so the next rotation finds it without reading anything.
  if (options.tag !== false) {
    search.untagged = [];
    for (const t of toTag) {
      await pacer.wait();
      const why = await tagPlace(clients, t.kind, t.id, keyId);
      if (why) search.untagged.push(`${t.place} (${why})`);
      else search.newlyTagged = (search.newlyTagged ?? 0) + 1;
    }
  }

  found.sort((a, b) => a.name.localeCompare(b.name));
  return { secrets: found, search };
}

/** An AWS long-term access key id (IAM user keys start AKIA; temporary ASIA keys are not kept). */
const ACCESS_KEY_ID = /\bAKIA[A-Z0-9]{16}\b/g;

export interface IndexResult {
  secrets: SearchCount;
  parameters: SearchCount;
  /** Places that hold an access key id, and how many of them were tagged now. */
  places: number;
  tagged: number;
  alreadyTagged: number;
  /** Places holding several key ids: tagged with the first; the others are found by a full search. */
  several: string[];
  /** Places that could not be tagged, with why. */
  untagged: string[];
}

/**
 * The account index (`/rotate-key index`): every secret and parameter the role can read is
 * searched for access key ids, and each place that holds one is tagged with it, so later
 * rotations find their places by tag without reading anything. Reads every value once.
 */
export async function indexAccount(
  clients: LocateClients,
  options: Omit<ScanOptions, 'tag'>,
): Promise<IndexResult> {
  const pacer = options.pacer ?? createPacer(options.limits.callsPerSecond);
  const holders: Array<{ value: ReadValue; keyIds: string[] }> = [];
  const counts = await readEveryValue(clients, { ...options, pacer }, (value) => {
    const keyIds = [...new Set(value.text.match(ACCESS_KEY_ID) ?? [])];
    if (keyIds.length) holders.push({ value, keyIds });
  });
  const result: IndexResult = {
    ...counts,
    places: holders.length,
    tagged: 0,
    alreadyTagged: 0,
    several: [],
    untagged: [],
  };
  for (const { value, keyIds } of holders) {
    const keyId = keyIds[0]!;
    if (keyIds.length > 1) result.several.push(value.place);
    if (hasTag(value.tags, keyId)) {
      result.alreadyTagged++;
      continue;
    }
    await pacer.wait();
    const why = await tagPlace(clients, value.kind, value.id, keyId);
    if (why) result.untagged.push(`${value.place} (${why})`);
    else result.tagged++;
  }
  return result;
}
