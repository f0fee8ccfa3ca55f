/** What the rotation service offers its Slack edge, and what it needs. */
import type { Approval } from '../../approvals/approval.js';
import type { Deps } from '../../deps.js';
import type { Caller } from '../../identity/caller.js';
import type { RotationRunner, RunResult } from '../core/runner.js';
import type { PersonEvent, Rotation, RotationConfig } from '../core/workflow/index.js';
import type { RotationSection } from './config.js';
import type { RotationSessions } from './sessions.js';

export interface StartRequest {
  userId: string;
  teamId: string;
  userName: string;
  roleName?: string;
}

/** Another feature takes this start over (an SES SMTP user is replaced, not rotated). */
export interface StartDiversion<R> {
  /** Said in the audit event of the start. */
  note: string;
  run(): Promise<R>;
}

/** How a start ended, for the reply to the command. */
export type StartOutcome<R> =
  | { kind: 'diverted'; reply: R }
  | { kind: 'refused'; result: RunResult }
  | { kind: 'error'; message: string }
  | { kind: 'abandoned'; notes?: string[] }
  | { kind: 'started'; roleName: string };

/** How a click (or a take-over) ended: the runner's answer, or why it never reached the runner. */
export type ActResult =
  | { kind: 'gone' }
  | { kind: 'not-requester'; requester: string }
  | { kind: 'not-parked'; requester: string }
  | { kind: 'ran'; result: RunResult };

export type ActEvent = PersonEvent | { type: 'retry'; by: string };

export interface RotationService {
  readonly runner: RotationRunner;
  readonly config: RotationConfig;
  /** The settings for rotations under one role (`approvals_by_role` applied). */
  configFor(rotation: Pick<Rotation, 'role'>): RotationConfig;
  readonly section: RotationSection;
  readonly sessions: RotationSessions;
  /** Starts a rotation. Throws UserError for refusals of the caller. */
  start<R>(
    request: StartRequest,
    divert?: (caller: Caller) => Promise<StartDiversion<R> | undefined>,
  ): Promise<StartOutcome<R>>;
  /** A click or a modal by `clicker` (who must be the requester). */
  act(rotationId: string, event: ActEvent, clicker: { id: string; teamId: string }): Promise<ActResult>;
  /** A parked rotation taken over (or resumed by its requester): see RotationController.takeOver. */
  takeOver(rotationId: string, clicker: { id: string; teamId: string }): Promise<ActResult>;
  /** An approval of a rotation step was decided (approved, rejected or expired). */
  approvalDecided(approval: Approval): Promise<void>;
  /** The scheduler job: polls, grace ends, stale steps, approvals lost in a crash. */
  resume(): Promise<number>;
}

export type RotationServiceDeps = Pick<
  Deps,
  'clock' | 'logger' | 'callers' | 'sessions' | 'approvals' | 'audit' | 'store' | 'config'
>;

export interface RotationServiceOptions {
  /**
   * Resume at once a step whose process on this host is certainly gone (default true). False
   * where host names and PIDs are shared (AWS Lambda), as for the scheduler's leases.
   */
  takeOverFromGoneLocalProcesses?: boolean;
}
