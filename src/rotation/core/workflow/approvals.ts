/**
 * Approval gates: an approver's decision on the step the rotation waits for (guarded places,
 * the extra key, deactivation, skipping the wait, deletion).
 */
import { approvalMismatch, describeAction, log, ok, type PersonStep, pollMs } from './context.js';
import { needsSearchAck } from './state.js';
import {
  enterDeactivate,
  enterDelete,
  guardedChoice,
  searchNotAcknowledged,
  startCreate,
  startIntent,
  takePending,
} from './steps.js';

/** The pending approval was granted: its step starts. */
export const approvalGranted: PersonStep<'approval-granted'> = (r, event, ctx, effects) => {
  const { now } = ctx;
  const pending = takePending(r, event.approvalId);
  if (!pending) return approvalMismatch(r);
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
};

/** The pending approval was rejected (or expired): back to waiting. */
export const approvalRejected: PersonStep<'approval-rejected'> = (r, event, ctx, effects) => {
  const { now } = ctx;
  const pending = takePending(r, event.approvalId);
  if (!pending) return approvalMismatch(r);
  const note = event.note?.trim() ? `: ${event.note.trim()}` : '';
  log(r, now, event.by, `rejected: ${describeAction(pending.action)} ${pending.keyId}${note}`);
  if (r.state === 'notify-and-approve') {
    // Back to waiting; the next poll may find the key ready again.
    r.state = 'switch-over';
    r.nextCheckAt = now + pollMs(ctx);
  }
  return ok(r, effects);
};
