/**
 * The events that move a rotation record: from people (the Slack layer sends them) and from the
 * runner (what it learnt or did).
 */
import type { KeyFact, LastUse } from './key-facts.js';
import type { KeyLayout, KeySearch } from './key-places.js';
import type { PlaceSearch } from './place-search.js';
import type { RestoreOutcome, RotationPerson } from './rotation.js';

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
