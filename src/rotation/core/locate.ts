/**
 * Where an access key is kept: Secrets Manager secrets and Parameter Store parameters.
 *
 * Two searches, because reading every secret in a burst is what credential-harvest detections
 * alert on (Stratus Red Team `secretsmanager-retrieve-secrets`, Panther, Elastic):
 *
 * - {@link locateByTag}, the default: secrets and parameters locksmith tagged
 *   `locksmith:access-key-id` = the key id when it wrote or found the key there, found with
 *   ListSecrets' `tag-value` filter and DescribeParameters' `tag:` filter, plus the places
 *   remembered from earlier rotations of this user. It reads no value at all.
 * - {@link scanPlaces}, the explicit choice: every secret the role can list, read 20 at a time
 *   with BatchGetSecretValue, and every String and SecureString parameter under `/`, read with
 *   GetParametersByPath (decrypted, 10 a page), paced to `scan.callsPerSecond` (the documented
 *   quotas are 100/s for ListSecrets and BatchGetSecretValue and 40/s for Parameter Store); what
 *   it finds is tagged, so the next rotation finds it quietly. It stops at `scan.maxSecrets` and
 *   `scan.maxParameters` and says so: a limit is never silent.
 *
 * Throttling or an outage fails the step (it is retried); a denied listing or read, a binary
 * value or one KMS cannot decrypt is counted and named in the search's record instead.
 */
import {
  BatchGetSecretValueCommand,
  DescribeSecretCommand,
  ListSecretsCommand,
  type SecretListEntry,
  type SecretsManagerClient,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import {
  AddTagsToResourceCommand,
  DescribeParametersCommand,
  GetParametersByPathCommand,
  type ParameterMetadata,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { classifyAwsError } from '../../aws/aws-errors.js';
import { createPacer, type Pacer } from '../../scheduling/pacer.js';
import { findKeyInSecret, type KeyLayout } from './key-places.js';
import type { LocatedSecret, PlaceSearch, ScanLimits, SearchCount } from './rotation.js';

/** The tag locksmith keeps on every secret and parameter it found or wrote a key in. */
export const KEY_TAG = 'locksmith:access-key-id';
/** How a parameter's place name starts: `ssm:/team/ci/aws`. */
export const PARAMETER_PREFIX = 'ssm:';

/** The clients a locate needs (a person's session, or the background role). */
export interface LocateClients {
  secretsManager: SecretsManagerClient;
  ssm: SSMClient;
}

/** A parameter's place name, `ssm:` and its own name. */
export function parameterPlace(name: string): string {
  return `${PARAMETER_PREFIX}${name}`;
}

/** The parameter name of a place, or undefined for a secret. */
export function parameterNameOf(place: string): string | undefined {
  return place.startsWith(PARAMETER_PREFIX) ? place.slice(PARAMETER_PREFIX.length) : undefined;
}

export interface LocateProgress {
  /** Secrets listed so far (the total once listing is done). */
  listed: number;
  listingDone: boolean;
  /** Secret values read (or counted unreadable) so far. */
  read: number;
  /** Parameters read so far. */
  parametersRead: number;
  found: number;
}

/** A place remembered from an earlier rotation of the same user (key-homes.ts). */
export interface RememberedPlace {
  name: string;
  layout?: KeyLayout;
}

function emptyCount(): SearchCount {
  return { listed: 0, read: 0, unreadable: [], unreadableCount: 0, capped: false };
}

function unreadable(count: SearchCount, name: string): void {
  count.unreadableCount++;
  if (count.unreadable.length < 20) count.unreadable.push(name);
}

const hasTag = (tags: Array<{ Key?: string; Value?: string }> | undefined, keyId: string): boolean =>
  (tags ?? []).some((t) => t.Key === KEY_TAG && t.Value === keyId);

function parameterOf(meta: Pick<ParameterMetadata, 'Type' | 'KeyId'>): LocatedSecret['parameter'] {
  const type = meta.Type === 'SecureString' ? 'SecureString' : 'String';
  return { type, ...(type === 'SecureString' && meta.KeyId ? { keyId: meta.KeyId } : {}) };
}

/**
 * The indexed search: tagged secrets and parameters and the remembered places, no value read.
 * Remembered places are checked to exist (DescribeSecret, DescribeParameters: metadata only).
 */
export async function locateByTag(
  clients: LocateClients,
  keyId: string,
  remembered: readonly RememberedPlace[],
  now: number,
): Promise<{ secrets: LocatedSecret[]; search: PlaceSearch }> {
  const found = new Map<string, LocatedSecret>();
  const search: PlaceSearch = {
    mode: 'indexed',
    at: now,
    secrets: emptyCount(),
    parameters: emptyCount(),
    tagged: 0,
  };

  // ListSecrets' tag-value filter is a case-sensitive prefix match on any tag's value: keep only
  // secrets whose own locksmith tag holds exactly this key id.
  try {
    let nextToken: string | undefined;
    do {
      const page = await clients.secretsManager.send(
        new ListSecretsCommand({
          MaxResults: 100,
          NextToken: nextToken,
          Filters: [{ Key: 'tag-value', Values: [keyId] }],
        }),
      );
      for (const s of page.SecretList ?? []) {
        if (!s.Name || !hasTag(s.Tags, keyId)) continue;
        search.secrets.listed++;
        found.set(s.Name, {
          name: s.Name,
          ...(s.ARN ? { arn: s.ARN } : {}),
          found: 'tag',
          ...(s.Tags ? { tags: s.Tags } : {}),
        });
      }
      nextToken = page.NextToken;
    } while (nextToken);
  } catch (err) {
    if (classifyAwsError(err) !== 'access_denied') throw err;
    search.secrets.denied = 'secretsmanager:ListSecrets';
  }

  try {
    let nextToken: string | undefined;
    do {
      const page = await clients.ssm.send(
        new DescribeParametersCommand({
          MaxResults: 50,
          NextToken: nextToken,
          ParameterFilters: [{ Key: `tag:${KEY_TAG}`, Values: [keyId] }],
        }),
      );
      for (const p of page.Parameters ?? []) {
        if (!p.Name || p.Type === 'StringList') continue;
        search.parameters.listed++;
        const name = parameterPlace(p.Name);
        found.set(name, { name, found: 'tag', parameter: parameterOf(p) });
      }
      nextToken = page.NextToken;
    } while (nextToken);
  } catch (err) {
    if (classifyAwsError(err) !== 'access_denied') throw err;
    search.parameters.denied = 'ssm:DescribeParameters';
  }

  for (const place of remembered) {
    const existing = found.get(place.name);
    if (existing) {
      if (place.layout) existing.layout = place.layout;
      continue;
    }
    const located = await rememberedPlace(clients, place);
    if (located) found.set(place.name, located);
  }

  search.tagged = found.size;
  const secrets = [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
  return { secrets, search };
}

/** A remembered place as it is now, or undefined when it no longer exists. */
async function rememberedPlace(
  clients: LocateClients,
  place: RememberedPlace,
): Promise<LocatedSecret | undefined> {
  const layout = place.layout ? { layout: place.layout } : {};
  const parameter = parameterNameOf(place.name);
  try {
    if (parameter === undefined) {
      const res = await clients.secretsManager.send(new DescribeSecretCommand({ SecretId: place.name }));
      return {
        name: res.Name ?? place.name,
        ...(res.ARN ? { arn: res.ARN } : {}),
        found: 'remembered',
        ...(res.Tags ? { tags: res.Tags } : {}),
        ...layout,
      };
    }
    const res = await clients.ssm.send(
      new DescribeParametersCommand({
        ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [parameter] }],
      }),
    );
    const meta = res.Parameters?.[0];
    if (!meta) return undefined;
    return { name: place.name, found: 'remembered', parameter: parameterOf(meta), ...layout };
  } catch (err) {
    const kind = classifyAwsError(err);
    if (kind === 'not_found') return undefined;
    // Not allowed to look: still offered, the write says what IAM thinks of it.
    if (kind === 'access_denied') {
      return parameter === undefined
        ? { name: place.name, found: 'remembered', ...layout }
        : { name: place.name, found: 'remembered', parameter: { type: 'SecureString' }, ...layout };
    }
    throw err;
  }
}

export interface ScanOptions {
  limits: ScanLimits;
  now: number;
  /** Secret values read at once (each a BatchGetSecretValue of 20); default 2. */
  concurrency?: number;
  onProgress?: (progress: LocateProgress) => void;
  /** Tag what is found (default true). */
  tag?: boolean;
  /**
   * Secrets not to read (guarded for reveals, on the name and tags ListSecrets returned): counted
   * as not read, so the search says it is incomplete. The ordinary session's policy denies them too.
   */
  notRead?: (secret: { name: string; tags?: Array<{ Key?: string; Value?: string }> }) => boolean;
  /** Test hook: a pacer instead of one built from `limits.callsPerSecond`. */
  pacer?: Pacer;
}

/** Secrets Manager's limit for one BatchGetSecretValue: 20 secrets. */
export const BATCH_SIZE = 20;

/** One value the walk read: a secret (by name, with its tags from the listing) or a parameter. */
export interface ReadValue {
  /** The place name: a secret's name, or `ssm:` and a parameter's name. */
  place: string;
  kind: 'secret' | 'parameter';
  /** What TagResource / AddTagsToResource take: a secret's ARN (or name), a parameter's name. */
  id: string;
  arn?: string;
  text: string;
  /** A secret's tags as ListSecrets gave them; undefined for a parameter (GetParametersByPath has none). */
  tags?: Array<{ Key?: string; Value?: string }>;
  parameter?: LocatedSecret['parameter'];
}

/**
 * Reads every secret the role can list (20 a BatchGetSecretValue) and every String and
 * SecureString parameter under `/` (GetParametersByPath, decrypted, 10 a page), within `limits`,
 * and hands each value to `visit`. Counts what it listed, read and could not read, and whether it
 * stopped at a limit. The one place the rules of a full read of an account live: the rotation's
 * full scan and the account index both walk with it.
 */
export async function readEveryValue(
  clients: LocateClients,
  options: Omit<ScanOptions, 'tag'>,
  visit: (value: ReadValue) => void,
  progress: LocateProgress = { listed: 0, listingDone: false, read: 0, parametersRead: 0, found: 0 },
): Promise<{ secrets: SearchCount; parameters: SearchCount }> {
  const { limits } = options;
  const pacer = options.pacer ?? createPacer(limits.callsPerSecond);
  const report = (): void => options.onProgress?.({ ...progress });
  const secrets = emptyCount();
  const parameters = emptyCount();

  // 1. Secrets: names and tags (no values), then the values 20 at a time.
  const listed: SecretListEntry[] = [];
  try {
    let nextToken: string | undefined;
    do {
      await pacer.wait();
      const page = await clients.secretsManager.send(
        new ListSecretsCommand({ MaxResults: 100, NextToken: nextToken }),
      );
      for (const s of page.SecretList ?? []) if (s.Name) listed.push(s);
      nextToken = page.NextToken;
      progress.listed = listed.length;
      if (listed.length > limits.maxSecrets || (listed.length === limits.maxSecrets && nextToken)) {
        secrets.capped = true;
        listed.length = limits.maxSecrets;
      }
      report();
    } while (nextToken && !secrets.capped);
  } catch (err) {
    if (classifyAwsError(err) !== 'access_denied') throw err;
    secrets.denied = 'secretsmanager:ListSecrets';
  }
  progress.listingDone = true;
  secrets.listed = listed.length;
  report();

  const byId = new Map(listed.map((s) => [s.ARN ?? s.Name!, s]));
  const notRead = options.notRead;
  const toRead = notRead
    ? listed.filter((s) => {
        const skip = notRead({ name: s.Name!, ...(s.Tags ? { tags: s.Tags } : {}) });
        if (skip) unreadable(secrets, s.Name!);
        return !skip;
      })
    : listed;
  const batches: SecretListEntry[][] = [];
  for (let i = 0; i < toRead.length; i += BATCH_SIZE) batches.push(toRead.slice(i, i + BATCH_SIZE));
  let next = 0;
  let failed: unknown;
  const worker = async (): Promise<void> => {
    while (next < batches.length && failed === undefined && secrets.denied === undefined) {
      const batch = batches[next++]!;
      await pacer.wait();
      let res;
      try {
        res = await clients.secretsManager.send(
          new BatchGetSecretValueCommand({ SecretIdList: batch.map((s) => s.ARN ?? s.Name!) }),
        );
      } catch (err) {
        if (classifyAwsError(err) === 'access_denied') secrets.denied = 'secretsmanager:BatchGetSecretValue';
        else failed = err;
        return;
      }
      for (const v of res.SecretValues ?? []) {
        const entry = byId.get(v.ARN ?? '') ?? listed.find((s) => s.Name === v.Name);
        const name = v.Name ?? entry?.Name ?? '';
        if (v.SecretString === undefined) {
          unreadable(secrets, name);
          continue;
        }
        secrets.read++;
        visit({
          place: name,
          kind: 'secret',
          id: v.ARN ?? name,
          ...(v.ARN ? { arn: v.ARN } : {}),
          text: v.SecretString,
          ...(entry?.Tags ? { tags: entry.Tags } : {}),
        });
      }
      for (const e of res.Errors ?? []) {
        // Deleted since it was listed: nothing to search. Anything else (AccessDeniedException,
        // DecryptionFailure, …) is a secret that could hold a key and was not read.
        if (e.ErrorCode === 'ResourceNotFoundException') continue;
        unreadable(secrets, byId.get(e.SecretId ?? '')?.Name ?? e.SecretId ?? '?');
      }
      progress.read = secrets.read + secrets.unreadableCount;
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 2, batches.length) }, worker));
  if (failed !== undefined) throw failed;
  // Denied as a whole: nothing was read, and the denial says why.
  if (secrets.denied === 'secretsmanager:BatchGetSecretValue') secrets.read = 0;

  // 2. Parameters: every hierarchy under "/", values decrypted, 10 a page.
  try {
    let nextToken: string | undefined;
    do {
      await pacer.wait();
      const page = await clients.ssm.send(
        new GetParametersByPathCommand({
          Path: '/',
          Recursive: true,
          WithDecryption: true,
          MaxResults: 10,
          NextToken: nextToken,
        }),
      );
      for (const p of page.Parameters ?? []) {
        if (!p.Name || p.Type === 'StringList') continue;
        parameters.listed++;
        const place = parameterPlace(p.Name);
        if (p.Value === undefined) {
          unreadable(parameters, place);
          continue;
        }
        parameters.read++;
        visit({ place, kind: 'parameter', id: p.Name, text: p.Value, parameter: parameterOf(p) });
      }
      nextToken = page.NextToken;
      progress.parametersRead = parameters.read;
      // A page may take the count past the limit: what was read is still searched, and counted.
      if (parameters.listed >= limits.maxParameters && nextToken) parameters.capped = true;
      report();
    } while (nextToken && !parameters.capped);
  } catch (err) {
    if (classifyAwsError(err) === 'access_denied') parameters.denied = 'ssm:GetParametersByPath';
    else throw err;
  }
  return { secrets, parameters };
}

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

/**
 * Sets `locksmith:access-key-id` = `keyId` on a secret (by name or ARN) or a parameter (by its
 * own name). Returns why it could not, or undefined. Tagging is bookkeeping: a denial does not
 * stop a rotation, it only means the next one may not find the place by tag.
 */
export async function tagPlace(
  clients: LocateClients,
  kind: 'secret' | 'parameter',
  id: string,
  keyId: string,
): Promise<string | undefined> {
  try {
    if (kind === 'secret') {
      await clients.secretsManager.send(
        new TagResourceCommand({ SecretId: id, Tags: [{ Key: KEY_TAG, Value: keyId }] }),
      );
    } else {
      await clients.ssm.send(
        new AddTagsToResourceCommand({
          ResourceType: 'Parameter',
          ResourceId: id,
          Tags: [{ Key: KEY_TAG, Value: keyId }],
        }),
      );
    }
    return undefined;
  } catch (err) {
    switch (classifyAwsError(err)) {
      case 'access_denied':
        return kind === 'secret'
          ? 'IAM denied secretsmanager:TagResource'
          : 'IAM denied ssm:AddTagsToResource';
      case 'not_found':
        return 'it no longer exists';
      case 'other':
        return (err as { name?: string }).name ?? 'error';
      default:
        throw err;
    }
  }
}
