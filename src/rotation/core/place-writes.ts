/**
 * Writing the new pair into one place, as idempotent steps: a secret as a new version whose id
 * is the attempt's token, a parameter with PutParameter keeping its type and KMS key; a place
 * already holding the new key (a resumed attempt) is not written again. Also reads back what an
 * interrupted attempt left in a place.
 */
import {
  GetSecretValueCommand,
  paginateListSecretVersionIds,
  PutSecretValueCommand,
  type SecretVersionsListEntry,
} from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { classifyAwsError } from '../../aws/aws-errors.js';
import {
  findKeyInSecret,
  type KeyLayout,
  type KeyPair,
  LayoutMismatchError,
  replaceKeyInSecret,
} from './key-places.js';
import { parameterNameOf } from './locate.js';
import { parameterHistory, putParameterKeeping, readParameter } from './parameter-store.js';
import { secretWriteToken } from './request-token.js';
import type { Rotation, SecretPlace, WriteEffect } from './rotation.js';
import { awsCall, type StepContext, stepError } from './step-context.js';

/** The key ids a crashed attempt may have left in a place: every key of the user but the old one. */
export type WriteOutcome =
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

/** The new pair into a secret, as a new version whose id is the attempt's token. */
export async function writeSecret(
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
  const next = replacedValue(place, current.SecretString, oldKeyId, pair);
  if ('skipped' in next) return next;
  const { text, layout } = next;
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
      layout,
    },
  };
}

/**
 * The new pair into a parameter (PutParameter, keeping its type and KMS key). A value that
 * already holds the new key (a resumed attempt) is not written again.
 */
export async function writeParameter(
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
  const next = replacedValue(place, current.value, oldKeyId, pair);
  if ('skipped' in next) return next;
  const { text, layout } = next;
  const version = await awsCall(rotation, `write the new key into ${place.name}`, () =>
    putParameterKeeping(sc.clients.ssm, name, text, describeWith),
  );
  await sc.fault(`aws:PutParameter:${place.name}`);
  return {
    written: { versionId: String(version), previousVersionId: String(current.version), layout },
  };
}

/** `text` with the new pair in place of the old key, and where it went; or why the place is skipped. */
function replacedValue(
  place: SecretPlace,
  text: string,
  oldKeyId: string,
  pair: KeyPair,
): { text: string; layout: KeyLayout } | { skipped: string } {
  const how = layoutFor(place, text, oldKeyId);
  if ('reason' in how) return { skipped: how.reason };
  try {
    return { text: replaceKeyInSecret(text, how.layout, oldKeyId, pair), layout: how.layout };
  } catch (err) {
    if (!(err instanceof LayoutMismatchError)) throw err;
    return { skipped: `it was changed since it was found (${err.message})` };
  }
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
export async function attemptText(
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

export async function secretVersions(
  rotation: Rotation,
  name: string,
  sc: StepContext,
): Promise<SecretVersionsListEntry[] | undefined> {
  const versions: SecretVersionsListEntry[] = [];
  try {
    const pages = paginateListSecretVersionIds(
      { client: sc.clients.secretsManager },
      { SecretId: name, MaxResults: 100 },
    );
    for await (const page of pages) versions.push(...(page.Versions ?? []));
  } catch (err) {
    if (classifyAwsError(err) === 'not_found') return undefined;
    throw stepError(err, rotation, `list the versions of ${name}`);
  }
  return versions;
}
