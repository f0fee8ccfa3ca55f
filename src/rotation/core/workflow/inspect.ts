/**
 * Start and inspect: a new rotation reads the user's keys; with two keys, one must go first
 * (resolve-extra-key): the never-used one is deleted, or the person picks the key to retire.
 */
import { type RoleRef, type Rotation, type RotationEffect, type RotationPerson } from '../rotation.js';
import { plural } from '../../../core/text.js';
import {
  approvalPending,
  BOT,
  endStep,
  leaseMs,
  log,
  notAllowed,
  notify,
  ok,
  type PersonStep,
  refuse,
  type SystemStep,
  type TransitionContext,
} from './context.js';
import { askApproval, enterLocate, enterSwitchOver, finish, startIntent, withdrawPending } from './steps.js';

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

/** The user's keys were read: one key goes on to locate, two wait for a choice, none end it. */
export const keysInspected: SystemStep<'keys-inspected'> = (r, event, ctx, effects) => {
  const { now } = ctx;
  if (r.state !== 'inspect' || r.intent) return notAllowed(r, event);
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
};

/** Delete the never-used one of two keys (after an approval when the config asks for one). */
export const deleteExtraKey: PersonStep<'delete-extra-key'> = (r, event, ctx, effects) => {
  const { now } = ctx;
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
    return askApproval(
      r,
      event.by,
      `asked to delete the never-used extra key ${key.id}`,
      {
        action: 'delete-extra-key',
        keyId: key.id,
        reason: `${key.id} of ${r.userName} has never been used${other ? `; ${other.id} stays and will be rotated` : ''}`,
      },
      ctx,
      effects,
    );
  }
  log(r, now, event.by, `deleting the never-used extra key ${key.id}`);
  startIntent(r, 'delete-extra-key', [{ type: 'delete-key', keyId: key.id, purpose: 'extra' }], ctx, effects);
  return ok(r, effects);
};

/** Retire one of two keys and keep the other: no new key is created. */
export const retireKey: PersonStep<'retire-key'> = (r, event, ctx, effects) => {
  const key = r.keys.find((k) => k.id === event.keyId);
  const other = r.keys.find((k) => k.id !== event.keyId);
  if (!key || !other) return refuse('unknown-key', `${event.keyId} is not one of ${r.userName}'s two keys.`);
  withdrawPending(r, effects, 'the person chose a key to retire instead');
  r.oldKeyId = key.id;
  r.newKeyId = other.id;
  r.newKeyCreatedAt = other.createdAt;
  r.newKeyCreatedHere = false;
  r.places = { located: true, confirmed: true, secrets: [], checklist: [] };
  log(r, ctx.now, event.by, `chose to retire ${key.id} and keep ${other.id}: no new key is created`);
  enterSwitchOver(r, ctx, effects);
  return ok(r, effects);
};

/** The extra key is gone: the one left is rotated. */
export const extraKeyDeleted: SystemStep<'extra-key-deleted'> = (r, event, ctx, effects) => {
  const refused = endStep(r, event, { state: 'resolve-extra-key', kind: 'delete-extra-key' });
  if (refused) return refused;
  r.extraKeyDeletedId = event.keyId;
  r.keys = r.keys.filter((k) => k.id !== event.keyId);
  r.oldKeyId = r.keys[0]?.id;
  log(r, ctx.now, BOT, `deleted the never-used extra key ${event.keyId}`);
  effects.push(notify({ kind: 'extra-key-deleted', keyId: event.keyId }));
  if (!r.oldKeyId) {
    finish(r, 'abandoned', ['No key is left to rotate.'], effects);
    return ok(r, effects);
  }
  enterLocate(r, ctx, effects);
  return ok(r, effects);
};
