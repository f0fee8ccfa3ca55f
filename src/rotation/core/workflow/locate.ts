/**
 * Locate: where the old key is used (secrets and parameters found by tag, remembered, or by a
 * full scan), turned into the places to confirm; searching again.
 */
import {
  type ChecklistPlace,
  type PlaceSearch,
  type Rotation,
  type RotationEffect,
  searchGaps,
  type SecretPlace,
} from '../rotation.js';
import { displayFields } from '../key-places.js';
import { plural } from '../../../core/text.js';
import {
  BOT,
  log,
  notAllowed,
  ok,
  type PersonStep,
  type SystemStep,
  type TransitionContext,
} from './context.js';
import { enterLocate, withdrawPending } from './steps.js';

/** The search ended: its places, and the checklist of places outside AWS. */
export const placesLocated: SystemStep<'places-located'> = (r, event, ctx, effects) => {
  if (r.state !== 'locate' || r.intent) return notAllowed(r, event);
  const secrets: SecretPlace[] = event.secrets.map((s) => {
    const common = {
      name: s.name,
      ...(s.arn ? { arn: s.arn } : {}),
      found: s.found,
      ...(s.parameter ? { parameter: { ...s.parameter } } : {}),
      ...(s.guarded ? { guarded: true } : {}),
    };
    if (s.search) {
      const fields = s.search.updatable ? displayFields(s.search.layout) : { idFields: [], secretFields: [] };
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
  log(r, ctx.now, BOT, describeSearch(event.search, secrets.length, r.oldKeyId ?? ''));
  return ok(r, effects);
};

/** The history line of a finished locate. */
export function describeSearch(search: PlaceSearch, found: number, keyId: string): string {
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

/** Search again by tag. */
export const rescan: PersonStep<'rescan'> = (r, event, ctx, effects) => {
  searchAgain(r, event.by, 'asked to search again by tag', ctx, effects, false);
  return ok(r, effects);
};

/** Search every secret and parameter the role can read. */
export const fullScan: PersonStep<'full-scan'> = (r, event, ctx, effects) => {
  searchAgain(
    r,
    event.by,
    'asked to search every secret and parameter the role can read',
    ctx,
    effects,
    true,
  );
  return ok(r, effects);
};

/** The places found so far are dropped and the search runs again (every place, when `full`). */
function searchAgain(
  r: Rotation,
  by: string,
  what: string,
  ctx: TransitionContext,
  effects: RotationEffect[],
  full: boolean,
): void {
  withdrawPending(r, effects, 'the places are searched again');
  r.places = {
    located: false,
    confirmed: false,
    secrets: [],
    checklist: [],
    ...(full ? { fullScanRequested: true } : {}),
  };
  log(r, ctx.now, by, what);
  enterLocate(r, ctx, effects, full);
}
