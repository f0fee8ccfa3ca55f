/**
 * The scheduler's tick (a stale step resumed, a poll or search due, the grace period over) and
 * a failed step.
 */
import { type Rotation, type RotationEffect } from '../rotation.js';
import {
  BOT,
  describeIntent,
  leaseMs,
  log,
  notify,
  ok,
  pollMs,
  refuse,
  type SystemStep,
  type TransitionContext,
  type TransitionResult,
} from './context.js';
import { isBusy } from './state.js';

export function tick(rotation: Rotation, force: boolean, ctx: TransitionContext): TransitionResult {
  const { now } = ctx;
  // Parked: nothing runs in the requester's name until someone takes the rotation over.
  if (rotation.parked) return ok(rotation, []);
  const intent = rotation.intent;
  if (intent) {
    if (isBusy(rotation, now, ctx.isGone)) {
      return refuse('busy', `step "${describeIntent(intent.kind)}" is in flight`);
    }
    // Take the stale step over: a new lease, then the same effects again (each is idempotent),
    // except create, which first finds out what the interrupted attempt left behind.
    const r = structuredClone(rotation);
    r.intent = { ...intent, leaseUntil: now + leaseMs(ctx), ...(ctx.owner ? { owner: ctx.owner } : {}) };
    delete r.intent.failure;
    log(
      r,
      now,
      BOT,
      intent.leaseUntil > now
        ? `resuming the step "${describeIntent(intent.kind)}": the process running it is gone`
        : `resuming the interrupted step "${describeIntent(intent.kind)}"`,
    );
    const effects: RotationEffect[] =
      intent.kind === 'create'
        ? [{ type: 'probe-create', attempt: intent.attempt ?? r.createAttempt }]
        : [...intent.effects];
    return ok(r, effects);
  }
  switch (rotation.state) {
    case 'inspect':
    case 'locate': {
      if (!force && (rotation.nextCheckAt ?? 0) > now) return ok(rotation, []);
      const r = structuredClone(rotation);
      r.nextCheckAt = now + leaseMs(ctx);
      return ok(r, [
        rotation.state === 'inspect'
          ? { type: 'inspect-keys' }
          : { type: 'locate-secrets', ...(rotation.places.fullScanRequested ? { full: true } : {}) },
      ]);
    }
    case 'switch-over':
    case 'notify-and-approve': {
      if (!force && (rotation.nextCheckAt ?? 0) > now) return ok(rotation, []);
      const r = structuredClone(rotation);
      r.nextCheckAt = now + pollMs(ctx);
      return ok(r, [{ type: 'poll-usage' }]);
    }
    case 'grace': {
      if ((rotation.graceEndsAt ?? Number.POSITIVE_INFINITY) > now) return ok(rotation, []);
      const r = structuredClone(rotation);
      r.state = 'confirm-delete';
      log(
        r,
        now,
        BOT,
        `the grace period for ${r.oldKeyId} is over: waiting for the deletion to be confirmed`,
      );
      return ok(r, [notify({ kind: 'delete-due', keyId: r.oldKeyId! })]);
    }
    default:
      return ok(rotation, []);
  }
}

/** A step (or a search or poll) failed: it is retried after the poll interval. */
export const stepFailed: SystemStep<'step-failed'> = (r, event, ctx, effects) => {
  const { now } = ctx;
  r.lastError = { at: now, message: event.message };
  if (r.intent) {
    r.intent.failure = { at: now, message: event.message, retryAt: now + pollMs(ctx) };
    // Released, so a person may cancel at once; the scheduler retries later (dueAtOf).
    r.intent.leaseUntil = now;
    log(r, now, BOT, `step "${describeIntent(r.intent.kind)}" failed: ${event.message}`);
  } else {
    r.nextCheckAt = now + pollMs(ctx);
    log(r, now, BOT, `${r.state} failed: ${event.message}`);
  }
  effects.push(notify({ kind: 'step-failed', message: event.message }));
  return ok(r, effects);
};
