/**
 * Creating the new key and writing it into every chosen place, and finding out what an
 * interrupted create attempt left behind. The new key's SecretAccessKey lives only in local
 * variables of {@link createKey}: it goes into the secrets and parameters and, when a place
 * needs it typed in by hand, back to the runner's caller.
 */
import { CreateAccessKeyCommand } from '@aws-sdk/client-iam';
import type { KeyPair } from './key-places.js';
import { lastUse, listKeys } from './key-steps.js';
import { parameterNameOf, tagPlace } from './locate.js';
import { pairIn } from './parameter-store.js';
import { attemptText, writeParameter, writeSecret } from './place-writes.js';
import type { Rotation, SecretPlace, SystemEvent, WriteEffect } from './rotation.js';
import { awsCall, forPlace, RotationStepError, type StepContext } from './step-context.js';

function placesToWrite(rotation: Rotation): SecretPlace[] {
  return rotation.places.secrets.filter((s) => s.selected && s.updatable);
}

/**
 * Creates the new key and writes it into every chosen secret and parameter, in the fields that
 * held the old one (secrets with the attempt's ClientRequestTokens). With `recoverFrom` (a
 * resumed attempt whose key already reached a place) it reads the pair back from that place
 * instead of creating a key, and writes nothing where the key already is.
 */
export async function createKey(
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

/**
 * What an interrupted create attempt left behind: keys besides the old one (and whether each
 * was used), and whether one of them reached a place (a secret's version with the attempt's
 * token, a parameter's value), in which case its secret is not lost and the attempt can be
 * finished.
 */
export async function probeCreate(
  rotation: Rotation,
  attempt: number,
  sc: StepContext,
): Promise<SystemEvent> {
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
