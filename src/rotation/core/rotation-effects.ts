/**
 * The effects a move of a rotation asks for: AWS reads (harmless to repeat), AWS writes (run
 * under a saved intent) and notices for the Slack layer.
 */
import type { ApprovalKind } from '../../approvals/approval.js';
import type { KeyLayout } from './key-places.js';
import type { ApprovalAction, HistoryEntry } from './rotation.js';

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
