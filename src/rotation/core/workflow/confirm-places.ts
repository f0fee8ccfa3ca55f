/**
 * Confirm places: the person chooses where the new key goes (guarded places need an approval
 * first), acknowledges an incomplete search, and ticks off places updated by hand.
 */
import { searchGaps } from '../rotation.js';
import { log, ok, type PersonStep, refuse } from './context.js';
import { needsSearchAck } from './state.js';
import { askApproval, guardedChoice, startCreate, withdrawPending } from './steps.js';
import { planDeactivation } from './switch-over.js';

/** The places for the new key are chosen: create it, or first ask to write into guarded ones. */
export const confirmPlaces: PersonStep<'confirm-places'> = (r, event, ctx, effects) => {
  const { now } = ctx;
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
    return askApproval(
      r,
      event.by,
      `asked for an approval to write the new key into guarded ${guarded.join(', ')}`,
      {
        action: 'write-guarded',
        keyId: r.oldKeyId!,
        reason: `write the new key of ${r.userName} (replacing ${r.oldKeyId}) into ${guarded.join(', ')}, which ${guarded.length === 1 ? 'is' : 'are'} guarded; write-only: locksmith shows the new key to nobody`,
        target: guarded.join(', '),
      },
      ctx,
      effects,
    );
  }
  startCreate(r, ctx, effects);
  return ok(r, effects);
};

/** The requester knows not every place was searched. */
export const acknowledgeSearch: PersonStep<'acknowledge-search'> = (r, event, ctx, effects) => {
  const { now } = ctx;
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
};

/** A checklist place was updated by hand. */
export const tickPlace: PersonStep<'tick-place'> = (r, event, ctx, effects) => {
  const { now } = ctx;
  const place = r.places.checklist.find((p) => p.name === event.name && p.selected);
  if (!place) return refuse('unknown-place', `${event.name} is not on this rotation's checklist.`);
  if (place.ticked) return refuse('duplicate', `${event.name} was already ticked off.`);
  place.ticked = { by: event.by, at: now };
  log(r, now, event.by, `ticked off ${event.name}: updated by hand`);
  return ok(r, effects);
};
