/**
 * Approval gates: an approver's decision on the step the rotation waits for (guarded places,
 * the extra key, deactivation, skipping the wait, deletion).
 */
import { type Rotation, type RotationEffect } from '../rotation.js';
import {
  approvalMismatch,
  describeAction,
  log,
  ok,
  type PersonEventOf,
  pollMs,
  type TransitionContext,
  type TransitionResult,
} from './context.js';
import { needsSearchAck } from './state.js';
import {
  enterDeactivate,
  enterDelete,
  guardedChoice,
  searchNotAcknowledged,
  startCreate,
  startIntent,
} from './steps.js';

/** The pending approval was granted: its step starts. */
export function approvalGranted(
  r: Rotation,
  event: PersonEventOf<'approval-granted'>,
  ctx: TransitionContext,
  effects: RotationEffect[],
): TransitionResult {
  const { now } = ctx;
  const pending = r.pendingApproval;
  if (!pending || pending.id !== event.approvalId) return approvalMismatch(r);
  r.pendingApproval = undefined;
  log(r, now, event.by, `approved: ${describeAction(pending.action)} ${pending.keyId}`);
  switch (pending.action) {
    case 'write-guarded':
      if (r.state !== 'confirm-places') return approvalMismatch(r);
      r.places.guardedApproved = {
        by: event.by,
        at: now,
        approvalId: pending.id,
        names: guardedChoice(r),
      };
      startCreate(r, ctx, effects);
      break;
    case 'delete-extra-key':
      startIntent(
        r,
        'delete-extra-key',
        [{ type: 'delete-key', keyId: pending.keyId, purpose: 'extra' }],
        ctx,
        effects,
      );
      break;
    case 'deactivate-key':
    case 'skip-wait':
      if (needsSearchAck(r)) return searchNotAcknowledged(r);
      enterDeactivate(r, ctx, effects);
      break;
    case 'delete-key':
      enterDelete(r, ctx, effects);
      break;
  }
  return ok(r, effects);
}

/** The pending approval was rejected (or expired): back to waiting. */
export function approvalRejected(
  r: Rotation,
  event: PersonEventOf<'approval-rejected'>,
  ctx: TransitionContext,
  effects: RotationEffect[],
): TransitionResult {
  const { now } = ctx;
  const pending = r.pendingApproval;
  if (!pending || pending.id !== event.approvalId) return approvalMismatch(r);
  r.pendingApproval = undefined;
  const note = event.note?.trim() ? `: ${event.note.trim()}` : '';
  log(r, now, event.by, `rejected: ${describeAction(pending.action)} ${pending.keyId}${note}`);
  if (r.state === 'notify-and-approve') {
    // Back to waiting; the next poll may find the key ready again.
    r.state = 'switch-over';
    r.nextCheckAt = now + pollMs(ctx);
  }
  return ok(r, effects);
}
