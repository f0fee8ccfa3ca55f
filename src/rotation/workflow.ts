/**
 * The rotation workflow as a pure state machine: `transition(rotation, event, ctx)` returns the
 * next record and the effects to apply, or a typed refusal with no effects. No AWS, no store, no
 * clock of its own: the runner (runner.ts) applies the effects and saves with a compare-and-set.
 *
 * ```
 * inspect ─▶ (two keys) resolve-extra-key: delete the never-used one ─▶ locate
 *                                          or retire one ─────────────▶ switch-over (no create)
 * locate ─▶ confirm-places ─▶ create ─▶ switch-over ─▶ notify-and-approve ─▶ deactivate ─▶ grace
 *        ─▶ confirm-delete ─▶ delete ─▶ done
 * any non-final state but delete ─▶ cancel (─▶ cancelling ─▶) cancelled, with compensations
 * ```
 *
 * Steps that write to AWS are saved first as an `intent` holding their effects; the runner owns
 * it for a lease. Every event is refused as busy while the lease runs, so nothing (a click, a
 * scheduler tick, a second replica) can change the record under a step in flight. A stale intent
 * (crash, or a failure that released it) is resumed by the next tick, or compensated by cancel.
 */
import {
  APPROVAL_KIND,
  type ApprovalAction,
  type ChecklistPlace,
  type PlaceSearch,
  FINAL_STATES,
  type IntentKind,
  type NoticeEffect,
  type PersonEvent,
  type PersonEventType,
  type Rotation,
  type RotationConfig,
  type RotationEffect,
  type RotationEvent,
  type RotationNotice,
  type RotationPerson,
  type RotationState,
  type RoleRef,
  type SecretPlace,
  searchComplete,
  searchGaps,
  type SystemEvent,
  type WriteEffect,
} from './rotation.js';
import { displayFields } from './key-places.js';
import { secretWriteTokens } from './request-token.js';
import { plural } from '../text.js';

export * from './rotation.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** How many applied event ids a record remembers for deduplication. */
const SEEN_EVENT_IDS = 50;
const BOT = 'locksmith';

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

/** Which person events each state accepts (further checks per event follow in `transition`). */
export const PERSON_EVENTS: Readonly<Record<RotationState, readonly PersonEventType[]>> = {
  inspect: ['cancel'],
  'resolve-extra-key': ['delete-extra-key', 'retire-key', 'approval-granted', 'approval-rejected', 'cancel'],
  locate: ['cancel'],
  'confirm-places': [
    'confirm-places',
    'rescan',
    'full-scan',
    'acknowledge-search',
    // The approval to write into guarded places.
    'approval-granted',
    'approval-rejected',
    'cancel',
  ],
  create: ['cancel'],
  'switch-over': ['proceed-anyway', 'tick-place', 'acknowledge-search', 'cancel'],
  'notify-and-approve': [
    'approval-granted',
    'approval-rejected',
    'confirm-deactivate',
    'acknowledge-search',
    'tick-place',
    'cancel',
  ],
  deactivate: ['cancel'],
  grace: ['reactivate', 'tick-place', 'cancel'],
  'confirm-delete': [
    'confirm-delete',
    'approval-granted',
    'approval-rejected',
    'reactivate',
    'tick-place',
    'cancel',
  ],
  delete: [],
  cancelling: [],
  done: [],
  cancelled: [],
  abandoned: [],
};

export interface NewRotationInput {
  id: string;
  role: RoleRef;
  userName: string;
  requester: RotationPerson;
}

/** A new rotation in `inspect`, and the effect that inspects the user's keys. */
export function newRotation(
  input: NewRotationInput,
  ctx: TransitionContext,
): {
  rotation: Rotation;
  effects: RotationEffect[];
} {
  const rotation: Rotation = {
    id: input.id,
    role: { name: input.role.name, arn: input.role.arn },
    userName: input.userName,
    requester: { ...input.requester },
    state: 'inspect',
    createdAt: ctx.now,
    keys: [],
    newKeyCreatedHere: false,
    places: { located: false, confirmed: false, secrets: [], checklist: [] },
    createAttempt: 0,
    approvalSeq: 0,
    nextCheckAt: ctx.now + leaseMs(ctx),
    history: [
      {
        at: ctx.now,
        by: input.requester.slackId,
        what: `started rotating the access key of IAM user ${input.userName} (role ${input.role.name})`,
      },
    ],
    seenEventIds: [],
  };
  return { rotation, effects: [{ type: 'inspect-keys' }] };
}

/**
 * True when deactivating the old key must wait for the requester's "I know": the search for the
 * places that hold the key could not cover every secret and parameter (an indexed search, a scan
 * that stopped at its limit or could not read some). The requester may acknowledge it as soon as
 * the places are found. A retired key (no search) and records from before searches were recorded
 * need none.
 */
export function needsSearchAck(rotation: Rotation): boolean {
  const { places } = rotation;
  return places.search !== undefined && !searchComplete(places.search) && places.acknowledged === undefined;
}

export function isFinal(state: RotationState): boolean {
  return FINAL_STATES.has(state);
}

/**
 * True while a runner owns a step in flight: its lease runs, and its owner is not known to be
 * gone (a process on this host that crashed; then the step is taken over at once).
 */
export function isBusy(rotation: Rotation, now: number, isGone?: (owner: string) => boolean): boolean {
  const intent = rotation.intent;
  if (intent === undefined || intent.leaseUntil <= now) return false;
  return !(intent.owner !== undefined && isGone?.(intent.owner));
}

/**
 * When the scheduler should next look at the record (the store's `dueAt`): the end of a step's
 * lease (a crashed step resumes then), the retry time of a failed step, the next poll, the end
 * of the grace period; undefined while waiting for a person or when final.
 */
export function dueAtOf(rotation: Rotation): number | undefined {
  // A parked rotation waits for a person: nothing is scheduled until it is taken over.
  if (isFinal(rotation.state) || rotation.parked) return undefined;
  const intent = rotation.intent;
  if (intent) return intent.failure ? intent.failure.retryAt : intent.leaseUntil;
  switch (rotation.state) {
    case 'inspect':
    case 'locate':
    case 'switch-over':
    case 'notify-and-approve':
      return rotation.nextCheckAt;
    case 'grace':
      return rotation.graceEndsAt;
    default:
      return undefined;
  }
}

/**
 * The person events that would be accepted now (for buttons). Payload checks (which key, which
 * approval) still happen in {@link transition}.
 */
export function allowedPersonEvents(rotation: Rotation, _now: number): PersonEventType[] {
  if (isFinal(rotation.state)) return [];
  if (rotation.parked) return canCancel(rotation) ? ['take-over', 'cancel'] : ['take-over'];
  if (rotation.intent) {
    // Cancel is always offered: during a step it is carried out as soon as the step ends.
    return canCancel(rotation) && !rotation.cancelRequested ? ['cancel'] : [];
  }
  return PERSON_EVENTS[rotation.state].filter((type) => {
    const pending = rotation.pendingApproval;
    switch (type) {
      case 'approval-granted':
      case 'approval-rejected':
        return pending !== undefined;
      case 'delete-extra-key':
        return pending === undefined && rotation.keys.some((k) => k.lastUsed === 'never');
      case 'confirm-deactivate':
      case 'confirm-delete':
      case 'proceed-anyway':
        return pending === undefined;
      case 'tick-place':
        return rotation.places.checklist.some((p) => p.selected && !p.ticked);
      case 'acknowledge-search':
        return needsSearchAck(rotation);
      default:
        return true;
    }
  });
}

/**
 * Applies `event` to `rotation`. Never mutates its input. On success the returned rotation is
 * `rotation` itself when nothing changed (a tick with nothing due), otherwise a new object.
 */
export function transition(
  rotation: Rotation,
  event: RotationEvent,
  ctx: TransitionContext,
): TransitionResult {
  if (isFinal(rotation.state)) {
    return refuse('final', `This rotation is already ${rotation.state}.`);
  }
  if (isPersonEvent(event)) return personTransition(rotation, event, ctx);
  const result = systemTransition(rotation, event, ctx);
  return result.ok ? cancelIfRequested(result, ctx) : result;
}

/** A cancel asked for during a step: planned as soon as the step has ended (or failed). */
function cancelIfRequested(
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

function isPersonEvent(event: RotationEvent): event is PersonEvent {
  return 'by' in event;
}

// ---------------------------------------------------------------------------------------------
// Person events

function personTransition(rotation: Rotation, event: PersonEvent, ctx: TransitionContext): TransitionResult {
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
        r.seenEventIds = [...r.seenEventIds, ...(event.eventId ? [event.eventId] : [])].slice(
          -SEEN_EVENT_IDS,
        );
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
  r.seenEventIds = [...r.seenEventIds, ...(event.eventId ? [event.eventId] : [])].slice(-SEEN_EVENT_IDS);
  const effects: RotationEffect[] = [];

  switch (event.type) {
    case 'cancel':
      return planCancel(r, event.by, event.reason, ctx);

    case 'delete-extra-key': {
      const key = r.keys.find((k) => k.id === event.keyId);
      if (!key) return refuse('unknown-key', `${event.keyId} is not one of ${r.userName}'s keys.`);
      if (key.lastUsed !== 'never') {
        return refuse(
          'key-in-use',
          `${key.id} has been used, so locksmith will not delete it here: pick the key to retire instead.`,
        );
      }
      if (r.pendingApproval) return approvalPending(r);
      const other = r.keys.find((k) => k.id !== key.id);
      if (ctx.config.approvals.deleteExtraKey) {
        log(r, now, event.by, `asked to delete the never-used extra key ${key.id}`);
        effects.push(
          requestApproval(
            r,
            'delete-extra-key',
            key.id,
            event.by,
            `${key.id} of ${r.userName} has never been used${other ? `; ${other.id} stays and will be rotated` : ''}`,
            now,
          ),
        );
        return ok(r, effects);
      }
      log(r, now, event.by, `deleting the never-used extra key ${key.id}`);
      startIntent(
        r,
        'delete-extra-key',
        [{ type: 'delete-key', keyId: key.id, purpose: 'extra' }],
        ctx,
        effects,
      );
      return ok(r, effects);
    }

    case 'retire-key': {
      const key = r.keys.find((k) => k.id === event.keyId);
      const other = r.keys.find((k) => k.id !== event.keyId);
      if (!key || !other)
        return refuse('unknown-key', `${event.keyId} is not one of ${r.userName}'s two keys.`);
      withdrawPending(r, effects, 'the person chose a key to retire instead');
      r.oldKeyId = key.id;
      r.newKeyId = other.id;
      r.newKeyCreatedAt = other.createdAt;
      r.newKeyCreatedHere = false;
      r.places = { located: true, confirmed: true, secrets: [], checklist: [] };
      log(r, now, event.by, `chose to retire ${key.id} and keep ${other.id}: no new key is created`);
      enterSwitchOver(r, ctx, effects);
      return ok(r, effects);
    }

    case 'confirm-places': {
      const secrets = new Set(event.secrets);
      const checklist = new Set(event.checklist);
      for (const name of secrets) {
        const place = r.places.secrets.find((s) => s.name === name);
        if (!place) return refuse('unknown-place', `${name} is not among the secrets found.`);
        if (!place.updatable) {
          return refuse(
            'not-updatable',
            `locksmith cannot update ${name} (${place.reason}); it is on the checklist.`,
          );
        }
      }
      for (const name of checklist) {
        if (!r.places.checklist.some((p) => p.name === name)) {
          return refuse('unknown-place', `${name} is not on the checklist.`);
        }
      }
      if (secrets.size === 0 && checklist.size === 0) {
        return refuse('no-places', 'Choose at least one place for the new key, or it would reach nobody.');
      }
      withdrawPending(r, effects, 'the places were chosen again');
      for (const s of r.places.secrets) s.selected = s.updatable && secrets.has(s.name);
      for (const p of r.places.checklist) p.selected = checklist.has(p.name);
      const chosen = [...secrets, ...checklist];
      log(r, now, event.by, `confirmed the places to update: ${chosen.join(', ')}`);
      const guarded = guardedChoice(r);
      const approved = r.places.guardedApproved?.names ?? [];
      if (guarded.length && !guarded.every((name) => approved.includes(name))) {
        // Like a guarded edit: an approver first, before the new key even exists.
        r.places.confirmed = false;
        delete r.places.guardedApproved;
        log(
          r,
          now,
          event.by,
          `asked for an approval to write the new key into guarded ${guarded.join(', ')}`,
        );
        effects.push(
          requestApproval(
            r,
            'write-guarded',
            r.oldKeyId!,
            event.by,
            `write the new key of ${r.userName} (replacing ${r.oldKeyId}) into ${guarded.join(', ')}, which ${guarded.length === 1 ? 'is' : 'are'} guarded; write-only: locksmith shows the new key to nobody`,
            now,
            undefined,
            guarded.join(', '),
          ),
        );
        return ok(r, effects);
      }
      startCreate(r, ctx, effects);
      return ok(r, effects);
    }

    case 'rescan':
      withdrawPending(r, effects, 'the places are searched again');
      r.places = { located: false, confirmed: false, secrets: [], checklist: [] };
      log(r, now, event.by, 'asked to search again by tag');
      enterLocate(r, ctx, effects);
      return ok(r, effects);

    case 'full-scan':
      withdrawPending(r, effects, 'the places are searched again');
      r.places = { located: false, confirmed: false, secrets: [], checklist: [], fullScanRequested: true };
      log(r, now, event.by, 'asked to search every secret and parameter the role can read');
      enterLocate(r, ctx, effects, true);
      return ok(r, effects);

    case 'acknowledge-search': {
      if (!needsSearchAck(r)) return refuse('duplicate', 'Nothing needs acknowledging.');
      r.places.acknowledged = { by: event.by, at: now };
      log(
        r,
        now,
        event.by,
        `acknowledged that not every place was searched: ${searchGaps(r.places.search).join('; ')}`,
      );
      if (r.state === 'notify-and-approve' && !r.pendingApproval) planDeactivation(r, ctx, effects);
      return ok(r, effects);
    }

    case 'tick-place': {
      const place = r.places.checklist.find((p) => p.name === event.name && p.selected);
      if (!place) return refuse('unknown-place', `${event.name} is not on this rotation's checklist.`);
      if (place.ticked) return refuse('duplicate', `${event.name} was already ticked off.`);
      place.ticked = { by: event.by, at: now };
      log(r, now, event.by, `ticked off ${event.name}: updated by hand`);
      return ok(r, effects);
    }

    case 'proceed-anyway': {
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
    }

    case 'approval-granted': {
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

    case 'approval-rejected': {
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

    case 'confirm-deactivate':
      if (r.pendingApproval) return approvalPending(r);
      if (needsSearchAck(r)) return searchNotAcknowledged(r);
      if (ctx.config.approvals.deactivate) {
        return refuse('approval-required', 'Deactivating a key needs an approval in the approvals channel.');
      }
      log(r, now, event.by, `confirmed deactivating ${r.oldKeyId}`);
      enterDeactivate(r, ctx, effects);
      return ok(r, effects);

    case 'reactivate':
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

    case 'confirm-delete':
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
}

function canCancel(rotation: Rotation): boolean {
  if (rotation.state === 'delete' || rotation.intent?.kind === 'delete-old-key') return false;
  return rotation.state !== 'cancelling' && !isFinal(rotation.state);
}

/**
 * The compensations for cancelling now: reactivate the old key if it may be inactive, move
 * AWSCURRENT back in every secret this rotation may have written, delete a new key made here if
 * it was never used. Each is planned for what *may* have happened (a stale step might have got
 * half way), and each is a no-op in AWS when it did not.
 */
function planCancel(
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

// ---------------------------------------------------------------------------------------------
// System events (from the runner)

function systemTransition(rotation: Rotation, event: SystemEvent, ctx: TransitionContext): TransitionResult {
  const { now } = ctx;
  if (event.type === 'tick') return tick(rotation, event.force === true, ctx);
  if (event.type === 'park') return park(rotation, event, ctx);

  const r = structuredClone(rotation);
  const effects: RotationEffect[] = [];
  const intentKind = r.intent?.kind;
  const wrong = (): TransitionResult =>
    refuse(
      'not-allowed',
      `"${event.type}" does not apply in ${rotation.state}${intentKind ? ` (step ${intentKind})` : ''}.`,
    );

  switch (event.type) {
    case 'keys-inspected': {
      if (r.state !== 'inspect' || r.intent) return wrong();
      r.keys = event.keys;
      r.lastError = undefined;
      const [first, second] = event.keys;
      if (!first) {
        log(r, now, BOT, `${r.userName} has no access keys`);
        finish(r, 'abandoned', [`IAM user ${r.userName} has no access keys: nothing to rotate.`], effects);
        return ok(r, effects);
      }
      if (!second) {
        r.oldKeyId = first.id;
        log(
          r,
          now,
          BOT,
          `inspected: one key, ${first.id} (${plural(first.ageDays, 'day')} old, ${first.verdict})`,
        );
        enterLocate(r, ctx, effects);
        return ok(r, effects);
      }
      r.state = 'resolve-extra-key';
      r.nextCheckAt = undefined;
      log(r, now, BOT, `inspected: two keys, ${first.id} and ${second.id}; one must go first`);
      return ok(r, effects);
    }

    case 'places-located': {
      if (r.state !== 'locate' || r.intent) return wrong();
      const secrets: SecretPlace[] = event.secrets.map((s) => {
        const common = {
          name: s.name,
          ...(s.arn ? { arn: s.arn } : {}),
          found: s.found,
          ...(s.parameter ? { parameter: { ...s.parameter } } : {}),
          ...(s.guarded ? { guarded: true } : {}),
        };
        if (s.search) {
          const fields = s.search.updatable
            ? displayFields(s.search.layout)
            : { idFields: [], secretFields: [] };
          return {
            ...common,
            updatable: s.search.updatable,
            ...(s.search.updatable ? { layout: s.search.layout } : { reason: s.search.reason }),
            ...fields,
            selected: s.search.updatable,
          };
        }
        // Found by tag or remembered: no value was read; the write finds (and checks) the layout.
        const fields = s.layout ? displayFields(s.layout) : { idFields: [], secretFields: [] };
        return {
          ...common,
          updatable: true,
          ...(s.layout ? { layout: s.layout } : {}),
          ...fields,
          selected: true,
        };
      });
      const checklist: ChecklistPlace[] = [
        ...secrets
          .filter((s) => !s.updatable)
          .map((s) => ({ name: s.name, source: 'secret' as const, note: s.reason, selected: true })),
      ];
      const addPlace = (p: ChecklistPlace): void => {
        if (!checklist.some((c) => c.name.toLowerCase() === p.name.toLowerCase())) checklist.push(p);
      };
      for (const p of ctx.config.thirdPartyPlaces) {
        addPlace({ name: p.name, link: p.link, source: 'config', selected: true });
      }
      for (const p of event.remembered?.thirdParty ?? []) {
        addPlace({ name: p.name, ...(p.link ? { link: p.link } : {}), source: 'remembered', selected: true });
      }
      const note = event.remembered?.note?.trim();
      r.places = {
        located: true,
        confirmed: false,
        secrets,
        checklist,
        search: event.search,
        ...(note ? { note } : {}),
      };
      r.state = 'confirm-places';
      r.nextCheckAt = undefined;
      r.lastError = undefined;
      log(r, now, BOT, describeSearch(event.search, secrets.length, r.oldKeyId ?? ''));
      return ok(r, effects);
    }

    case 'create-probed': {
      if (r.state !== 'create' || intentKind !== 'create' || r.intent?.attempt !== event.attempt)
        return wrong();
      const recovering = event.recoverFrom;
      const strays = event.strays.filter((s) => s.keyId !== recovering?.keyId);
      const used = strays.filter((s) => s.used);
      if (used.length) {
        const ids = used.map((s) => s.keyId).join(', ');
        r.intent!.failure = { at: now, message: `unexpected key ${ids} in use`, retryAt: now + pollMs(ctx) };
        r.intent!.leaseUntil = now;
        const message = `${r.userName} has a key locksmith did not record (${ids}) and it has been used, so locksmith will not delete it. Remove it by hand, or cancel the rotation.`;
        r.lastError = { at: now, message };
        log(r, now, BOT, message);
        effects.push(notify({ kind: 'step-failed', message }));
        return ok(r, effects);
      }
      const deletes: WriteEffect[] = strays.map((s) => ({
        type: 'delete-key',
        keyId: s.keyId,
        purpose: 'stray',
      }));
      if (recovering) {
        log(
          r,
          now,
          BOT,
          `resuming attempt ${event.attempt}: ${recovering.keyId} is already in ${recovering.secretName}`,
        );
        const writes: WriteEffect[] = [
          ...deletes,
          { type: 'create-key', attempt: event.attempt, recoverFrom: recovering },
        ];
        r.intent = { ...r.intent!, effects: writes };
        effects.push(...writes);
        return ok(r, effects);
      }
      // The key made by the interrupted attempt reached no secret: its secret is lost. Delete it
      // first (so the retry never meets the two-key limit), then make a new one.
      r.createAttempt = event.attempt + 1;
      log(
        r,
        now,
        BOT,
        strays.length
          ? `attempt ${event.attempt} was interrupted before ${strays.map((s) => s.keyId).join(', ')} reached any secret: deleting it and creating a new key (attempt ${r.createAttempt})`
          : `attempt ${event.attempt} was interrupted before any key was created: trying again (attempt ${r.createAttempt})`,
      );
      r.intent = undefined;
      startIntent(
        r,
        'create',
        [...deletes, { type: 'create-key', attempt: r.createAttempt }],
        ctx,
        effects,
        r.createAttempt,
      );
      return ok(r, effects);
    }

    case 'key-created': {
      if (r.state !== 'create' || intentKind !== 'create' || r.intent?.attempt !== event.attempt)
        return wrong();
      r.intent = undefined;
      r.lastError = undefined;
      r.newKeyId = event.keyId;
      r.newKeyCreatedAt = event.createdAt;
      r.newKeyCreatedHere = true;
      for (const w of event.written) {
        const place = r.places.secrets.find((s) => s.name === w.name);
        if (place) {
          place.written = {
            attempt: event.attempt,
            versionId: w.versionId,
            ...(w.previousVersionId ? { previousVersionId: w.previousVersionId } : {}),
            at: now,
            ...(w.layout ? { layout: w.layout } : {}),
          };
          if (w.layout && !place.layout) {
            place.layout = w.layout;
            Object.assign(place, displayFields(w.layout));
          }
          if (w.untagged) place.untagged = w.untagged;
          else delete place.untagged;
        }
      }
      for (const s of event.skipped) {
        r.places.checklist.push({ name: s.name, source: 'secret', note: s.reason, selected: true });
      }
      const into = event.written.map((w) => w.name);
      log(
        r,
        now,
        BOT,
        `created ${event.keyId}` +
          (into.length ? ` and wrote it into ${into.join(', ')}` : '') +
          (event.skipped.length
            ? `; not written (update by hand): ${event.skipped.map((s) => s.name).join(', ')}`
            : ''),
      );
      enterSwitchOver(r, ctx, effects);
      return ok(r, effects);
    }

    case 'usage-polled':
      if ((r.state !== 'switch-over' && r.state !== 'notify-and-approve') || r.intent) return wrong();
      return polled(r, event, ctx);

    case 'extra-key-deleted': {
      if (r.state !== 'resolve-extra-key' || intentKind !== 'delete-extra-key') return wrong();
      r.intent = undefined;
      r.lastError = undefined;
      r.extraKeyDeletedId = event.keyId;
      r.keys = r.keys.filter((k) => k.id !== event.keyId);
      r.oldKeyId = r.keys[0]?.id;
      log(r, now, BOT, `deleted the never-used extra key ${event.keyId}`);
      effects.push(notify({ kind: 'extra-key-deleted', keyId: event.keyId }));
      if (!r.oldKeyId) {
        finish(r, 'abandoned', ['No key is left to rotate.'], effects);
        return ok(r, effects);
      }
      enterLocate(r, ctx, effects);
      return ok(r, effects);
    }

    case 'key-status-set': {
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
      return wrong();
    }

    case 'old-key-deleted': {
      if (r.state !== 'delete' || intentKind !== 'delete-old-key') return wrong();
      r.intent = undefined;
      r.lastError = undefined;
      log(r, now, BOT, `deleted ${event.keyId}; ${r.newKeyId} is ${r.userName}'s only key`);
      finish(r, 'done', [`${r.userName} now has one key, ${r.newKeyId}.`], effects);
      return ok(r, effects);
    }

    case 'compensated': {
      if (r.state !== 'cancelling' || intentKind !== 'cancel') return wrong();
      r.intent = undefined;
      r.lastError = undefined;
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
      log(r, now, BOT, `undid the rotation's changes: ${notes.join(' ') || 'nothing to undo'}`);
      finish(r, 'cancelled', notes, effects);
      return ok(r, effects);
    }

    case 'step-failed': {
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
    }
  }
}

function tick(rotation: Rotation, force: boolean, ctx: TransitionContext): TransitionResult {
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

/**
 * Parks the rotation: work that runs later found the requester may no longer act under its role.
 * No AWS call was made for it. A step left in flight stays in the record, released (its lease
 * ends now), for whoever takes the rotation over or cancels it.
 */
function park(
  rotation: Rotation,
  event: Extract<SystemEvent, { type: 'park' }>,
  ctx: TransitionContext,
): TransitionResult {
  if (rotation.parked) return ok(rotation, []);
  const r = structuredClone(rotation);
  const { now } = ctx;
  r.parked = { at: now, code: event.code, reason: event.reason };
  if (r.intent && r.intent.leaseUntil > now) r.intent.leaseUntil = now;
  log(
    r,
    now,
    BOT,
    `parked: ${event.reason} Nothing runs in ${r.requester.slackId}'s name until someone who may use the role ${r.role.name} takes it over or cancels it`,
  );
  return ok(r, [notify({ kind: 'parked', requester: r.requester.slackId, reason: event.reason })]);
}

/**
 * A parked rotation continues under `event.person` (or its own requester, who may act again).
 * The new requester starts with a clean slate for what was theirs to say: a pending approval
 * was asked in the previous requester's name (and an approver taking over must not decide their
 * own step), so it is withdrawn and asked again; an acknowledgement of an incomplete search was
 * the previous requester's, so it is asked again.
 */
function takeOver(
  rotation: Rotation,
  event: Extract<PersonEvent, { type: 'take-over' }>,
  ctx: TransitionContext,
): TransitionResult {
  if (event.person.slackId !== event.by)
    return refuse('bad-input', 'A person can only take a rotation over for themselves.');
  const { now } = ctx;
  const r = structuredClone(rotation);
  const effects: RotationEffect[] = [];
  const from = r.requester.slackId;
  const same = event.person.slackId === from;
  const parked = r.parked!;
  delete r.parked;
  r.requester = { ...event.person };
  if (event.statusRef) r.statusRef = { ...event.statusRef };
  r.seenEventIds = [...r.seenEventIds, ...(event.eventId ? [event.eventId] : [])].slice(-SEEN_EVENT_IDS);
  withdrawPending(
    r,
    effects,
    same ? 'asked again after the rotation was parked' : `the rotation was taken over by ${event.by}`,
  );
  if (!same) delete r.places.acknowledged;
  if (r.state === 'notify-and-approve') {
    // Back to the wait: the next check tells 2ndline and asks an approver in the new name.
    r.state = 'switch-over';
  }
  if (r.state === 'switch-over' || r.state === 'inspect' || r.state === 'locate') r.nextCheckAt = now;
  log(
    r,
    now,
    event.by,
    same
      ? `resumed the parked rotation (it was parked: ${parked.reason})`
      : `took the rotation over from ${from} (it was parked: ${parked.reason})`,
  );
  effects.push(notify({ kind: 'taken-over', from, by: event.by }));
  return ok(r, effects);
}

function polled(
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

// ---------------------------------------------------------------------------------------------
// Helpers

/** Why the old key is believed unused, for 2ndline and the approvers. */
function readyWhy(r: Rotation, quietForMs: number, oldAt: number | undefined): string {
  return (
    `${r.newKeyId} is in use (last used ${iso(r.newKeyUsedAt)}) and ${r.oldKeyId} has not been used for ` +
    `${plural(Math.floor(quietForMs / HOUR_MS), 'hour')} (last used ${oldAt === undefined ? 'never' : iso(oldAt)})`
  );
}

/** What the search did not cover, for an approval request; undefined when it covered everything. */
function searchNote(r: Rotation): string | undefined {
  if (!r.places.search || searchComplete(r.places.search)) return undefined;
  return `Not every place was searched: ${searchGaps(r.places.search).join('; ')}.`;
}

/**
 * The old key is ready to go (notify-and-approve): tell 2ndline and ask an approver, or, after an
 * incomplete search, first ask the requester to acknowledge it.
 */
function planDeactivation(
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

/** The history line of a finished locate. */
function describeSearch(search: PlaceSearch, found: number, keyId: string): string {
  if (search.mode === 'indexed') {
    return `looked for ${keyId} by tag and in the places remembered from earlier rotations (no value read): ${found} found`;
  }
  const parts = [
    `searched ${search.secrets.read} of ${plural(search.secrets.listed, 'secret')} and ${search.parameters.read} of ${plural(search.parameters.listed, 'parameter')}`,
    `${found} hold ${keyId}`,
  ];
  const gaps = searchGaps(search);
  if (gaps.length) parts.push(`not covered: ${gaps.join('; ')}`);
  if (search.newlyTagged) parts.push(`tagged ${search.newlyTagged} for the next rotation`);
  return parts.join('; ');
}

function searchNotAcknowledged(r: Rotation): TransitionResult {
  return refuse(
    'search-not-acknowledged',
    `Not every place that could hold ${r.oldKeyId} was searched (${searchGaps(r.places.search).join('; ')}). Acknowledge that first, with the button in the status message.`,
  );
}

/** The chosen places that are guarded (see SecretPlace.guarded). */
function guardedChoice(r: Rotation): string[] {
  return r.places.secrets.filter((s) => s.selected && s.updatable && s.guarded).map((s) => s.name);
}

/** The places are settled (and any guarded ones approved): the create step starts. */
function startCreate(r: Rotation, ctx: TransitionContext, effects: RotationEffect[]): void {
  r.places.confirmed = true;
  r.createAttempt += 1;
  r.state = 'create';
  startIntent(r, 'create', [{ type: 'create-key', attempt: r.createAttempt }], ctx, effects, r.createAttempt);
}

function enterLocate(r: Rotation, ctx: TransitionContext, effects: RotationEffect[], full = false): void {
  r.state = 'locate';
  r.nextCheckAt = ctx.now + leaseMs(ctx);
  effects.push({ type: 'locate-secrets', ...(full ? { full } : {}) });
}

function enterSwitchOver(r: Rotation, ctx: TransitionContext, effects: RotationEffect[]): void {
  r.state = 'switch-over';
  r.quietSince = ctx.now;
  r.lastPolledAt = undefined;
  r.oldKeyLastUsedAt = undefined;
  r.nextCheckAt = ctx.now + pollMs(ctx);
  effects.push({ type: 'poll-usage' });
}

function enterDeactivate(r: Rotation, ctx: TransitionContext, effects: RotationEffect[]): void {
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

function enterDelete(r: Rotation, ctx: TransitionContext, effects: RotationEffect[]): void {
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
function startIntent(
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

function finish(
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

function requestApproval(
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

function withdrawPending(r: Rotation, effects: RotationEffect[], why: string): void {
  if (!r.pendingApproval) return;
  effects.push({ type: 'withdraw-approval', approvalId: r.pendingApproval.id, why });
  r.pendingApproval = undefined;
}

function notify(notice: RotationNotice): NoticeEffect {
  return { type: 'notify', notice };
}

function log(r: Rotation, at: number, by: string, what: string): void {
  r.history.push({ at, by, what });
}

function lastPersonIn(r: Rotation): string | undefined {
  for (let i = r.history.length - 1; i >= 0; i--) {
    const by = r.history[i]!.by;
    if (by !== BOT) return by;
  }
  return undefined;
}

function ok(rotation: Rotation, effects: RotationEffect[]): TransitionResult {
  return { ok: true, rotation, effects };
}

function refuse(code: RefusalCode, message: string): TransitionResult {
  return { ok: false, refusal: { code, message } };
}

function approvalPending(r: Rotation): TransitionResult {
  return refuse('approval-pending', `An approval is already pending (${r.pendingApproval?.id}).`);
}

function approvalMismatch(r: Rotation): TransitionResult {
  return refuse(
    'approval-mismatch',
    r.pendingApproval
      ? `That approval is not the one this rotation is waiting for (${r.pendingApproval.id}).`
      : 'This rotation is not waiting for an approval.',
  );
}

function describeIntent(kind: IntentKind): string {
  switch (kind) {
    case 'delete-extra-key':
      return 'delete the extra key';
    case 'create':
      return 'create and distribute the new key';
    case 'deactivate':
      return 'deactivate the old key';
    case 'reactivate':
      return 'reactivate the old key';
    case 'delete-old-key':
      return 'delete the old key';
    case 'cancel':
      return 'undo the rotation';
  }
}

function describeAction(action: ApprovalAction): string {
  switch (action) {
    case 'write-guarded':
      return 'write the new key into guarded places, replacing';
    case 'delete-extra-key':
      return 'delete the extra key';
    case 'deactivate-key':
      return 'deactivate';
    case 'skip-wait':
      return 'skip the switch-over wait and deactivate';
    case 'delete-key':
      return 'delete';
  }
}

function leaseMs(ctx: TransitionContext): number {
  return ctx.config.leaseMinutes * MINUTE_MS;
}

function pollMs(ctx: TransitionContext): number {
  return ctx.config.pollMinutes * MINUTE_MS;
}

/** A time as the rest of the bot's messages write it: "2026-11-23 07:47 UTC". */
function iso(ms: number | undefined): string {
  return ms === undefined ? 'unknown' : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
