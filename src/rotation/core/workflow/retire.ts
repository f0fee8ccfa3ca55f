/**
 * Deactivate, grace and delete: the old key is made inactive, can be reactivated during the grace
 * period, and is deleted once that is confirmed (and approved).
 */
import { type Rotation, type RotationEffect } from '../rotation.js';
import { plural } from '../../../core/text.js';
import {
  approvalPending,
  BOT,
  DAY_MS,
  iso,
  lastPersonIn,
  log,
  notAllowed,
  notify,
  ok,
  type PersonEventOf,
  type SystemEventOf,
  type TransitionContext,
  type TransitionResult,
} from './context.js';
import {
  enterDelete,
  enterSwitchOver,
  finish,
  requestApproval,
  startIntent,
  withdrawPending,
} from './steps.js';

/** The old key was made inactive (grace starts) or active again (back to the switch-over). */
export function keyStatusSet(
  r: Rotation,
  event: SystemEventOf<'key-status-set'>,
  ctx: TransitionContext,
  effects: RotationEffect[],
): TransitionResult {
  const { now } = ctx;
  const intentKind = r.intent?.kind;
  if (intentKind === 'deactivate' && event.status === 'Inactive' && r.state === 'deactivate') {
    r.intent = undefined;
    r.lastError = undefined;
    r.deactivatedAt = now;
    r.graceEndsAt = now + ctx.config.graceDays * DAY_MS;
    r.state = 'grace';
    r.nextCheckAt = undefined;
    log(
      r,
      now,
      BOT,
      `made ${event.keyId} inactive; it is deleted after ${plural(ctx.config.graceDays, 'day')} unless reactivated`,
    );
    effects.push(notify({ kind: 'key-deactivated', keyId: event.keyId, graceEndsAt: r.graceEndsAt }));
    return ok(r, effects);
  }
  if (intentKind === 'reactivate' && event.status === 'Active') {
    r.intent = undefined;
    r.lastError = undefined;
    r.deactivatedAt = undefined;
    r.graceEndsAt = undefined;
    const by = lastPersonIn(r) ?? BOT;
    log(r, now, BOT, `reactivated ${event.keyId}; waiting for the switch-over again`);
    effects.push(notify({ kind: 'key-reactivated', keyId: event.keyId, by }));
    enterSwitchOver(r, ctx, effects);
    return ok(r, effects);
  }
  return notAllowed(r, event);
}

/** Make the old key active again. */
export function reactivate(
  r: Rotation,
  event: PersonEventOf<'reactivate'>,
  ctx: TransitionContext,
  effects: RotationEffect[],
): TransitionResult {
  const { now } = ctx;
  withdrawPending(r, effects, 'the old key is being reactivated');
  log(r, now, event.by, `asked to reactivate ${r.oldKeyId}`);
  startIntent(
    r,
    'reactivate',
    [{ type: 'set-key-status', keyId: r.oldKeyId!, status: 'Active' }],
    ctx,
    effects,
  );
  return ok(r, effects);
}

/** Delete the old key (after an approval when the config asks for one). */
export function confirmDelete(
  r: Rotation,
  event: PersonEventOf<'confirm-delete'>,
  ctx: TransitionContext,
  effects: RotationEffect[],
): TransitionResult {
  const { now } = ctx;
  if (r.pendingApproval) return approvalPending(r);
  if (ctx.config.approvals.delete) {
    log(r, now, event.by, `confirmed deleting ${r.oldKeyId}; asking for approval`);
    effects.push(
      requestApproval(
        r,
        'delete-key',
        r.oldKeyId!,
        event.by,
        `${r.oldKeyId} has been inactive since ${iso(r.deactivatedAt)} and ${r.newKeyId} is in use`,
        now,
      ),
    );
    return ok(r, effects);
  }
  log(r, now, event.by, `confirmed deleting ${r.oldKeyId}`);
  enterDelete(r, ctx, effects);
  return ok(r, effects);
}

/** The old key is gone: the rotation is done. */
export function oldKeyDeleted(
  r: Rotation,
  event: SystemEventOf<'old-key-deleted'>,
  ctx: TransitionContext,
  effects: RotationEffect[],
): TransitionResult {
  const { now } = ctx;
  const intentKind = r.intent?.kind;
  if (r.state !== 'delete' || intentKind !== 'delete-old-key') return notAllowed(r, event);
  r.intent = undefined;
  r.lastError = undefined;
  log(r, now, BOT, `deleted ${event.keyId}; ${r.newKeyId} is ${r.userName}'s only key`);
  finish(r, 'done', [`${r.userName} now has one key, ${r.newKeyId}.`], effects);
  return ok(r, effects);
}
