/**
 * The AWS side of the rotation effects: each read returns the event that reports it, each write
 * is idempotent or reconciles with what AWS already holds, so a step resumed after a crash
 * repeats safely. Runs under the clients it is given (the person's session, or the background
 * role); knows nothing of the store or of Slack.
 *
 * The new key's SecretAccessKey lives only in local variables of {@link createKey}: it goes
 * into the secrets and parameters and, when a place needs it typed in by hand, back to the
 * runner's caller. Parameter Store places are written and restored by parameter-store.ts.
 */
import {
  type AccessKeyMetadata,
  CreateAccessKeyCommand,
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  type IAMClient,
  ListAccessKeysCommand,
  type ListAccessKeysCommandOutput,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import {
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  type ListSecretVersionIdsCommandOutput,
  PutSecretValueCommand,
  type SecretsManagerClient,
  type SecretVersionsListEntry,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { classifyAwsError } from '../../aws/aws-errors.js';
import { type KeyFact, keyFacts, type LastUse, lastUseOf } from './key-facts.js';
import {
  findKeyInSecret,
  type KeyLayout,
  type KeyPair,
  LayoutMismatchError,
  replaceKeyInSecret,
} from './key-places.js';
import {
  type LocateProgress,
  locateByTag,
  parameterNameOf,
  type RememberedPlace,
  scanPlaces,
  tagPlace,
} from './locate.js';
import {
  pairIn,
  parameterHistory,
  putParameterKeeping,
  readParameter,
  restoreParameter,
} from './parameter-store.js';
import { secretWriteToken } from './request-token.js';
import type {
  Intent,
  ReadEffect,
  RememberedHome,
  RestoreOutcome,
  Rotation,
  RotationConfig,
  SecretPlace,
  SystemEvent,
  WriteEffect,
} from './rotation.js';

/** The clients a rotation needs; a PersonSession's `clients` fits. */
export interface RotationClients {
  iam: IAMClient;
  secretsManager: SecretsManagerClient;
  ssm: SSMClient;
}

/**
 * Called after every AWS write and every save, named by what just happened
 * (`aws:CreateAccessKey`, `aws:PutSecretValue:<secret>`, `saved:<state>`…). Production passes
 * nothing; the crash tests throw from it to stop a runner at that exact point.
 */
export type FaultHook = (point: string) => void | Promise<void>;

export interface StepContext {
  clients: RotationClients;
  now: number;
  config: RotationConfig;
  fault: FaultHook;
  locateConcurrency: number;
  onProgress?: (progress: LocateProgress) => void;
  /**
   * Whether a place found is guarded, on its canonical name (and tags) as AWS returned them
   * (see SecretPlace.guarded). Without it nothing is guarded.
   */
  isGuarded?: (place: { name: string; tags?: Array<{ Key?: string; Value?: string }> }) => boolean;
  /** Whether the full scan leaves a secret unread (guarded for reveals); see ScanOptions.notRead. */
  isReadGuarded?: (place: { name: string; tags?: Array<{ Key?: string; Value?: string }> }) => boolean;
  /**
   * The clients for reading and writing one guarded place: a session scoped to it (an approved
   * edit's). Without it the step's own clients are used.
   */
  clientsForPlace?: (place: SecretPlace) => Promise<RotationClients>;
  /** What the record of where the key lives says (read by the runner before a locate). */
  remembered?: { places: RememberedPlace[]; home: RememberedHome };
  /**
   * Saves facts about the step in flight into its intent (a compare-and-set of the record), so
   * that a process that dies mid-step leaves them for the one that resumes or cancels it.
   */
  checkpoint?: (facts: Pick<Intent, 'keysBefore' | 'createdKeyId'>) => Promise<void>;
}

/** A step failed for a reason the person can read (never a value, never a stack). */
export class RotationStepError extends Error {
  readonly code = 'rotation_step_failed';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RotationStepError';
  }
}

/** Runs one read effect and returns the event reporting what it saw. */
export async function runRead(rotation: Rotation, effect: ReadEffect, sc: StepContext): Promise<SystemEvent> {
  switch (effect.type) {
    case 'inspect-keys':
      return {
        type: 'keys-inspected',
        keys: await inspectKeys(sc.clients.iam, rotation.userName, sc, rotation),
      };
    case 'locate-secrets': {
      const keyId = rotation.oldKeyId!;
      const result = effect.full
        ? await awsCall(rotation, 'search every secret and parameter', () =>
            scanPlaces(sc.clients, keyId, {
              limits: sc.config.scan,
              now: sc.now,
              concurrency: Math.min(sc.locateConcurrency, 4),
              ...(sc.isReadGuarded ? { notRead: sc.isReadGuarded } : {}),
              ...(sc.onProgress ? { onProgress: sc.onProgress } : {}),
            }),
          )
        : await awsCall(rotation, 'look for the key by tag', () =>
            locateByTag(sc.clients, keyId, sc.remembered?.places ?? [], sc.now),
          );
      return {
        type: 'places-located',
        secrets: result.secrets.map(({ tags, ...place }) =>
          sc.isGuarded?.({ name: place.name, ...(tags ? { tags } : {}) })
            ? { ...place, guarded: true }
            : place,
        ),
        search: result.search,
        ...(sc.remembered ? { remembered: sc.remembered.home } : {}),
      };
    }
    case 'poll-usage':
      return pollUsage(rotation, sc);
    case 'probe-create':
      return probeCreate(rotation, effect.attempt, sc);
  }
}

/** The user's keys with their facts (ListAccessKeys + GetAccessKeyLastUsed per key). */
export async function inspectKeys(
  iam: IAMClient,
  userName: string,
  sc: Pick<StepContext, 'now' | 'config'>,
  rotation?: Rotation,
): Promise<KeyFact[]> {
  const keys = await listKeys(iam, userName, rotation);
  const lastUsed: Record<string, { LastUsedDate?: Date; ServiceName?: string; Region?: string }> = {};
  for (const key of keys) {
    const res = await awsCall(rotation, `read when ${key.AccessKeyId} was last used`, () =>
      iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId })),
    );
    if (res.AccessKeyLastUsed) lastUsed[key.AccessKeyId!] = res.AccessKeyLastUsed;
  }
  return keyFacts(keys, lastUsed, sc.now, { maxKeyAgeDays: sc.config.maxKeyAgeDays });
}

/**
 * Applies the writes of one intent in order and returns the event that completes it. The event
 * for `create` carries the new key; `pair` is returned beside it, for the runner to hand to its
 * caller when a place needs the pair by hand.
 */
export async function runWrites(
  rotation: Rotation,
  writes: readonly WriteEffect[],
  sc: StepContext,
): Promise<{ event: SystemEvent; pair?: KeyPair; skippedCount?: number }> {
  let created: { event: Extract<SystemEvent, { type: 'key-created' }>; pair: KeyPair } | undefined;
  const restored: Array<{ name: string; outcome: RestoreOutcome }> = [];
  let newKey: 'deleted' | 'kept-used' | 'none' = 'none';
  const keptKeyIds: string[] = [];
  let reactivated = false;

  for (const effect of writes) {
    switch (effect.type) {
      case 'delete-key':
        await deleteKey(rotation, effect.keyId, sc);
        await sc.fault(`aws:DeleteAccessKey:${effect.purpose}`);
        break;
      case 'create-key':
        created = await createKey(rotation, effect, sc);
        break;
      case 'set-key-status':
        await awsCall(rotation, `make ${effect.keyId} ${effect.status.toLowerCase()}`, () =>
          sc.clients.iam.send(
            new UpdateAccessKeyCommand({
              UserName: rotation.userName,
              AccessKeyId: effect.keyId,
              Status: effect.status,
            }),
          ),
        );
        if (effect.status === 'Active') reactivated = true;
        await sc.fault(`aws:UpdateAccessKey:${effect.status}`);
        break;
      case 'restore-secret':
        restored.push({ name: effect.name, outcome: await restorePlace(rotation, effect, sc) });
        break;
      case 'delete-new-key': {
        const result = await deleteNewKeyIfUnused(rotation, effect, sc);
        keptKeyIds.push(...result.kept);
        if (result.kept.length) newKey = 'kept-used';
        else if (result.deleted.length) newKey = 'deleted';
        break;
      }
    }
  }

  const intent = rotation.intent;
  switch (intent?.kind) {
    case 'create':
      if (!created) throw new Error('create step without a create-key effect');
      return { event: created.event, pair: created.pair, skippedCount: created.event.skipped.length };
    case 'delete-extra-key': {
      const del = writes.find((w) => w.type === 'delete-key');
      return { event: { type: 'extra-key-deleted', keyId: del?.type === 'delete-key' ? del.keyId : '' } };
    }
    case 'deactivate':
      return { event: { type: 'key-status-set', keyId: rotation.oldKeyId!, status: 'Inactive' } };
    case 'reactivate':
      return { event: { type: 'key-status-set', keyId: rotation.oldKeyId!, status: 'Active' } };
    case 'delete-old-key':
      return { event: { type: 'old-key-deleted', keyId: rotation.oldKeyId! } };
    case 'cancel':
      return { event: { type: 'compensated', secrets: restored, newKey, keptKeyIds, reactivated } };
    default:
      throw new Error('writes without an intent');
  }
}

// ---------------------------------------------------------------------------------------------
// IAM

async function listKeys(iam: IAMClient, userName: string, rotation?: Rotation): Promise<AccessKeyMetadata[]> {
  const keys: AccessKeyMetadata[] = [];
  let marker: string | undefined;
  do {
    const page: ListAccessKeysCommandOutput = await awsCall(rotation, `list the keys of ${userName}`, () =>
      iam.send(new ListAccessKeysCommand({ UserName: userName, Marker: marker })),
    );
    for (const k of page.AccessKeyMetadata ?? []) if (k.AccessKeyId) keys.push(k);
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return keys;
}

async function lastUse(rotation: Rotation, keyId: string, sc: StepContext): Promise<LastUse | 'never'> {
  const res = await awsCall(rotation, `read when ${keyId} was last used`, () =>
    sc.clients.iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: keyId })),
  );
  return lastUseOf(res.AccessKeyLastUsed);
}

async function deleteKey(rotation: Rotation, keyId: string, sc: StepContext): Promise<void> {
  try {
    await sc.clients.iam.send(
      new DeleteAccessKeyCommand({ UserName: rotation.userName, AccessKeyId: keyId }),
    );
  } catch (err) {
    // Already gone: the step is done (a resumed step repeats its deletes).
    if (classifyAwsError(err) === 'not_found') return;
    throw stepError(err, rotation, `delete ${keyId}`);
  }
}

async function pollUsage(rotation: Rotation, sc: StepContext): Promise<SystemEvent> {
  const keys = await listKeys(sc.clients.iam, rotation.userName, rotation);
  const ids = new Set(keys.map((k) => k.AccessKeyId));
  const use = async (keyId: string | undefined): Promise<LastUse | 'never' | 'gone'> =>
    keyId && ids.has(keyId) ? lastUse(rotation, keyId, sc) : 'gone';
  return { type: 'usage-polled', oldKey: await use(rotation.oldKeyId), newKey: await use(rotation.newKeyId) };
}

async function deleteNewKeyIfUnused(
  rotation: Rotation,
  effect: Extract<WriteEffect, { type: 'delete-new-key' }>,
  sc: StepContext,
): Promise<{ deleted: string[]; kept: string[] }> {
  const keys = await listKeys(sc.clients.iam, rotation.userName, rotation);
  const candidates = keys
    .map((k) => k.AccessKeyId!)
    .filter((id) => (effect.keyId ? id === effect.keyId : !effect.keepKeyIds.includes(id)));
  const deleted: string[] = [];
  const kept: string[] = [];
  for (const id of candidates) {
    if ((await lastUse(rotation, id, sc)) !== 'never') {
      kept.push(id);
      continue;
    }
    await deleteKey(rotation, id, sc);
    deleted.push(id);
    await sc.fault('aws:DeleteAccessKey:new');
  }
  return { deleted, kept };
}

// ---------------------------------------------------------------------------------------------
// Create and distribute

/**
 * The step context for one place: a guarded place is read and written under a session scoped
 * to it (the ordinary session's policy denies it); tags and everything else stay on the step's own.
 */
async function forPlace(place: SecretPlace | undefined, sc: StepContext): Promise<StepContext> {
  if (!place?.guarded || !sc.clientsForPlace) return sc;
  return { ...sc, clients: await sc.clientsForPlace(place) };
}

function placesToWrite(rotation: Rotation): SecretPlace[] {
  return rotation.places.secrets.filter((s) => s.selected && s.updatable);
}

/** The key ids a crashed attempt may have left in a place: every key of the user but the old one. */
type WriteOutcome =
  { written: { versionId: string; previousVersionId?: string; layout: KeyLayout } } | { skipped: string };

/**
 * How to replace the old key in `text`. A place whose value was read when it was found has a
 * layout, and a value that no longer matches it was changed since: skipped. A place found by tag
 * or remembered was never read: its layout is found now, and one that turns out not to be
 * editable (or no longer holds the key) is skipped and listed by hand.
 */
function layoutFor(
  place: SecretPlace,
  text: string,
  oldKeyId: string,
): { layout: KeyLayout } | { reason: string } {
  const scanned = place.found === undefined || place.found === 'scan';
  if (scanned && place.layout) return { layout: place.layout };
  if (place.layout) {
    try {
      replaceKeyInSecret(text, place.layout, oldKeyId, { accessKeyId: oldKeyId, secretAccessKey: 'x' });
      return { layout: place.layout };
    } catch {
      // The remembered layout is out of date: look again below.
    }
  }
  const search = findKeyInSecret(text, oldKeyId);
  if (!search.found) return { reason: 'it no longer holds the old key' };
  if (!search.updatable) return { reason: search.reason };
  return { layout: search.layout };
}

/**
 * Creates the new key and writes it into every chosen secret and parameter, in the fields that
 * held the old one (secrets with the attempt's ClientRequestTokens). With `recoverFrom` (a
 * resumed attempt whose key already reached a place) it reads the pair back from that place
 * instead of creating a key, and writes nothing where the key already is.
 */
async function createKey(
  rotation: Rotation,
  effect: Extract<WriteEffect, { type: 'create-key' }>,
  sc: StepContext,
): Promise<{ event: Extract<SystemEvent, { type: 'key-created' }>; pair: KeyPair }> {
  const { iam } = sc.clients;
  const oldKeyId = rotation.oldKeyId!;
  const places = placesToWrite(rotation);
  const keys = await listKeys(iam, rotation.userName, rotation);
  let pair: KeyPair;
  let createdAt: number;

  if (effect.recoverFrom) {
    const { keyId, secretName } = effect.recoverFrom;
    const place = places.find((p) => p.name === secretName);
    const text = place
      ? await attemptText(rotation, place, effect.attempt, [keyId], await forPlace(place, sc))
      : undefined;
    const found = text ? pairIn(text, place?.layout, [keyId]) : undefined;
    const meta = keys.find((k) => k.AccessKeyId === keyId);
    if (!found || found.accessKeyId !== keyId || !meta) {
      throw new RotationStepError(
        `locksmith could not read the new key back from ${secretName}; cancel the rotation and start again.`,
      );
    }
    pair = found;
    createdAt = meta.CreateDate?.getTime() ?? sc.now;
  } else {
    const others = keys.filter((k) => k.AccessKeyId !== oldKeyId).map((k) => k.AccessKeyId);
    if (others.length) {
      // Never meet IAM's two-key limit: a key that is not ours is a person's to remove.
      throw new RotationStepError(
        `${rotation.userName} already has a second key (${others.join(', ')}), so locksmith cannot create one. Remove it or cancel the rotation.`,
      );
    }
    // Noted before the call: after a crash, only a key not among these can be this attempt's.
    await sc.checkpoint?.({ keysBefore: keys.map((k) => k.AccessKeyId!) });
    const res = await awsCall(rotation, `create a key for ${rotation.userName}`, () =>
      iam.send(new CreateAccessKeyCommand({ UserName: rotation.userName })),
    );
    const key = res.AccessKey;
    if (!key?.AccessKeyId || !key.SecretAccessKey) throw new RotationStepError('IAM returned no access key.');
    pair = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
    createdAt = key.CreateDate?.getTime() ?? sc.now;
    await sc.fault('aws:CreateAccessKey');
    // Noted at once: whoever resumes or cancels this step knows exactly which key is its own.
    await sc.checkpoint?.({ createdKeyId: key.AccessKeyId });
  }

  const written: Extract<SystemEvent, { type: 'key-created' }>['written'] = [];
  const skipped: Array<{ name: string; reason: string }> = [];
  for (const place of places) {
    const parameter = parameterNameOf(place.name);
    const psc = await forPlace(place, sc);
    const outcome =
      parameter === undefined
        ? await writeSecret(rotation, place, effect, pair, psc)
        : await writeParameter(rotation, place, parameter, effect, pair, psc, sc.clients.ssm);
    if ('skipped' in outcome) {
      skipped.push({ name: place.name, reason: outcome.skipped });
      continue;
    }
    // The tag follows the key, so the next rotation finds this place without reading it.
    const untagged = await tagPlace(
      sc.clients,
      parameter === undefined ? 'secret' : 'parameter',
      parameter ?? place.arn ?? place.name,
      pair.accessKeyId,
    );
    written.push({ name: place.name, ...outcome.written, ...(untagged ? { untagged } : {}) });
  }

  return {
    event: {
      type: 'key-created',
      attempt: effect.attempt,
      keyId: pair.accessKeyId,
      createdAt,
      written,
      skipped,
    },
    pair,
  };
}

/** The new pair into a secret, as a new version whose id is the attempt's token. */
async function writeSecret(
  rotation: Rotation,
  place: SecretPlace,
  effect: Extract<WriteEffect, { type: 'create-key' }>,
  pair: KeyPair,
  sc: StepContext,
): Promise<WriteOutcome> {
  const sm = sc.clients.secretsManager;
  const oldKeyId = rotation.oldKeyId!;
  const token = secretWriteToken(rotation.id, effect.attempt, place.name);
  if (effect.recoverFrom) {
    const versions = await secretVersions(rotation, place.name, sc);
    const ours = versions?.find((v) => v.VersionId === token);
    if (ours) {
      const previous = ours.VersionStages?.includes('AWSCURRENT')
        ? versions?.find((v) => v.VersionStages?.includes('AWSPREVIOUS'))?.VersionId
        : undefined;
      const text = await attemptText(rotation, place, effect.attempt, [pair.accessKeyId], sc);
      const layout = place.layout ?? (text ? layoutOf(text, pair.accessKeyId) : undefined);
      if (layout) {
        return {
          written: { versionId: token, ...(previous ? { previousVersionId: previous } : {}), layout },
        };
      }
    }
  }
  let current;
  try {
    current = await sm.send(new GetSecretValueCommand({ SecretId: place.name, VersionStage: 'AWSCURRENT' }));
  } catch (err) {
    if (classifyAwsError(err) !== 'not_found') throw stepError(err, rotation, `read ${place.name}`);
    return { skipped: 'it no longer exists' };
  }
  if (current.SecretString === undefined) return { skipped: 'it now holds a binary value' };
  const how = layoutFor(place, current.SecretString, oldKeyId);
  if ('reason' in how) return { skipped: how.reason };
  let text: string;
  try {
    text = replaceKeyInSecret(current.SecretString, how.layout, oldKeyId, pair);
  } catch (err) {
    if (!(err instanceof LayoutMismatchError)) throw err;
    return { skipped: `it was changed since it was found (${err.message})` };
  }
  await awsCall(rotation, `write the new key into ${place.name}`, () =>
    sm.send(
      new PutSecretValueCommand({ SecretId: place.name, SecretString: text, ClientRequestToken: token }),
    ),
  );
  await sc.fault(`aws:PutSecretValue:${place.name}`);
  return {
    written: {
      versionId: token,
      ...(current.VersionId ? { previousVersionId: current.VersionId } : {}),
      layout: how.layout,
    },
  };
}

/**
 * The new pair into a parameter (PutParameter, keeping its type and KMS key). A value that
 * already holds the new key (a resumed attempt) is not written again.
 */
async function writeParameter(
  rotation: Rotation,
  place: SecretPlace,
  name: string,
  effect: Extract<WriteEffect, { type: 'create-key' }>,
  pair: KeyPair,
  sc: StepContext,
  describeWith: SSMClient,
): Promise<WriteOutcome> {
  const oldKeyId = rotation.oldKeyId!;
  const current = await awsCall(rotation, `read ${place.name}`, () => readParameter(sc.clients.ssm, name));
  if (!current) return { skipped: 'it no longer exists' };
  if (effect.recoverFrom && current.value.includes(pair.accessKeyId)) {
    const layout = place.layout ?? layoutOf(current.value, pair.accessKeyId);
    if (layout) {
      return {
        written: {
          versionId: String(current.version),
          ...(current.version > 1 ? { previousVersionId: String(current.version - 1) } : {}),
          layout,
        },
      };
    }
  }
  const how = layoutFor(place, current.value, oldKeyId);
  if ('reason' in how) return { skipped: how.reason };
  let text: string;
  try {
    text = replaceKeyInSecret(current.value, how.layout, oldKeyId, pair);
  } catch (err) {
    if (!(err instanceof LayoutMismatchError)) throw err;
    return { skipped: `it was changed since it was found (${err.message})` };
  }
  const version = await awsCall(rotation, `write the new key into ${place.name}`, () =>
    putParameterKeeping(sc.clients.ssm, name, text, describeWith),
  );
  await sc.fault(`aws:PutParameter:${place.name}`);
  return {
    written: { versionId: String(version), previousVersionId: String(current.version), layout: how.layout },
  };
}

/** The layout of a value that holds `keyId` in an editable place, or undefined. */
function layoutOf(text: string, keyId: string): KeyLayout | undefined {
  const found = findKeyInSecret(text, keyId);
  return found.found && found.updatable ? found.layout : undefined;
}

/**
 * The value an interrupted attempt may have left in a place: a secret's version with the
 * attempt's token; for a parameter, the newest version holding one of `keyIds`.
 */
async function attemptText(
  rotation: Rotation,
  place: SecretPlace,
  attempt: number,
  keyIds: readonly string[],
  sc: StepContext,
): Promise<string | undefined> {
  const parameter = parameterNameOf(place.name);
  try {
    if (parameter === undefined) {
      const res = await sc.clients.secretsManager.send(
        new GetSecretValueCommand({
          SecretId: place.name,
          VersionId: secretWriteToken(rotation.id, attempt, place.name),
        }),
      );
      return res.SecretString;
    }
    const versions = (await parameterHistory(sc.clients.ssm, parameter)) ?? [];
    for (let i = versions.length - 1; i >= 0; i--) {
      const value = versions[i]!.Value ?? '';
      if (keyIds.some((id) => value.includes(id))) return value;
    }
    return undefined;
  } catch (err) {
    if (classifyAwsError(err) === 'not_found') return undefined;
    throw stepError(err, rotation, `read ${place.name}`);
  }
}

/**
 * What an interrupted create attempt left behind: keys besides the old one (and whether each
 * was used), and whether one of them reached a place (a secret's version with the attempt's
 * token, a parameter's value), in which case its secret is not lost and the attempt can be
 * finished.
 */
async function probeCreate(rotation: Rotation, attempt: number, sc: StepContext): Promise<SystemEvent> {
  const keys = await listKeys(sc.clients.iam, rotation.userName, rotation);
  const strays: Array<{ keyId: string; used: boolean }> = [];
  // Only a key made after the attempt noted the user's keys can be the attempt's own; without
  // that note the attempt never called CreateAccessKey, and any other key is someone else's.
  const before = rotation.intent?.keysBefore;
  for (const k of keys) {
    if (k.AccessKeyId === rotation.oldKeyId || !before || before.includes(k.AccessKeyId!)) continue;
    strays.push({ keyId: k.AccessKeyId!, used: (await lastUse(rotation, k.AccessKeyId!, sc)) !== 'never' });
  }
  let recoverFrom: { keyId: string; secretName: string } | undefined;
  if (strays.length) {
    const ids = strays.map((s) => s.keyId);
    for (const place of placesToWrite(rotation)) {
      const text = await attemptText(rotation, place, attempt, ids, await forPlace(place, sc));
      const pair = text ? pairIn(text, place.layout, ids) : undefined;
      if (pair && ids.includes(pair.accessKeyId)) {
        recoverFrom = { keyId: pair.accessKeyId, secretName: place.name };
        break;
      }
    }
  }
  return { type: 'create-probed', attempt, strays, ...(recoverFrom ? { recoverFrom } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Secrets Manager

async function secretVersions(
  rotation: Rotation,
  name: string,
  sc: StepContext,
): Promise<SecretVersionsListEntry[] | undefined> {
  const versions: SecretVersionsListEntry[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page: ListSecretVersionIdsCommandOutput = await sc.clients.secretsManager.send(
        new ListSecretVersionIdsCommand({ SecretId: name, NextToken: nextToken, MaxResults: 100 }),
      );
      versions.push(...(page.Versions ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
  } catch (err) {
    if (classifyAwsError(err) === 'not_found') return undefined;
    throw stepError(err, rotation, `list the versions of ${name}`);
  }
  return versions;
}

/**
 * Puts a place back as it was before this rotation (a secret's stage, a parameter's value), and
 * its tag back on the old key id.
 */
async function restorePlace(
  rotation: Rotation,
  effect: Extract<WriteEffect, { type: 'restore-secret' }>,
  sc: StepContext,
): Promise<RestoreOutcome> {
  const parameter = parameterNameOf(effect.name);
  const oldKeyId = effect.oldKeyId ?? rotation.oldKeyId;
  let outcome: RestoreOutcome;
  const psc = await forPlace(
    rotation.places.secrets.find((p) => p.name === effect.name),
    sc,
  );
  if (parameter === undefined) outcome = await restoreSecret(rotation, effect, psc);
  else {
    if (!oldKeyId) return 'unchanged';
    outcome = await awsCall(rotation, `put ${effect.name} back on its previous value`, () =>
      restoreParameter(
        psc.clients.ssm,
        parameter,
        oldKeyId,
        effect.layout,
        async () => {
          await sc.fault(`aws:PutParameter:restore:${effect.name}`);
        },
        sc.clients.ssm,
      ),
    );
  }
  if (outcome === 'restored' && oldKeyId) {
    await tagPlace(
      sc.clients,
      parameter === undefined ? 'secret' : 'parameter',
      parameter ?? effect.name,
      oldKeyId,
    );
  }
  return outcome;
}

/**
 * Moves AWSCURRENT back from this rotation's version to the one before it (Secrets Manager
 * moves AWSPREVIOUS along). Leaves the secret alone if AWSCURRENT is not on a version this
 * rotation wrote: either nothing was written, it was already restored, or someone wrote a
 * newer value since, which must not be thrown away.
 */
async function restoreSecret(
  rotation: Rotation,
  effect: Extract<WriteEffect, { type: 'restore-secret' }>,
  sc: StepContext,
): Promise<RestoreOutcome> {
  const versions = await secretVersions(rotation, effect.name, sc);
  if (!versions) return 'gone';
  const current = versions.find((v) => v.VersionStages?.includes('AWSCURRENT'));
  const ours = versions.filter((v) => v.VersionId && effect.ourVersionIds.includes(v.VersionId));
  if (ours.length === 0) return 'unchanged';
  if (!current?.VersionId || !effect.ourVersionIds.includes(current.VersionId)) {
    // AWSCURRENT has left our version: restored before (it is on an older version) or rewritten.
    // Only the report depends on this (nothing is written either way). CreatedDate has whole
    // seconds (moto's too, through the devkit's extension), so a rewrite within the same second
    // reads as restored.
    const newestOurs = Math.max(...ours.map((v) => v.CreatedDate?.getTime() ?? 0));
    const isOlder =
      current?.VersionId === effect.previousVersionId ||
      (current?.CreatedDate !== undefined && current.CreatedDate.getTime() <= newestOurs);
    return isOlder ? 'restored' : 'changed-since';
  }
  const target =
    (effect.previousVersionId && versions.some((v) => v.VersionId === effect.previousVersionId)
      ? effect.previousVersionId
      : undefined) ??
    versions.find(
      (v) => v.VersionStages?.includes('AWSPREVIOUS') && !effect.ourVersionIds.includes(v.VersionId!),
    )?.VersionId;
  if (!target) return 'changed-since';
  await awsCall(rotation, `move ${effect.name} back to its previous version`, () =>
    sc.clients.secretsManager.send(
      new UpdateSecretVersionStageCommand({
        SecretId: effect.name,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: target,
        RemoveFromVersionId: current.VersionId,
      }),
    ),
  );
  await sc.fault(`aws:UpdateSecretVersionStage:${effect.name}`);
  return 'restored';
}

// ---------------------------------------------------------------------------------------------
// Errors

async function awsCall<T>(rotation: Rotation | undefined, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw stepError(err, rotation, what);
  }
}

/** A sentence for the person; the AWS error stays as `cause` for the log. */
export function stepError(err: unknown, rotation: Rotation | undefined, what: string): Error {
  if (err instanceof RotationStepError) return err;
  const role = rotation ? ` (role ${rotation.role.name})` : '';
  switch (classifyAwsError(err)) {
    case 'access_denied':
      return new RotationStepError(`IAM did not allow locksmith to ${what}${role}.`, { cause: err });
    case 'throttled':
      return new RotationStepError(`AWS is throttling requests; could not ${what}. It is retried later.`, {
        cause: err,
      });
    case 'unavailable':
      return new RotationStepError(`AWS could not be reached to ${what}. It is retried later.`, {
        cause: err,
      });
    case 'not_found':
      return new RotationStepError(`Could not ${what}: it does not exist (any more).`, { cause: err });
    default: {
      const name = typeof err === 'object' && err !== null && 'name' in err ? String(err.name) : 'error';
      return new RotationStepError(`Could not ${what} (${name}).`, { cause: err });
    }
  }
}
