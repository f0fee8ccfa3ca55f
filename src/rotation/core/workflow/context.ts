/**
 * What every phase of the workflow shares: the context a transition runs in, its result, and the
 * small helpers that build results, history lines and notices.
 */
import {
  type ApprovalAction,
  type IntentKind,
  type NoticeEffect,
  type PersonEvent,
  type Rotation,
  type RotationConfig,
  type RotationEffect,
  type RotationNotice,
  type RotationState,
  type SystemEvent,
} from '../rotation.js';

export const MINUTE_MS = 60_000;

export const HOUR_MS = 60 * MINUTE_MS;

export const DAY_MS = 24 * HOUR_MS;

/** How many applied event ids a record remembers for deduplication. */
export const SEEN_EVENT_IDS = 50;

export const BOT = 'locksmith';

export interface TransitionContext {
  /** Epoch ms from the injected clock. */
  now: number;
  config: RotationConfig;
  /** The runner applying the transition: it owns the steps it starts. */
  owner?: string;
  /** True for the owner of a step that is certainly gone (a crashed process on this host). */
  isGone?: (owner: string) => boolean;
}

export type RefusalCode =
  /** The rotation is over. */
  | 'final'
  /** The same event (by eventId) was already applied. */
  | 'duplicate'
  /** A step with AWS writes is in flight; try again shortly. */
  | 'busy'
  /** A step was interrupted; it must be resumed (or the rotation cancelled) first. */
  | 'needs-resume'
  /** The event does not apply in this state. */
  | 'not-allowed'
  | 'unknown-key'
  | 'key-in-use'
  | 'unknown-place'
  | 'not-updatable'
  | 'no-places'
  | 'approval-pending'
  | 'approval-required'
  | 'approval-mismatch'
  | 'bad-input'
  /** The old key is being or has been deleted: nothing left to cancel. */
  | 'too-late'
  /** Another rotation of the same IAM user is in progress. */
  | 'already-rotating'
  /** The search for the key's places was incomplete and the requester has not acknowledged it. */
  | 'search-not-acknowledged'
  /** The rotation is parked: only a take-over or a cancel applies. */
  | 'parked';

export interface Refusal {
  code: RefusalCode;
  message: string;
}

export type TransitionResult =
  { ok: true; rotation: Rotation; effects: RotationEffect[] } | { ok: false; refusal: Refusal };

/** A person event of one type, as its phase's handler takes it. */
export type PersonEventOf<T extends PersonEvent['type']> = Extract<PersonEvent, { type: T }>;

/** A system event of one type, as its phase's handler takes it. */
export type SystemEventOf<T extends SystemEvent['type']> = Extract<SystemEvent, { type: T }>;

/** How a phase handles one person event: on the record's copy `r`, adding to `effects`. */
export type PersonStep<T extends PersonEvent['type']> = (
  r: Rotation,
  event: PersonEventOf<T>,
  ctx: TransitionContext,
  effects: RotationEffect[],
) => TransitionResult;

/** How a phase handles one system event: on the record's copy `r`, adding to `effects`. */
export type SystemStep<T extends SystemEvent['type']> = (
  r: Rotation,
  event: SystemEventOf<T>,
  ctx: TransitionContext,
  effects: RotationEffect[],
) => TransitionResult;

export function ok(rotation: Rotation, effects: RotationEffect[]): TransitionResult {
  return { ok: true, rotation, effects };
}

export function refuse(code: RefusalCode, message: string): TransitionResult {
  return { ok: false, refusal: { code, message } };
}

/** A system event that does not apply in the record's state (or step). */
export function notAllowed(r: Rotation, event: { type: string }): TransitionResult {
  const intentKind = r.intent?.kind;
  return refuse(
    'not-allowed',
    `"${event.type}" does not apply in ${r.state}${intentKind ? ` (step ${intentKind})` : ''}.`,
  );
}

/** A step a system event reports the end of: the state it runs in, its kind, and its attempt (create). */
export interface StepRef {
  state: RotationState;
  kind: IntentKind;
  attempt?: number;
}

/** The refusal for `event`, a step's result, unless `step` is the one in flight; undefined when it is. */
export function notThatStep(
  r: Rotation,
  event: { type: string },
  step: StepRef,
): TransitionResult | undefined {
  const intent = r.intent;
  if (r.state !== step.state || intent?.kind !== step.kind) return notAllowed(r, event);
  if (step.attempt !== undefined && intent.attempt !== step.attempt) return notAllowed(r, event);
  return undefined;
}

/** The step in flight has ended well: its intent and the last error go. */
export function clearStep(r: Rotation): void {
  r.intent = undefined;
  r.lastError = undefined;
}

/** Ends `step`, which `event` reports; the refusal when that is not the step in flight. */
export function endStep(r: Rotation, event: { type: string }, step: StepRef): TransitionResult | undefined {
  const refused = notThatStep(r, event, step);
  if (!refused) clearStep(r);
  return refused;
}

/** Remembers a person event's id, so the same click is not applied twice. */
export function rememberEvent(r: Rotation, eventId: string | undefined): void {
  r.seenEventIds = [...r.seenEventIds, ...(eventId ? [eventId] : [])].slice(-SEEN_EVENT_IDS);
}

export function approvalPending(r: Rotation): TransitionResult {
  return refuse('approval-pending', `An approval is already pending (${r.pendingApproval?.id}).`);
}

export function approvalMismatch(r: Rotation): TransitionResult {
  return refuse(
    'approval-mismatch',
    r.pendingApproval
      ? `That approval is not the one this rotation is waiting for (${r.pendingApproval.id}).`
      : 'This rotation is not waiting for an approval.',
  );
}

export function notify(notice: RotationNotice): NoticeEffect {
  return { type: 'notify', notice };
}

export function log(r: Rotation, at: number, by: string, what: string): void {
  r.history.push({ at, by, what });
}

export function lastPersonIn(r: Rotation): string | undefined {
  for (let i = r.history.length - 1; i >= 0; i--) {
    const by = r.history[i]!.by;
    if (by !== BOT) return by;
  }
  return undefined;
}

const INTENT_WORDS: Readonly<Record<IntentKind, string>> = {
  'delete-extra-key': 'delete the extra key',
  create: 'create and distribute the new key',
  deactivate: 'deactivate the old key',
  reactivate: 'reactivate the old key',
  'delete-old-key': 'delete the old key',
  cancel: 'undo the rotation',
};

export function describeIntent(kind: IntentKind): string {
  return INTENT_WORDS[kind];
}

const ACTION_WORDS: Readonly<Record<ApprovalAction, string>> = {
  'write-guarded': 'write the new key into guarded places, replacing',
  'delete-extra-key': 'delete the extra key',
  'deactivate-key': 'deactivate',
  'skip-wait': 'skip the switch-over wait and deactivate',
  'delete-key': 'delete',
};

export function describeAction(action: ApprovalAction): string {
  return ACTION_WORDS[action];
}

export function leaseMs(ctx: TransitionContext): number {
  return ctx.config.leaseMinutes * MINUTE_MS;
}

export function pollMs(ctx: TransitionContext): number {
  return ctx.config.pollMinutes * MINUTE_MS;
}

/** A time as the rest of the bot's messages write it: "2026-11-23 07:47 UTC". */
export function iso(ms: number | undefined): string {
  return ms === undefined ? 'unknown' : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
