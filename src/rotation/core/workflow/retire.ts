/**
 * Deactivate, grace and delete: the old key is made inactive, can be reactivated during the grace
 * period, and is deleted once that is confirmed (and approved).
 */
import { plural } from '../../../core/text.js';
import {
  approvalPending,
  BOT,
  clearStep,
  DAY_MS,
  endStep,
  iso,
  lastPersonIn,
  log,
  notAllowed,
  notify,
  ok,
  type PersonStep,
  type SystemStep,
} from './context.js';
import { askApproval, enterDelete, enterSwitchOver, finish, startIntent, withdrawPending } from './steps.js';

/** The old key was made inactive (grace starts) or active again (back to the switch-over). */
export const keyStatusSet: SystemStep<'key-status-set'> = (r, event, ctx, effects) => {
  const { now } = ctx;
  const intentKind = r.intent?.kind;
  if (intentKind === 'deactivate' && event.status === 'Inactive' && r.state === 'deactivate') {
    clearStep(r);
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
    clearStep(r);
    r.deactivatedAt = undefined;
    r.graceEndsAt = undefined;
    const by = lastPersonIn(r) ?? BOT;
    log(r, now, BOT, `reactivated ${event.keyId}; waiting for the switch-over again`);
    effects.push(notify({ kind: 'key-reactivated', keyId: event.keyId, by }));
    enterSwitchOver(r, ctx, effects);
    return ok(r, effects);
  }
  return notAllowed(r, event);
};

/** Make the old key active again. */
export const reactivate: PersonStep<'reactivate'> = (r, event, ctx, effects) => {
  withdrawPending(r, effects, 'the old key is being reactivated');
  log(r, ctx.now, event.by, `asked to reactivate ${r.oldKeyId}`);
  startIntent(
    r,
    'reactivate',
    [{ type: 'set-key-status', keyId: r.oldKeyId!, status: 'Active' }],
    ctx,
    effects,
  );
  return ok(r, effects);
};

/** Delete the old key (after an approval when the config asks for one). */
export const confirmDelete: PersonStep<'confirm-delete'> = (r, event, ctx, effects) => {
  const { now } = ctx;
  if (r.pendingApproval) return approvalPending(r);
  if (ctx.config.approvals.delete) {
    return askApproval(
      r,
      event.by,
      `confirmed deleting ${r.oldKeyId}; asking for approval`,
      {
        action: 'delete-key',
        keyId: r.oldKeyId!,
        reason: `${r.oldKeyId} has been inactive since ${iso(r.deactivatedAt)} and ${r.newKeyId} is in use`,
      },
      ctx,
      effects,
    );
  }
  log(r, now, event.by, `confirmed deleting ${r.oldKeyId}`);
  enterDelete(r, ctx, effects);
  return ok(r, effects);
};

/** The old key is gone: the rotation is done. */
export const oldKeyDeleted: SystemStep<'old-key-deleted'> = (r, event, ctx, effects) => {
  const refused = endStep(r, event, { state: 'delete', kind: 'delete-old-key' });
  if (refused) return refused;
  log(r, ctx.now, BOT, `deleted ${event.keyId}; ${r.newKeyId} is ${r.userName}'s only key`);
  finish(r, 'done', [`${r.userName} now has one key, ${r.newKeyId}.`], effects);
  return ok(r, effects);
};
