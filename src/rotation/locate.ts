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
import { classifyAwsError } from '../aws/aws-errors.js';
import { createPacer, type Pacer } from '../scheduling/pacer.js';
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
        found.set(s.Name, { name: s.Name, ...(s.ARN ? { arn: s.ARN } : {}), found: 'tag' });
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
  /** Test hook: a pacer instead of one built from `limits.callsPerSecond`. */
  pacer?: Pacer;
}

/** Secrets Manager's limit for one BatchGetSecretValue: 20 secrets. */
export const BATCH_SIZE = 20;

/**
 * The full scan: every secret and String/SecureString parameter the role can read, searched
 * for `keyId`; what holds it is tagged. Within `limits` (see the file's comment).
 */
export async function scanPlaces(
  clients: LocateClients,
  keyId: string,
  options: ScanOptions,
): Promise<{ secrets: LocatedSecret[]; search: PlaceSearch }> {
  const { limits } = options;
  const pacer = options.pacer ?? createPacer(limits.callsPerSecond);
  const search: PlaceSearch = {
    mode: 'full',
    at: options.now,
    secrets: emptyCount(),
    parameters: emptyCount(),
    tagged: 0,
    newlyTagged: 0,
  };
  const progress: LocateProgress = { listed: 0, listingDone: false, read: 0, parametersRead: 0, found: 0 };
  const report = (): void => options.onProgress?.({ ...progress });
  const found: LocatedSecret[] = [];
  /** Found places not yet tagged with this key id: secrets by ARN/name, parameters by name. */
  const toTag: Array<{ place: string; id: string; kind: 'secret' | 'parameter' }> = [];

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
        search.secrets.capped = true;
        listed.length = limits.maxSecrets;
      }
      report();
    } while (nextToken && !search.secrets.capped);
  } catch (err) {
    if (classifyAwsError(err) !== 'access_denied') throw err;
    search.secrets.denied = 'secretsmanager:ListSecrets';
  }
  progress.listingDone = true;
  search.secrets.listed = listed.length;
  report();

  const byId = new Map(listed.map((s) => [s.ARN ?? s.Name!, s]));
  const batches: SecretListEntry[][] = [];
  for (let i = 0; i < listed.length; i += BATCH_SIZE) batches.push(listed.slice(i, i + BATCH_SIZE));
  let next = 0;
  let failed: unknown;
  const worker = async (): Promise<void> => {
    while (next < batches.length && failed === undefined && search.secrets.denied === undefined) {
      const batch = batches[next++]!;
      await pacer.wait();
      let res;
      try {
        res = await clients.secretsManager.send(
          new BatchGetSecretValueCommand({ SecretIdList: batch.map((s) => s.ARN ?? s.Name!) }),
        );
      } catch (err) {
        if (classifyAwsError(err) === 'access_denied') {
          search.secrets.denied = 'secretsmanager:BatchGetSecretValue';
          return;
        }
        failed = err;
        return;
      }
      for (const v of res.SecretValues ?? []) {
        const entry = byId.get(v.ARN ?? '') ?? listed.find((s) => s.Name === v.Name);
        const name = v.Name ?? entry?.Name ?? '';
        if (v.SecretString === undefined) {
          unreadable(search.secrets, name);
          continue;
        }
        search.secrets.read++;
        const result = findKeyInSecret(v.SecretString, keyId);
        if (!result.found) continue;
        found.push({ name, ...(v.ARN ? { arn: v.ARN } : {}), found: 'scan', search: result });
        progress.found++;
        if (!hasTag(entry?.Tags, keyId)) toTag.push({ place: name, id: v.ARN ?? name, kind: 'secret' });
      }
      for (const e of res.Errors ?? []) {
        // Deleted since it was listed: nothing to search. Anything else (AccessDeniedException,
        // DecryptionFailure, …) is a secret that could hold the key and was not read.
        if (e.ErrorCode === 'ResourceNotFoundException') continue;
        unreadable(search.secrets, byId.get(e.SecretId ?? '')?.Name ?? e.SecretId ?? '?');
      }
      progress.read = search.secrets.read + search.secrets.unreadableCount;
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 2, batches.length) }, worker));
  if (failed !== undefined) throw failed;
  if (search.secrets.denied === 'secretsmanager:BatchGetSecretValue') {
    // Nothing was read: every listed secret is unsearched, and the denial says why.
    search.secrets.read = 0;
  }

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
        search.parameters.listed++;
        if (p.Value === undefined) {
          unreadable(search.parameters, parameterPlace(p.Name));
          continue;
        }
        search.parameters.read++;
        const result = findKeyInSecret(p.Value, keyId);
        if (!result.found) continue;
        const name = parameterPlace(p.Name);
        found.push({ name, found: 'scan', search: result, parameter: parameterOf(p) });
        toTag.push({ place: name, id: p.Name, kind: 'parameter' });
        progress.found++;
      }
      nextToken = page.NextToken;
      progress.parametersRead = search.parameters.read;
      // A page may take the count past the limit: what was read is still searched, and counted.
      if (search.parameters.listed >= limits.maxParameters && nextToken) search.parameters.capped = true;
      report();
    } while (nextToken && !search.parameters.capped);
  } catch (err) {
    const kind = classifyAwsError(err);
    if (kind === 'access_denied') search.parameters.denied = 'ssm:GetParametersByPath';
    else throw err;
  }

  // A parameter found by GetParametersByPath has no KMS key id there; the write needs it.
  const parameters = found.filter((f) => f.parameter?.type === 'SecureString');
  for (const f of parameters) {
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

  // 3. Tag what was found, so the next rotation finds it without reading anything.
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
