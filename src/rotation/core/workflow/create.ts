/**
 * Create: the new key is made and written into the chosen secrets. An interrupted attempt is
 * probed first (create-probed) so a retry never leaves a second stray key behind.
 */
import { type WriteEffect } from '../rotation.js';
import { displayFields } from '../key-places.js';
import { BOT, endStep, log, notify, notThatStep, ok, pollMs, type SystemStep } from './context.js';
import { enterSwitchOver, startIntent } from './steps.js';

/** What an interrupted create left behind: resume it, or delete its key and try again. */
export const createProbed: SystemStep<'create-probed'> = (r, event, ctx, effects) => {
  const { now } = ctx;
  const refused = notThatStep(r, event, { state: 'create', kind: 'create', attempt: event.attempt });
  if (refused) return refused;
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
};

/** The new key exists and reached its secrets: the switch-over wait starts. */
export const keyCreated: SystemStep<'key-created'> = (r, event, ctx, effects) => {
  const { now } = ctx;
  const refused = endStep(r, event, { state: 'create', kind: 'create', attempt: event.attempt });
  if (refused) return refused;
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
};
