/**
 * The IAM side of the rotation steps: the user's keys and their last use, deleting a key (a
 * resumed delete of a key already gone is done), and the new key's removal when a rotation is
 * cancelled before anyone used it.
 */
import {
  type AccessKeyMetadata,
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  type IAMClient,
  paginateListAccessKeys,
} from '@aws-sdk/client-iam';
import { classifyAwsError } from '../../aws/aws-errors.js';
import { type KeyFact, keyFacts, type LastUse, lastUseOf } from './key-facts.js';
import type { Rotation, SystemEvent, WriteEffect } from './rotation.js';
import { awsCall, type StepContext, stepError } from './step-context.js';

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

export async function listKeys(
  iam: IAMClient,
  userName: string,
  rotation?: Rotation,
): Promise<AccessKeyMetadata[]> {
  return awsCall(rotation, `list the keys of ${userName}`, async () => {
    const keys: AccessKeyMetadata[] = [];
    for await (const page of paginateListAccessKeys({ client: iam }, { UserName: userName })) {
      for (const k of page.AccessKeyMetadata ?? []) if (k.AccessKeyId) keys.push(k);
    }
    return keys;
  });
}

export async function lastUse(
  rotation: Rotation,
  keyId: string,
  sc: StepContext,
): Promise<LastUse | 'never'> {
  const res = await awsCall(rotation, `read when ${keyId} was last used`, () =>
    sc.clients.iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: keyId })),
  );
  return lastUseOf(res.AccessKeyLastUsed);
}

export async function deleteKey(rotation: Rotation, keyId: string, sc: StepContext): Promise<void> {
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

export async function pollUsage(rotation: Rotation, sc: StepContext): Promise<SystemEvent> {
  const keys = await listKeys(sc.clients.iam, rotation.userName, rotation);
  const ids = new Set(keys.map((k) => k.AccessKeyId));
  const use = async (keyId: string | undefined): Promise<LastUse | 'never' | 'gone'> =>
    keyId && ids.has(keyId) ? lastUse(rotation, keyId, sc) : 'gone';
  return { type: 'usage-polled', oldKey: await use(rotation.oldKeyId), newKey: await use(rotation.newKeyId) };
}

export async function deleteNewKeyIfUnused(
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
