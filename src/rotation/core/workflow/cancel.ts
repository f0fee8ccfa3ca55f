/**
 * Cancel: undo what the rotation may have changed (compensations), at once or as soon as a step
 * in flight ends.
 */
import { type Rotation, type RotationEffect, type WriteEffect } from '../rotation.js';
import { secretWriteTokens } from '../request-token.js';
import {
  BOT,
  endStep,
  log,
  ok,
  type SystemStep,
  type TransitionContext,
  type TransitionResult,
} from './context.js';
import { canCancel, isBusy, isFinal } from './state.js';
import { finish, startIntent, withdrawPending } from './steps.js';

/** A cancel asked for during a step: planned as soon as the step has ended (or failed). */
export function cancelIfRequested(
  result: TransitionResult & { ok: true },
  ctx: TransitionContext,
): TransitionResult {
  const r = result.rotation;
  const asked = r.cancelRequested;
  if (!asked || isFinal(r.state) || r.state === 'cancelling' || isBusy(r, ctx.now, ctx.isGone)) return result;
  const next = structuredClone(r);
  delete next.cancelRequested;
  if (!canCancel(next)) return ok(next, result.effects);
  const cancelled = planCancel(next, asked.by, asked.reason, ctx);
  return cancelled.ok ? ok(cancelled.rotation, [...result.effects, ...cancelled.effects]) : result;
}

/**
 * The compensations for cancelling now: reactivate the old key if it may be inactive, move
 * AWSCURRENT back in every secret this rotation may have written, delete a new key made here if
 * it was never used. Each is planned for what *may* have happened (a stale step might have got
 * half way), and each is a no-op in AWS when it did not.
 */
export function planCancel(
  r: Rotation,
  by: string,
  reason: string | undefined,
  ctx: TransitionContext,
): TransitionResult {
  const { now } = ctx;
  const effects: RotationEffect[] = [];
  withdrawPending(r, effects, 'the rotation was cancelled');
  delete r.parked;
  const why = reason?.trim() ? `: ${reason.trim()}` : '';
  log(r, now, by, `cancelled the rotation${why}`);

  const writes: WriteEffect[] = [];
  const intentKind = r.intent?.kind;
  const oldKeyId = r.oldKeyId;
  if (
    oldKeyId &&
    (r.deactivatedAt !== undefined || intentKind === 'deactivate' || intentKind === 'reactivate')
  ) {
    writes.push({ type: 'set-key-status', keyId: oldKeyId, status: 'Active' });
  }
  if (r.createAttempt > 0) {
    for (const place of r.places.secrets) {
      if (!place.selected) continue;
      const layout = place.written?.layout ?? place.layout;
      writes.push({
        type: 'restore-secret',
        name: place.name,
        ourVersionIds: secretWriteTokens(r.id, r.createAttempt, place.name),
        ...(place.written?.previousVersionId ? { previousVersionId: place.written.previousVersionId } : {}),
        ...(oldKeyId ? { oldKeyId } : {}),
        ...(layout ? { layout } : {}),
      });
    }
  }
  if (r.newKeyCreatedHere && r.newKeyId) {
    writes.push({ type: 'delete-new-key', keyId: r.newKeyId, keepKeyIds: oldKeyId ? [oldKeyId] : [] });
  } else if (intentKind === 'create' && r.intent?.createdKeyId) {
    // The create step was interrupted after CreateAccessKey answered: that key is known.
    writes.push({
      type: 'delete-new-key',
      keyId: r.intent.createdKeyId,
      keepKeyIds: oldKeyId ? [oldKeyId] : [],
    });
  } else if (intentKind === 'create' && r.intent?.keysBefore) {
    // Interrupted after the keys were noted and before the new one was: only a key not there
    // before can be this rotation's. Without the note, CreateAccessKey was never called.
    writes.push({ type: 'delete-new-key', keepKeyIds: [...r.intent.keysBefore] });
  }

  r.pendingApproval = undefined;
  r.nextCheckAt = undefined;
  if (writes.length === 0) {
    const staleExtra = r.intent?.effects.find((e) => e.type === 'delete-key' && e.purpose === 'extra');
    const extraId = r.extraKeyDeletedId ?? (staleExtra?.type === 'delete-key' ? staleExtra.keyId : undefined);
    r.intent = undefined;
    const notes = extraId
      ? [
          `The never-used extra key ${extraId} was (or may have been) deleted; that cannot be undone. Nothing else was changed.`,
        ]
      : ['Nothing had been changed in AWS yet.'];
    finish(r, 'cancelled', notes, effects);
    return ok(r, effects);
  }
  r.state = 'cancelling';
  r.intent = undefined;
  startIntent(r, 'cancel', writes, ctx, effects);
  return ok(r, effects);
}

/** The compensations ran: the rotation is cancelled, with what was undone. */
export const compensated: SystemStep<'compensated'> = (r, event, ctx, effects) => {
  const refused = endStep(r, event, { state: 'cancelling', kind: 'cancel' });
  if (refused) return refused;
  const notes: string[] = [];
  if (event.reactivated) notes.push(`${r.oldKeyId} is active again.`);
  for (const s of event.secrets) {
    const place = r.places.secrets.find((p) => p.name === s.name);
    if (place) place.restored = s.outcome;
    if (s.outcome === 'restored') notes.push(`${s.name} is back on its previous version.`);
    if (s.outcome === 'changed-since') {
      notes.push(`${s.name} was changed by someone else since locksmith wrote it; it was left as it is.`);
    }
    if (s.outcome === 'gone') notes.push(`${s.name} no longer exists.`);
  }
  if (event.newKey === 'deleted') notes.push(`The new key was never used and was deleted.`);
  if (event.newKey === 'kept-used') {
    notes.push(
      `The new key ${event.keptKeyIds.join(', ')} has already been used, so it was kept: ${r.userName} has two keys until one is removed.`,
    );
  }
  log(r, ctx.now, BOT, `undid the rotation's changes: ${notes.join(' ') || 'nothing to undo'}`);
  finish(r, 'cancelled', notes, effects);
  return ok(r, effects);
};
