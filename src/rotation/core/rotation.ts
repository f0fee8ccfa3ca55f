/**
 * The rotation record, the events that move it and the effects a move asks for. Types and
 * defaults only; the rules are in workflow.ts, the AWS side in runner.ts.
 *
 * A rotation record is JSON in the store. It never holds a secret value: a new key's secret
 * exists only in the runner's memory during the create step (and in the secrets it is written to).
 */
import type { ApprovalKind } from '../../approvals/approval.js';
import type { KeyFact, LastUse } from './key-facts.js';
import type { KeyLayout, KeySearch } from './key-places.js';

import { ROTATION_STATES, type RotationState } from '../../core/record-states.js';

export { ROTATION_STATES, type RotationState };

export const FINAL_STATES: ReadonlySet<RotationState> = new Set(['done', 'cancelled', 'abandoned']);

/** Settings from `rotation.*` in the config file (per role/account where the config allows). */
export interface RotationConfig {
  maxKeyAgeDays: number;
  pollMinutes: number;
  quietHours: number;
  graceDays: number;
  /** Which steps need an approval in the approvals channel. */
  approvals: { deleteExtraKey: boolean; deactivate: boolean; delete: boolean };
  /** Places outside AWS that hold keys (control panels): a checklist the person ticks off. */
  thirdPartyPlaces: Array<{ name: string; link: string }>;
  /**
   * How long a runner owns a step it started (an intent). After that another runner, or the
   * same one after a restart, may take the step over and finish it.
   */
  leaseMinutes: number;
  /** The full scan of places (the explicit "search every secret" choice). */
  scan: ScanLimits;
}

/**
 * How hard the full scan may push Secrets Manager and Parameter Store. Secrets Manager's
 * documented quotas (per account and Region, not adjustable): ListSecrets 100/s,
 * BatchGetSecretValue 100/s; Parameter Store's GetParametersByPath shares the standard
 * throughput of 40/s. The defaults keep well under them, so other users of the account are not
 * throttled; a scan that reaches `maxSecrets` or `maxParameters` stops and says so.
 */
export interface ScanLimits {
  callsPerSecond: number;
  maxSecrets: number;
  maxParameters: number;
}

export const DEFAULT_ROTATION_CONFIG: RotationConfig = {
  maxKeyAgeDays: 90,
  pollMinutes: 15,
  quietHours: 24,
  graceDays: 7,
  approvals: { deleteExtraKey: true, deactivate: true, delete: true },
  thirdPartyPlaces: [],
  leaseMinutes: 5,
  scan: { callsPerSecond: 20, maxSecrets: 20_000, maxParameters: 10_000 },
};

export type RotationConfigInput = Partial<Omit<RotationConfig, 'approvals' | 'scan'>> & {
  approvals?: Partial<RotationConfig['approvals']>;
  scan?: Partial<ScanLimits>;
};

/** The defaults with `input` laid over them. */
export function rotationConfig(input: RotationConfigInput = {}): RotationConfig {
  return {
    ...DEFAULT_ROTATION_CONFIG,
    ...input,
    approvals: { ...DEFAULT_ROTATION_CONFIG.approvals, ...input.approvals },
    scan: { ...DEFAULT_ROTATION_CONFIG.scan, ...input.scan },
    thirdPartyPlaces: input.thirdPartyPlaces ?? DEFAULT_ROTATION_CONFIG.thirdPartyPlaces,
  };
}

export interface RoleRef {
  name: string;
  arn: string;
}

export interface RotationPerson {
  slackId: string;
  teamId: string;
  email?: string;
}

/**
 * A Secrets Manager secret or a Parameter Store parameter found to hold the old key id. A
 * parameter's name is `ssm:` and its own name (`ssm:/team/ci/aws`): Secrets Manager names cannot
 * hold a colon, so the two never collide.
 */
export interface SecretPlace {
  name: string;
  arn?: string;
  /**
   * How it was found: `tag` (locksmith's `locksmith:access-key-id` tag, no value read),
   * `remembered` (the record of where the key lives, from an earlier rotation), `scan` (its
   * value was read). Older records have none: they were scanned.
   */
  found?: 'tag' | 'remembered' | 'scan';
  /**
   * False when the layout is not one locksmith edits; `reason` says why. A place found by tag
   * is taken as updatable; its value is read, and its layout found, only when the new key is
   * written, and it is skipped (and listed by hand) if it turns out not to be.
   */
  updatable: boolean;
  reason?: string;
  /** Undefined for a place found by tag or remembered without one: found when writing. */
  layout?: KeyLayout;
  /** A parameter's type and KMS key, kept when locksmith writes it. */
  parameter?: { type: 'String' | 'SecureString'; keyId?: string };
  /**
   * Guarded (config `approvals`: its canonical name matches `guarded_secrets` or `guarded_edits`,
   * or it carries `guarded_tag`), as decided on what AWS returned when it was found. Writing the
   * new key into it needs an approval first, runs under a session scoped to it, and is
   * write-only: nobody is shown the new pair.
   */
  guarded?: boolean;
  /** For display: the fields holding the key id and its secret (dotted paths). */
  idFields: string[];
  secretFields: string[];
  /** Chosen by the person in confirm-places. */
  selected: boolean;
  /**
   * Set when the new pair was written (PutSecretValue, or PutParameter: then `versionId` is the
   * parameter's version number), with the layout it was written with.
   */
  written?: {
    attempt: number;
    versionId: string;
    previousVersionId?: string;
    at: number;
    layout?: KeyLayout;
  };
  /** The `locksmith:access-key-id` tag could not be set (why): the next rotation may not find it by tag. */
  untagged?: string;
  /** What cancelling did to this secret. */
  restored?: RestoreOutcome;
}

export type RestoreOutcome = 'restored' | 'unchanged' | 'changed-since' | 'gone';

/**
 * A checklist item: a configured third-party place, one remembered from earlier rotations of this
 * user (key-homes.ts), or a secret or parameter locksmith cannot edit.
 */
export interface ChecklistPlace {
  name: string;
  link?: string;
  source: 'config' | 'remembered' | 'secret';
  note?: string;
  selected: boolean;
  ticked?: { by: string; at: number };
}

/** Actions that may need an approval, and the approval kind each is filed under. */
export type ApprovalAction =
  | 'delete-extra-key'
  | 'deactivate-key'
  | 'skip-wait'
  | 'delete-key'
  /** Writing the new key into guarded places: like a guarded edit, before the key exists. */
  | 'write-guarded';

export const APPROVAL_KIND: Record<ApprovalAction, ApprovalKind> = {
  'write-guarded': 'write-guarded',
  'delete-extra-key': 'delete-key',
  'deactivate-key': 'deactivate-key',
  'skip-wait': 'skip-wait',
  'delete-key': 'delete-key',
};

export interface PendingApproval {
  /** Deterministic (`<rotation>:<action>:<n>`), so re-sending the request after a crash is idempotent. */
  id: string;
  action: ApprovalAction;
  keyId: string;
  requestedAt: number;
  /** Slack id of the person the request is filed for (the approver must be someone else). */
  requestedBy: string;
}

export interface HistoryEntry {
  at: number;
  /** A Slack user id, or "locksmith" for the bot's own steps. */
  by: string;
  what: string;
}

/** What a locate covered. */
export interface PlaceSearch {
  /** `indexed`: by tag and the remembered places only; `full`: every value the role can read. */
  mode: 'indexed' | 'full';
  at: number;
  secrets: SearchCount;
  parameters: SearchCount;
  /** Places found by tag, or remembered (before any value was read). */
  tagged: number;
  /** Places found by the scan that locksmith tagged, and those it could not tag (why). */
  newlyTagged?: number;
  untagged?: string[];
}

export interface SearchCount {
  /** Listed by name (no value read). */
  listed: number;
  /** Values read and searched. */
  read: number;
  /** Listed but not readable (access denied, binary, decryption failed): names, up to 20. */
  unreadable: string[];
  unreadableCount: number;
  /** The scan stopped at its limit: more were there. */
  capped: boolean;
  /** IAM denied the listing or the reads as a whole (which action): nothing of this kind was searched. */
  denied?: string;
}

/**
 * Whether every place the role can see was searched: only a full scan that read every secret
 * and parameter it listed, with no limit reached. An indexed search covers what locksmith tagged.
 */
export function searchComplete(search: PlaceSearch | undefined): boolean {
  if (!search || search.mode !== 'full') return false;
  return [search.secrets, search.parameters].every(
    (c) => !c.capped && c.unreadableCount === 0 && c.denied === undefined,
  );
}

/** What the search did not cover, as sentences for the status and the approval request. */
export function searchGaps(search: PlaceSearch | undefined): string[] {
  if (!search) return ['the places were not searched'];
  if (search.mode === 'indexed') {
    const gaps = [
      'only secrets and parameters locksmith tagged (or remembered from earlier rotations) were looked at; no value was read',
    ];
    for (const [what, c] of [
      ['secrets', search.secrets],
      ['parameters', search.parameters],
    ] as const) {
      if (c.denied) gaps.push(`no ${what} were looked up: IAM denied ${c.denied}`);
    }
    return gaps;
  }
  const gaps: string[] = [];
  for (const [what, c] of [
    ['secrets', search.secrets],
    ['parameters', search.parameters],
  ] as const) {
    if (c.denied) gaps.push(`no ${what} were searched: IAM denied ${c.denied}`);
    if (c.capped) gaps.push(`the scan stopped at ${c.listed} ${what}; there are more`);
    if (c.unreadableCount) {
      const names = c.unreadable.slice(0, 5).join(', ');
      gaps.push(
        `${c.unreadableCount} ${what} could not be read (${names}${c.unreadableCount > 5 ? ', …' : ''})`,
      );
    }
  }
  return gaps;
}

export type IntentKind =
  'delete-extra-key' | 'create' | 'deactivate' | 'reactivate' | 'delete-old-key' | 'cancel';

/**
 * A step with AWS writes, saved before any of them is made. While `leaseUntil` is ahead, the
 * runner that saved it owns the step and every other event is refused as busy; after that (a
 * crash, or a failure that released the lease) the next tick resumes it.
 */
export interface Intent {
  kind: IntentKind;
  effects: WriteEffect[];
  startedAt: number;
  leaseUntil: number;
  /** For `create`: the attempt whose ClientRequestTokens the writes use. */
  attempt?: number;
  /**
   * The runner (process) that owns the step: a restarted process knows a step whose owner is a
   * gone process on its host was interrupted, and resumes it at once instead of waiting out the lease.
   */
  owner?: string;
  /**
   * For `create`, saved just before CreateAccessKey: the keys the user had then. A key not among
   * them may be this attempt's; without this record CreateAccessKey was never called.
   */
  keysBefore?: string[];
  /** For `create`, saved as soon as CreateAccessKey answered: this attempt's key. */
  createdKeyId?: string;
  /** Set when the step failed; the lease is released and the scheduler retries at `retryAt`. */
  failure?: { at: number; message: string; retryAt: number };
}

export interface Rotation {
  id: string;
  role: RoleRef;
  userName: string;
  requester: RotationPerson;
  state: RotationState;
  createdAt: number;
  /** The keys as inspected. */
  keys: KeyFact[];
  oldKeyId?: string;
  newKeyId?: string;
  /** IAM's CreateDate of the new key (epoch ms). */
  newKeyCreatedAt?: number;
  /** False when the "new" key already existed (two keys in use, one retired). */
  newKeyCreatedHere: boolean;
  extraKeyDeletedId?: string;
  places: {
    located: boolean;
    confirmed: boolean;
    secrets: SecretPlace[];
    checklist: ChecklistPlace[];
    /** Older records: secrets read by the scan, and those that could not be read. */
    scanned?: number;
    unreadable?: number;
    /** How the places were searched, and what that search could not cover. */
    search?: PlaceSearch;
    /**
     * The requester's acknowledgement that not every place was searched; deactivating the old
     * key waits for it when the search was incomplete (see {@link searchComplete}).
     */
    acknowledged?: { by: string; at: number };
    /** The free-text note of the record of where the key lives, when there is one. */
    note?: string;
    /** Set while a locate asked to read every value (the full scan) is pending or running. */
    fullScanRequested?: boolean;
    /** The approval to write the new key into the chosen guarded places, once granted. */
    guardedApproved?: { by: string; at: number; approvalId: string; names: string[] };
  };
  /** The last create attempt started (0 = none); each attempt has its own request tokens. */
  createAttempt: number;
  intent?: Intent;
  pendingApproval?: PendingApproval;
  approvalSeq: number;
  /** Last use of the new key seen by a poll. */
  newKeyUsedAt?: number;
  /** Last use of the old key seen by the previous poll; a change resets `quietSince`. */
  oldKeyLastUsedAt?: number;
  /** Since when (bot clock) the old key has been seen quiet. */
  quietSince?: number;
  lastPolledAt?: number;
  deactivatedAt?: number;
  graceEndsAt?: number;
  /** When the scheduler should next poll (switch-over, notify-and-approve) or retry a read. */
  nextCheckAt?: number;
  lastError?: { at: number; message: string };
  history: HistoryEntry[];
  /** Ids of recent events already applied (a Slack retry or double click is answered as duplicate). */
  seenEventIds: string[];
  /** Cancel was asked while a step was in flight: it is planned as soon as that step ends. */
  cancelRequested?: { by: string; at: number; reason?: string };
  /**
   * Work that runs later found that the requester may no longer act under the rotation's role
   * (left Slack, removed from the policy, …): nothing runs until a person who may use the role
   * takes the rotation over or cancels it. `code` is the refusal's (access.ts), `reason` a sentence.
   */
  parked?: { at: number; code: string; reason: string };
  /**
   * Where the rotation's status is shown, when it moved (a take-over posts it in the new
   * requester's DM); otherwise the Slack layer finds it from the id. Opaque to the workflow.
   */
  statusRef?: { channel: string; ts: string };
  outcome?: { kind: 'done' | 'cancelled' | 'abandoned'; notes: string[] };
}

// ---------------------------------------------------------------------------------------------
// Events

interface PersonEventBase {
  /** Slack id of the person acting. */
  by: string;
  /** An id for deduplication (e.g. the Slack action's message ts + action id, or the approval id). */
  eventId?: string;
}

/** Events from people (buttons, modals, approvals). The Slack layer sends these. */
export type PersonEvent = PersonEventBase &
  (
    | { type: 'delete-extra-key'; keyId: string }
    | { type: 'retire-key'; keyId: string }
    | { type: 'confirm-places'; secrets: string[]; checklist: string[] }
    | { type: 'rescan' }
    /** Search every secret and parameter the role can read (reads values; may alert the security team). */
    | { type: 'full-scan' }
    /** "I know not every place was searched": lets deactivation go on after an incomplete search. */
    | { type: 'acknowledge-search' }
    | { type: 'tick-place'; name: string }
    | { type: 'proceed-anyway'; reason: string }
    | { type: 'approval-granted'; approvalId: string }
    | { type: 'approval-rejected'; approvalId: string; note?: string }
    | { type: 'confirm-deactivate' }
    | { type: 'reactivate' }
    | { type: 'confirm-delete' }
    | { type: 'cancel'; reason?: string }
    /**
     * A parked rotation continues under `person` (who must be allowed to use its role; the Slack
     * layer checks), or under its own requester again once they may act.
     */
    | { type: 'take-over'; person: RotationPerson; statusRef?: { channel: string; ts: string } }
  );

export type PersonEventType = PersonEvent['type'];

/** A secret or parameter the locate found (by tag, remembered, or by reading its value). */
export interface LocatedSecret {
  name: string;
  arn?: string;
  /** From a scan: how the value holds the key. By tag or remembered: unknown until written. */
  search?: Exclude<KeySearch, { found: false }>;
  found: 'tag' | 'remembered' | 'scan';
  /** A layout remembered from an earlier rotation, to show the fields before the write. */
  layout?: KeyLayout;
  parameter?: { type: 'String' | 'SecureString'; keyId?: string };
  /** See {@link SecretPlace.guarded}. */
  guarded?: boolean;
  /** A secret's tags as AWS listed or described them (the guard tag is decided on them); not kept. */
  tags?: Array<{ Key?: string; Value?: string }>;
}

/** What the record of where the key lives adds to a locate: places outside AWS and a note. */
export interface RememberedHome {
  thirdParty: Array<{ name: string; link?: string }>;
  note?: string;
}

/** What the runner learnt or did; only the runner sends these. */
export type SystemEvent =
  /** Time passed (scheduler), or a restart: do the state's due work or resume a stale step. */
  | { type: 'tick'; force?: boolean }
  | { type: 'keys-inspected'; keys: KeyFact[] }
  | {
      type: 'places-located';
      secrets: LocatedSecret[];
      search: PlaceSearch;
      remembered?: RememberedHome;
    }
  | {
      type: 'create-probed';
      attempt: number;
      strays: Array<{ keyId: string; used: boolean }>;
      recoverFrom?: { keyId: string; secretName: string };
    }
  | {
      type: 'key-created';
      attempt: number;
      keyId: string;
      createdAt: number;
      written: Array<{
        name: string;
        versionId: string;
        previousVersionId?: string;
        layout?: KeyLayout;
        untagged?: string;
      }>;
      skipped: Array<{ name: string; reason: string }>;
    }
  | { type: 'extra-key-deleted'; keyId: string }
  | { type: 'key-status-set'; keyId: string; status: 'Active' | 'Inactive' }
  | { type: 'old-key-deleted'; keyId: string }
  | { type: 'usage-polled'; oldKey: LastUse | 'never' | 'gone'; newKey: LastUse | 'never' | 'gone' }
  | {
      type: 'compensated';
      secrets: Array<{ name: string; outcome: RestoreOutcome }>;
      newKey: 'deleted' | 'kept-used' | 'none';
      keptKeyIds: string[];
      reactivated: boolean;
    }
  | { type: 'step-failed'; message: string }
  /**
   * Work nobody clicked for was about to run, and the requester may no longer act under the
   * rotation's role: park the rotation instead (no AWS call was made).
   */
  | { type: 'park'; code: string; reason: string };

export type RotationEvent = PersonEvent | SystemEvent;

// ---------------------------------------------------------------------------------------------
// Effects

/** AWS reads; repeating one is harmless, so they run without an intent. */
export type ReadEffect =
  | { type: 'inspect-keys' }
  /** `full`: read every value the role can (the explicit scan); otherwise by tag only. */
  | { type: 'locate-secrets'; full?: boolean }
  | { type: 'poll-usage' }
  | { type: 'probe-create'; attempt: number };

/** AWS writes; each is idempotent or reconciles, and runs only under a saved intent. */
export type WriteEffect =
  | { type: 'delete-key'; keyId: string; purpose: 'extra' | 'old' | 'stray' }
  | { type: 'create-key'; attempt: number; recoverFrom?: { keyId: string; secretName: string } }
  | { type: 'set-key-status'; keyId: string; status: 'Active' | 'Inactive' }
  | {
      type: 'restore-secret';
      name: string;
      ourVersionIds: string[];
      previousVersionId?: string;
      /** Parameters: the old key id and the layout, to find locksmith's write in the history. */
      oldKeyId?: string;
      layout?: KeyLayout;
    }
  /**
   * Deletes `keyId` if it was never used; without one (an interrupted create that recorded the
   * keys before it called CreateAccessKey, but not the key it made), any key not in `keepKeyIds`.
   */
  | { type: 'delete-new-key'; keyId?: string; keepKeyIds: string[] };

/** What the Slack layer shows. */
export type RotationNotice =
  | {
      kind: 'switch-over-status';
      newKeyUsedAt?: number;
      oldKeyLastUsedAt?: number;
      quietSince: number;
      quietForMs: number;
      neededMs: number;
      ready: boolean;
    }
  | {
      kind: 'deactivation-planned';
      keyId: string;
      userName: string;
      why: string;
      needsApproval: boolean;
      /** What the search for the key's places did not cover, when it was incomplete. */
      gaps?: string[];
    }
  /** The old key looks unused, but the search was incomplete: the requester must acknowledge it. */
  | { kind: 'search-ack-needed'; keyId: string; gaps: string[] }
  | { kind: 'key-deactivated'; keyId: string; graceEndsAt: number }
  | { kind: 'key-reactivated'; keyId: string; by: string }
  | { kind: 'delete-due'; keyId: string }
  | { kind: 'extra-key-deleted'; keyId: string }
  | {
      kind: 'finished';
      outcome: 'done' | 'cancelled' | 'abandoned';
      summary: HistoryEntry[];
      notes: string[];
    }
  | { kind: 'step-failed'; message: string }
  /** The rotation was parked: tell the requester and the approvers' channel. */
  | { kind: 'parked'; requester: string; reason: string }
  /** A parked rotation continues under `by` (who may be its requester again). */
  | { kind: 'taken-over'; from: string; by: string };

export type NoticeEffect =
  | {
      type: 'request-approval';
      approvalId: string;
      action: ApprovalAction;
      kind: ApprovalKind;
      /** Slack id of the person the request is for; approvers must be someone else. */
      requestedBy: string;
      target: string;
      reason: string;
      detail: Record<string, string>;
    }
  | { type: 'withdraw-approval'; approvalId: string; why: string }
  | { type: 'notify'; notice: RotationNotice };

export type RotationEffect = ReadEffect | WriteEffect | NoticeEffect;

const READ_TYPES = new Set(['inspect-keys', 'locate-secrets', 'poll-usage', 'probe-create']);
const WRITE_TYPES = new Set([
  'delete-key',
  'create-key',
  'set-key-status',
  'restore-secret',
  'delete-new-key',
]);

export function isReadEffect(e: RotationEffect): e is ReadEffect {
  return READ_TYPES.has(e.type);
}

export function isWriteEffect(e: RotationEffect): e is WriteEffect {
  return WRITE_TYPES.has(e.type);
}

export function isNoticeEffect(e: RotationEffect): e is NoticeEffect {
  return !READ_TYPES.has(e.type) && !WRITE_TYPES.has(e.type);
}
