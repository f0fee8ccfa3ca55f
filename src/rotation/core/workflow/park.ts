/**
 * Park and take over: work that runs later stops when the requester may no longer act, until
 * someone who may use the role takes the rotation over (or the requester, allowed again, resumes it).
 */
import { type PersonEvent, type Rotation, type RotationEffect, type SystemEvent } from '../rotation.js';
import {
  BOT,
  log,
  notify,
  ok,
  refuse,
  rememberEvent,
  type TransitionContext,
  type TransitionResult,
} from './context.js';
import { withdrawPending } from './steps.js';

/**
 * Parks the rotation: work that runs later found the requester may no longer act under its role.
 * No AWS call was made for it. A step left in flight stays in the record, released (its lease
 * ends now), for whoever takes the rotation over or cancels it.
 */
export function park(
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
export function takeOver(
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
  rememberEvent(r, event.eventId);
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
