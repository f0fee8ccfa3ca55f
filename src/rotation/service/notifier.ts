/**
 * How the rotation service talks to people, without knowing Slack: the status message in the
 * requester's DM and notes in its thread, 2ndline's channel, the approvers' channel. The Slack
 * implementation is rotation/slack/slack-notifier.ts; tests use a recording one.
 */
import type { Approval } from '../../approvals/approval.js';
import type { LocateProgress } from '../core/locate.js';
import type { RunResult } from '../core/runner.js';
import type { Rotation, RotationNotice } from '../core/workflow/index.js';
import type { RotationSessions } from './sessions.js';

/** Where a status message is (a DM channel and a message timestamp in Slack). */
export interface StatusRef {
  channel: string;
  ts: string;
}

/** What a new status message says before the record does. */
export type StatusOpening =
  { kind: 'starting'; userName: string; roleName: string } | { kind: 'taking-over'; userName: string };

/** Why a status message stops following a rotation: it says so, with no buttons. */
export type StatusClosing =
  /** The start threw: the reply to the command says why. */
  | { kind: 'start-failed' }
  /** A start or a take-over the workflow refused; `fallback` when the result has no sentence. */
  | { kind: 'refused'; result: RunResult; fallback: string }
  /** The rotation was taken over by `by`; it goes on in their DM. */
  | { kind: 'moved'; by: string; userName: string };

/** What 2ndline hears before a key is deactivated or deleted. */
export interface SecondLineNotice {
  action: 'deactivate' | 'delete-extra' | 'delete';
  keyId: string;
  by: string;
  why: string;
  needsApproval: boolean;
  /** What the search for the key's places did not cover. */
  gaps?: string[];
}

/** A note in the status message's thread. */
export type ThreadNote =
  /** What the workflow said happened (a step done or failed, a wait, the end). */
  | { kind: 'notice'; notice: RotationNotice }
  /** A step needs an approval and locksmith has no approvals configured. */
  | { kind: 'no-approvals' }
  /** A new key was finished with nobody at the keyboard: it is shown to nobody. */
  | { kind: 'key-unshown'; keyId: string; writtenTo: string[] }
  /** An approver's decision (or an expiry) could not be applied to the rotation. */
  | { kind: 'decision-not-applied'; approval: Approval; result: RunResult };

export interface RotationNotifier {
  /** Opens a status message in `userId`'s DM. Throws when it cannot be posted. */
  openStatus(userId: string, opening: StatusOpening): Promise<StatusRef>;
  /** A status message that no longer follows the rotation says why. */
  closeStatus(ref: StatusRef, closing: StatusClosing): Promise<void>;
  /** The rotation's status message shows the record as it is now (and a search's progress). */
  showStatus(rotation: Rotation, version: number, progress?: LocateProgress): Promise<void>;
  /** A note in the thread of the rotation's status message (none when it has no status message). */
  threadNote(rotation: Rotation, note: ThreadNote): Promise<void>;
  /** 2ndline's channel hears that the old (or the extra) key is about to go. */
  tellSecondLine(rotation: Rotation, notice: SecondLineNotice): Promise<void>;
  /** The approvers' channel (2ndline's without one) hears the rotation is parked: someone takes it over. */
  tellParked(rotation: Rotation, version: number): Promise<void>;
}

/** What the notifier may ask of the service it serves. */
export interface NotifierHooks {
  /** The background session of a rotation (for CloudTrail look-ups shown in its messages). */
  backgroundSession: RotationSessions['backgroundSession'];
  /** Something shown in the status message changed outside a run: render it again. */
  refresh(rotationId: string): void;
}
