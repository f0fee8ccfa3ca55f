/**
 * Switch-over and notify-and-approve: polls until the new key is used and the old one has been
 * quiet long enough, then tells 2ndline and asks an approver to deactivate the old key.
 */
import {
  type Rotation,
  type RotationEffect,
  searchComplete,
  searchGaps,
  type SystemEvent,
} from '../rotation.js';
import { plural } from '../../../core/text.js';
import {
  approvalPending,
  BOT,
  HOUR_MS,
  iso,
  log,
  notAllowed,
  notify,
  ok,
  type PersonStep,
  pollMs,
  refuse,
  type SystemEventOf,
  type TransitionContext,
  type TransitionResult,
} from './context.js';
import { needsSearchAck } from './state.js';
import {
  enterDeactivate,
  finish,
  requestApproval,
  searchNotAcknowledged,
  searchNote,
  withdrawPending,
} from './steps.js';

/** A poll of both keys' last use. */
export function usagePolled(
  r: Rotation,
  event: SystemEventOf<'usage-polled'>,
  ctx: TransitionContext,
  _effects: RotationEffect[],
): TransitionResult {
  if ((r.state !== 'switch-over' && r.state !== 'notify-and-approve') || r.intent)
    return notAllowed(r, event);
  return polled(r, event, ctx);
}

export function polled(
  r: Rotation,
  event: Extract<SystemEvent, { type: 'usage-polled' }>,
  ctx: TransitionContext,
): TransitionResult {
  const { now } = ctx;
  const effects: RotationEffect[] = [];
  r.lastError = undefined;
  if (event.oldKey === 'gone') {
    log(r, now, BOT, `${r.oldKeyId} was deleted outside locksmith`);
    withdrawPending(r, effects, 'the old key no longer exists');
    finish(r, 'done', [`${r.oldKeyId} was deleted outside locksmith; ${r.newKeyId} remains.`], effects);
    return ok(r, effects);
  }
  if (event.newKey === 'gone') {
    const message = `The new key ${r.newKeyId} no longer exists (deleted outside locksmith). Cancel this rotation and start again.`;
    r.lastError = { at: now, message };
    r.nextCheckAt = now + pollMs(ctx);
    effects.push(notify({ kind: 'step-failed', message }));
    return ok(r, effects);
  }
  const oldAt = event.oldKey === 'never' ? undefined : event.oldKey.at;
  const firstPoll = r.lastPolledAt === undefined;
  // Quietness is measured on the bot's clock from the moment a poll first saw the old key's
  // last-use unchanged; IAM's timestamps are only compared with each other. That is robust to
  // clock skew and to IAM reporting last use with a delay: a late report just restarts the wait.
  if (r.quietSince === undefined) r.quietSince = now;
  if (!firstPoll && oldAt !== r.oldKeyLastUsedAt) r.quietSince = now;
  r.oldKeyLastUsedAt = oldAt;
  if (event.newKey !== 'never') r.newKeyUsedAt = event.newKey.at;
  r.lastPolledAt = now;
  r.nextCheckAt = now + pollMs(ctx);

  const neededMs = ctx.config.quietHours * HOUR_MS;
  const quietForMs = now - r.quietSince;
  const ready = r.newKeyUsedAt !== undefined && quietForMs >= neededMs;
  effects.push(
    notify({
      kind: 'switch-over-status',
      ...(r.newKeyUsedAt !== undefined ? { newKeyUsedAt: r.newKeyUsedAt } : {}),
      ...(oldAt !== undefined ? { oldKeyLastUsedAt: oldAt } : {}),
      quietSince: r.quietSince,
      quietForMs,
      neededMs,
      ready,
    }),
  );

  if (r.state === 'switch-over' && ready) {
    r.state = 'notify-and-approve';
    log(r, now, BOT, `switch-over complete: ${readyWhy(r, quietForMs, oldAt)}`);
    planDeactivation(r, ctx, effects, quietForMs, oldAt);
  } else if (r.state === 'notify-and-approve' && !ready) {
    if (r.pendingApproval?.action === 'deactivate-key') {
      // The reason given to the approvers no longer holds.
      log(r, now, BOT, `${r.oldKeyId} was used again: deactivation is off until it is quiet again`);
      withdrawPending(r, effects, `${r.oldKeyId} was used again`);
      r.state = 'switch-over';
    } else if (!r.pendingApproval && needsSearchAck(r)) {
      log(r, now, BOT, `${r.oldKeyId} was used again while waiting for the acknowledgement`);
      r.state = 'switch-over';
    }
  }
  return ok(r, effects);
}

/** Why the old key is believed unused, for 2ndline and the approvers. */
export function readyWhy(r: Rotation, quietForMs: number, oldAt: number | undefined): string {
  return (
    `${r.newKeyId} is in use (last used ${iso(r.newKeyUsedAt)}) and ${r.oldKeyId} has not been used for ` +
    `${plural(Math.floor(quietForMs / HOUR_MS), 'hour')} (last used ${oldAt === undefined ? 'never' : iso(oldAt)})`
  );
}

/**
 * The old key is ready to go (notify-and-approve): tell 2ndline and ask an approver, or, after an
 * incomplete search, first ask the requester to acknowledge it.
 */
export function planDeactivation(
  r: Rotation,
  ctx: TransitionContext,
  effects: RotationEffect[],
  quietForMs = r.quietSince !== undefined ? ctx.now - r.quietSince : 0,
  oldAt = r.oldKeyLastUsedAt,
): void {
  const gaps = r.places.search && !searchComplete(r.places.search) ? searchGaps(r.places.search) : [];
  if (needsSearchAck(r)) {
    log(r, ctx.now, BOT, `deactivation waits for the acknowledgement that not every place was searched`);
    effects.push(notify({ kind: 'search-ack-needed', keyId: r.oldKeyId!, gaps }));
    return;
  }
  const why = readyWhy(r, quietForMs, oldAt);
  const needsApproval = ctx.config.approvals.deactivate;
  effects.push(
    notify({
      kind: 'deactivation-planned',
      keyId: r.oldKeyId!,
      userName: r.userName,
      why,
      needsApproval,
      ...(gaps.length ? { gaps } : {}),
    }),
  );
  if (needsApproval) {
    effects.push(
      requestApproval(r, 'deactivate-key', r.oldKeyId!, r.requester.slackId, why, ctx.now, searchNote(r)),
    );
  }
}

/** Skip the switch-over wait (always with an approval). */
export const proceedAnyway: PersonStep<'proceed-anyway'> = (r, event, ctx, effects) => {
  const { now } = ctx;
  if (!event.reason.trim()) return refuse('bad-input', 'Say why the wait should be skipped.');
  if (needsSearchAck(r)) return searchNotAcknowledged(r);
  r.state = 'notify-and-approve';
  const oldKeyId = r.oldKeyId!;
  log(r, now, event.by, `asked to proceed without waiting for the switch-over: ${event.reason.trim()}`);
  effects.push(
    notify({
      kind: 'deactivation-planned',
      keyId: oldKeyId,
      userName: r.userName,
      why: `the switch-over wait is skipped: ${event.reason.trim()}`,
      needsApproval: true,
    }),
    requestApproval(r, 'skip-wait', oldKeyId, event.by, event.reason.trim(), now, searchNote(r)),
  );
  return ok(r, effects);
};

/** Deactivate now, where the config asks for no approval. */
export const confirmDeactivate: PersonStep<'confirm-deactivate'> = (r, event, ctx, effects) => {
  if (r.pendingApproval) return approvalPending(r);
  if (needsSearchAck(r)) return searchNotAcknowledged(r);
  if (ctx.config.approvals.deactivate) {
    return refuse('approval-required', 'Deactivating a key needs an approval in the approvals channel.');
  }
  log(r, ctx.now, event.by, `confirmed deactivating ${r.oldKeyId}`);
  enterDeactivate(r, ctx, effects);
  return ok(r, effects);
};
