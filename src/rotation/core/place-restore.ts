/**
 * Putting a place back as it was before the rotation when it is cancelled: a secret's
 * AWSCURRENT stage back on the version before ours, a parameter's value back, and the place's
 * tag back on the old key id. A value someone wrote since is never thrown away.
 */
import { UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { parameterNameOf, tagPlace } from './locate.js';
import { restoreParameter } from './parameter-store.js';
import { secretVersions } from './place-writes.js';
import type { RestoreOutcome, Rotation, WriteEffect } from './rotation.js';
import { awsCall, forPlace, type StepContext } from './step-context.js';

/**
 * Puts a place back as it was before this rotation (a secret's stage, a parameter's value), and
 * its tag back on the old key id.
 */
export async function restorePlace(
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
