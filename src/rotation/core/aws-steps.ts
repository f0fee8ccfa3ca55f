/**
 * The AWS side of the rotation effects: each read returns the event that reports it, each write
 * is idempotent or reconciles with what AWS already holds, so a step resumed after a crash
 * repeats safely. Runs under the clients it is given (the person's session, or the background
 * role); knows nothing of the store or of Slack.
 *
 * This module dispatches each effect to its step: step-context.ts (what a step runs with, AWS
 * errors as sentences), key-steps.ts (IAM keys), new-key.ts (create and distribute the new key),
 * place-writes.ts and place-restore.ts (one place written or put back). Parameter Store places
 * are read and written by parameter-store.ts.
 */
import { UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import type { KeyPair } from './key-places.js';
import { deleteKey, deleteNewKeyIfUnused, inspectKeys, pollUsage } from './key-steps.js';
import { locateByTag, scanPlaces } from './locate.js';
import { createKey, probeCreate } from './new-key.js';
import { restorePlace } from './place-restore.js';
import type { ReadEffect, RestoreOutcome, Rotation, SystemEvent, WriteEffect } from './rotation.js';
import { awsCall, type StepContext } from './step-context.js';

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
