/**
 * The moves several phases make: entering a phase, saving a step's writes as the record's intent,
 * asking for or withdrawing an approval, finishing.
 */
import {
  APPROVAL_KIND,
  type ApprovalAction,
  type IntentKind,
  type NoticeEffect,
  type PendingApproval,
  type Rotation,
  type RotationEffect,
  searchComplete,
  searchGaps,
  type WriteEffect,
} from '../rotation.js';
import {
  leaseMs,
  log,
  notify,
  ok,
  pollMs,
  refuse,
  type TransitionContext,
  type TransitionResult,
} from './context.js';

/** The places are settled (and any guarded ones approved): the create step starts. */
export function startCreate(r: Rotation, ctx: TransitionContext, effects: RotationEffect[]): void {
  r.places.confirmed = true;
  r.createAttempt += 1;
  r.state = 'create';
  startIntent(r, 'create', [{ type: 'create-key', attempt: r.createAttempt }], ctx, effects, r.createAttempt);
}

export function enterLocate(
  r: Rotation,
  ctx: TransitionContext,
  effects: RotationEffect[],
  full = false,
): void {
  r.state = 'locate';
  r.nextCheckAt = ctx.now + leaseMs(ctx);
  effects.push({ type: 'locate-secrets', ...(full ? { full } : {}) });
}

export function enterSwitchOver(r: Rotation, ctx: TransitionContext, effects: RotationEffect[]): void {
  r.state = 'switch-over';
  r.quietSince = ctx.now;
  r.lastPolledAt = undefined;
  r.oldKeyLastUsedAt = undefined;
  r.nextCheckAt = ctx.now + pollMs(ctx);
  effects.push({ type: 'poll-usage' });
}

export function enterDeactivate(r: Rotation, ctx: TransitionContext, effects: RotationEffect[]): void {
  r.state = 'deactivate';
  r.nextCheckAt = undefined;
  startIntent(
    r,
    'deactivate',
    [{ type: 'set-key-status', keyId: r.oldKeyId!, status: 'Inactive' }],
    ctx,
    effects,
  );
}

export function enterDelete(r: Rotation, ctx: TransitionContext, effects: RotationEffect[]): void {
  r.state = 'delete';
  startIntent(
    r,
    'delete-old-key',
    [{ type: 'delete-key', keyId: r.oldKeyId!, purpose: 'old' }],
    ctx,
    effects,
  );
}

/** Saves the writes as the record's intent (owned for a lease) and returns them as effects too. */
export function startIntent(
  r: Rotation,
  kind: IntentKind,
  writes: WriteEffect[],
  ctx: TransitionContext,
  effects: RotationEffect[],
  attempt?: number,
): void {
  r.intent = {
    kind,
    effects: writes,
    startedAt: ctx.now,
    leaseUntil: ctx.now + leaseMs(ctx),
    ...(attempt !== undefined ? { attempt } : {}),
    ...(ctx.owner ? { owner: ctx.owner } : {}),
  };
  effects.push(...writes);
}

export function finish(
  r: Rotation,
  outcome: 'done' | 'cancelled' | 'abandoned',
  notes: string[],
  effects: RotationEffect[],
): void {
  r.state = outcome;
  r.outcome = { kind: outcome, notes };
  r.nextCheckAt = undefined;
  r.pendingApproval = undefined;
  effects.push(notify({ kind: 'finished', outcome, summary: r.history.map((h) => ({ ...h })), notes }));
}

/** The person's step waits for an approver: `said` goes into the history, the request out. */
export function askApproval(
  r: Rotation,
  by: string,
  said: string,
  ask: { action: ApprovalAction; keyId: string; reason: string; target?: string },
  ctx: TransitionContext,
  effects: RotationEffect[],
): TransitionResult {
  log(r, ctx.now, by, said);
  effects.push(requestApproval(r, ask.action, ask.keyId, by, ask.reason, ctx.now, undefined, ask.target));
  return ok(r, effects);
}

export function requestApproval(
  r: Rotation,
  action: ApprovalAction,
  keyId: string,
  requestedBy: string,
  reason: string,
  now: number,
  /** What the search for the key's places did not cover, said to the approver. */
  searchNoteText?: string,
  /** What the request is about, when not the key (the guarded places). */
  target: string = keyId,
): NoticeEffect {
  r.approvalSeq += 1;
  const id = `${r.id}:${action}:${r.approvalSeq}`;
  r.pendingApproval = { id, action, keyId, requestedAt: now, requestedBy };
  const acknowledged = r.places.acknowledged;
  return {
    type: 'request-approval',
    approvalId: id,
    action,
    kind: APPROVAL_KIND[action],
    requestedBy,
    target,
    reason: searchNoteText ? `${reason}. ${searchNoteText}` : reason,
    detail: {
      rotationId: r.id,
      userName: r.userName,
      roleArn: r.role.arn,
      keyId,
      ...(searchNoteText
        ? {
            searched: `incomplete${acknowledged ? `, acknowledged by ${acknowledged.by}` : ''}`,
          }
        : {}),
    },
  };
}

/** Takes off the record the pending approval `approvalId` decides; undefined when it is not the one waited for. */
export function takePending(r: Rotation, approvalId: string): PendingApproval | undefined {
  const pending = r.pendingApproval;
  if (!pending || pending.id !== approvalId) return undefined;
  r.pendingApproval = undefined;
  return pending;
}

export function withdrawPending(r: Rotation, effects: RotationEffect[], why: string): void {
  if (!r.pendingApproval) return;
  effects.push({ type: 'withdraw-approval', approvalId: r.pendingApproval.id, why });
  r.pendingApproval = undefined;
}

/** The chosen places that are guarded (see SecretPlace.guarded). */
export function guardedChoice(r: Rotation): string[] {
  return r.places.secrets.filter((s) => s.selected && s.updatable && s.guarded).map((s) => s.name);
}

/** What the search did not cover, for an approval request; undefined when it covered everything. */
export function searchNote(r: Rotation): string | undefined {
  if (!r.places.search || searchComplete(r.places.search)) return undefined;
  return `Not every place was searched: ${searchGaps(r.places.search).join('; ')}.`;
}

export function searchNotAcknowledged(r: Rotation): TransitionResult {
  return refuse(
    'search-not-acknowledged',
    `Not every place that could hold ${r.oldKeyId} was searched (${searchGaps(r.places.search).join('; ')}). Acknowledge that first, with the button in the status message.`,
  );
}
