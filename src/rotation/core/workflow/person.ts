/**
 * Person events: the checks every click passes (a duplicate, a parked rotation, a step in flight,
 * a state that does not take it), then the phase that handles it.
 */
import { type PersonEvent, type Rotation, type RotationEffect } from '../rotation.js';
import { approvalGranted, approvalRejected } from './approvals.js';
import { planCancel } from './cancel.js';
import { acknowledgeSearch, confirmPlaces, tickPlace } from './confirm-places.js';
import {
  describeIntent,
  iso,
  log,
  ok,
  refuse,
  rememberEvent,
  type TransitionContext,
  type TransitionResult,
} from './context.js';
import { deleteExtraKey, retireKey } from './inspect.js';
import { fullScan, rescan } from './locate.js';
import { takeOver } from './park.js';
import { confirmDelete, reactivate } from './retire.js';
import { canCancel, isBusy, PERSON_EVENTS } from './state.js';
import { confirmDeactivate, proceedAnyway } from './switch-over.js';

export function personTransition(
  rotation: Rotation,
  event: PersonEvent,
  ctx: TransitionContext,
): TransitionResult {
  const { now } = ctx;
  if (event.eventId !== undefined && rotation.seenEventIds.includes(event.eventId)) {
    // Say what is true now: a step still running (or interrupted) is not "done".
    return refuse(
      'duplicate',
      rotation.intent
        ? `That was received: locksmith is on it (${describeIntent(rotation.intent.kind)}, since ${iso(rotation.intent.startedAt)}).`
        : 'That was already done.',
    );
  }
  if (event.type === 'take-over' && rotation.parked) return takeOver(rotation, event, ctx);
  if (rotation.parked && event.type !== 'cancel') {
    return refuse(
      'parked',
      `This rotation is parked: ${rotation.parked.reason} Someone who may use the role \`${rotation.role.name}\` can take it over or cancel it.`,
    );
  }
  if (rotation.intent) {
    if (isBusy(rotation, now, ctx.isGone)) {
      if (event.type === 'cancel' && canCancel(rotation)) {
        if (rotation.cancelRequested) return refuse('duplicate', 'Cancelling was already asked for.');
        // The step's writes are in flight: cancelling now would race them. It is planned as
        // soon as the step ends (the runner saving the step's result sees this).
        const r = structuredClone(rotation);
        r.cancelRequested = {
          by: event.by,
          at: now,
          ...(event.reason?.trim() ? { reason: event.reason.trim() } : {}),
        };
        rememberEvent(r, event.eventId);
        log(
          r,
          now,
          event.by,
          `asked to cancel; it happens as soon as "${describeIntent(rotation.intent.kind)}" ends`,
        );
        return ok(r, []);
      }
      return refuse(
        'busy',
        `locksmith is working on this rotation (${describeIntent(rotation.intent.kind)}).`,
      );
    }
    if (event.type !== 'cancel') {
      return refuse(
        'needs-resume',
        `The step "${describeIntent(rotation.intent.kind)}" was interrupted; it is resumed automatically, or you can cancel the rotation.`,
      );
    }
  }
  if (event.type === 'cancel' && rotation.state === 'cancelling') {
    return refuse('not-allowed', 'This rotation is already being cancelled.');
  }
  if (event.type === 'cancel' && !canCancel(rotation)) {
    return refuse('too-late', 'The old key is being deleted; the rotation can no longer be cancelled.');
  }
  if (event.type === 'take-over') {
    return refuse(
      'not-allowed',
      `This rotation is not parked: only <@${rotation.requester.slackId}>, who started it, acts on it.`,
    );
  }
  if (!PERSON_EVENTS[rotation.state].includes(event.type)) {
    return refuse(
      'not-allowed',
      `"${event.type}" does not apply while the rotation is in ${rotation.state}.`,
    );
  }

  const r = structuredClone(rotation);
  rememberEvent(r, event.eventId);
  const effects: RotationEffect[] = [];
  switch (event.type) {
    case 'cancel':
      return planCancel(r, event.by, event.reason, ctx);
    case 'delete-extra-key':
      return deleteExtraKey(r, event, ctx, effects);
    case 'retire-key':
      return retireKey(r, event, ctx, effects);
    case 'confirm-places':
      return confirmPlaces(r, event, ctx, effects);
    case 'rescan':
      return rescan(r, event, ctx, effects);
    case 'full-scan':
      return fullScan(r, event, ctx, effects);
    case 'acknowledge-search':
      return acknowledgeSearch(r, event, ctx, effects);
    case 'tick-place':
      return tickPlace(r, event, ctx, effects);
    case 'proceed-anyway':
      return proceedAnyway(r, event, ctx, effects);
    case 'approval-granted':
      return approvalGranted(r, event, ctx, effects);
    case 'approval-rejected':
      return approvalRejected(r, event, ctx, effects);
    case 'confirm-deactivate':
      return confirmDeactivate(r, event, ctx, effects);
    case 'reactivate':
      return reactivate(r, event, ctx, effects);
    case 'confirm-delete':
      return confirmDelete(r, event, ctx, effects);
  }
}
