/**
 * The rotation record; with it, re-exported, the events that move it (rotation-events.ts), the
 * effects a move asks for (rotation-effects.ts), the settings (rotation-config.ts) and what a
 * locate covered (place-search.ts). Types and defaults only; the rules are in workflow/, the
 * AWS side in runner.ts.
 *
 * A rotation record is JSON in the store. It never holds a secret value: a new key's secret
 * exists only in the runner's memory during the create step (and in the secrets it is written to).
 */
import type { ApprovalKind } from '../../approvals/approval.js';
import type { KeyFact } from './key-facts.js';
import type { KeyLayout } from './key-places.js';
import type { PlaceSearch } from './place-search.js';
import type { WriteEffect } from './rotation-effects.js';

import { ROTATION_STATES, type RotationState } from '../../core/record-states.js';

export { ROTATION_STATES, type RotationState };

export const FINAL_STATES: ReadonlySet<RotationState> = new Set(['done', 'cancelled', 'abandoned']);

export * from './place-search.js';
export * from './rotation-config.js';
export * from './rotation-effects.js';
export * from './rotation-events.js';

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
