/**
 * Questions about a record that change nothing: which person events a state accepts (for the
 * buttons), whether a step is in flight, when the scheduler should look again.
 */
import {
  FINAL_STATES,
  type PersonEventType,
  type Rotation,
  type RotationState,
  searchComplete,
} from '../rotation.js';

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

export function canCancel(rotation: Rotation): boolean {
  if (rotation.state === 'delete' || rotation.intent?.kind === 'delete-old-key') return false;
  return rotation.state !== 'cancelling' && !isFinal(rotation.state);
}

/**
 * Places outside AWS on the checklist that nobody has ticked off as updated: they may still
 * hold the old key, and break when it is deactivated. Said to the person and the approver.
 */
export function untickedPlaces(r: Rotation): string[] {
  return r.places.checklist.filter((p) => p.selected && !p.ticked).map((p) => p.name);
}
