/**
 * The rotation workflow as a pure state machine: `transition(rotation, event, ctx)` returns the
 * next record and the effects to apply, or a typed refusal with no effects. No AWS, no store, no
 * clock of its own: the runner (../runner.ts) applies the effects and saves with a compare-and-set.
 *
 * ```
 * inspect ─▶ (two keys) resolve-extra-key: delete the never-used one ─▶ locate
 *                                          or retire one ─────────────▶ switch-over (no create)
 * locate ─▶ confirm-places ─▶ create ─▶ switch-over ─▶ notify-and-approve ─▶ deactivate ─▶ grace
 *        ─▶ confirm-delete ─▶ delete ─▶ done
 * any non-final state but delete ─▶ cancel (─▶ cancelling ─▶) cancelled, with compensations
 * ```
 *
 * One module per phase: inspect.ts (start, two keys), locate.ts, confirm-places.ts, create.ts,
 * switch-over.ts (polls, 2ndline, the deactivation approval), approvals.ts, retire.ts
 * (deactivate, grace, delete), cancel.ts, park.ts (park, take over), tick.ts (the scheduler);
 * person.ts checks a click before its phase sees it; state.ts answers questions about a record.
 *
 * Steps that write to AWS are saved first as an `intent` holding their effects; the runner owns
 * it for a lease. Every event is refused as busy while the lease runs, so nothing (a click, a
 * scheduler tick, a second replica) can change the record under a step in flight. A stale intent
 * (crash, or a failure that released it) is resumed by the next tick, or compensated by cancel.
 */
import type { PersonEvent, Rotation, RotationEffect, RotationEvent, SystemEvent } from '../rotation.js';
import { cancelIfRequested, compensated } from './cancel.js';
import { refuse, type TransitionContext, type TransitionResult } from './context.js';
import { keyCreated, createProbed } from './create.js';
import { extraKeyDeleted, keysInspected } from './inspect.js';
import { placesLocated } from './locate.js';
import { park } from './park.js';
import { personTransition } from './person.js';
import { keyStatusSet, oldKeyDeleted } from './retire.js';
import { isFinal } from './state.js';
import { usagePolled } from './switch-over.js';
import { stepFailed, tick } from './tick.js';

export * from '../rotation.js';
export type { Refusal, RefusalCode, TransitionContext, TransitionResult } from './context.js';
export { newRotation, type NewRotationInput } from './inspect.js';
export {
  allowedPersonEvents,
  dueAtOf,
  isBusy,
  isFinal,
  needsSearchAck,
  PERSON_EVENTS,
  untickedPlaces,
} from './state.js';

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

function isPersonEvent(event: RotationEvent): event is PersonEvent {
  return 'by' in event;
}

/** System events (from the runner), each to its phase on a copy of the record. */
function systemTransition(rotation: Rotation, event: SystemEvent, ctx: TransitionContext): TransitionResult {
  if (event.type === 'tick') return tick(rotation, event.force === true, ctx);
  if (event.type === 'park') return park(rotation, event, ctx);

  const r = structuredClone(rotation);
  const effects: RotationEffect[] = [];
  switch (event.type) {
    case 'keys-inspected':
      return keysInspected(r, event, ctx, effects);
    case 'places-located':
      return placesLocated(r, event, ctx, effects);
    case 'create-probed':
      return createProbed(r, event, ctx, effects);
    case 'key-created':
      return keyCreated(r, event, ctx, effects);
    case 'usage-polled':
      return usagePolled(r, event, ctx, effects);
    case 'extra-key-deleted':
      return extraKeyDeleted(r, event, ctx, effects);
    case 'key-status-set':
      return keyStatusSet(r, event, ctx, effects);
    case 'old-key-deleted':
      return oldKeyDeleted(r, event, ctx, effects);
    case 'compensated':
      return compensated(r, event, ctx, effects);
    case 'step-failed':
      return stepFailed(r, event, ctx, effects);
  }
}
