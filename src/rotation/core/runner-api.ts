/**
 * What the rotation runner offers and needs: its dependencies, the options of a run and the
 * result every call returns (see runner.ts for how it runs).
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { Store, StoredRecord } from '../../store/store.js';
import type { KeyPair } from './key-places.js';
import type { LocateProgress } from './locate.js';
import type { RequesterCheck } from './requester-check.js';
import type { FaultHook, RotationClients, StepContext } from './step-context.js';
import type {
  NoticeEffect,
  PersonEvent,
  Refusal,
  RoleRef,
  Rotation,
  RotationConfig,
  RotationConfigInput,
  RotationPerson,
  SecretPlace,
} from './workflow/index.js';

export type RotationLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface RotationRunnerDeps {
  store: Store;
  clock: Clock;
  logger: RotationLogger;
  /** `rotation.*` settings; a function lets them differ per role/account. Default: the defaults. */
  config?: RotationConfigInput | ((rotation: Pick<Rotation, 'role' | 'userName'>) => RotationConfig);
  /**
   * Clients for work nobody clicked for (scheduled polls, resumed steps): the background role
   * with the requester's SourceIdentity. Calls that carry `options.clients` use those instead.
   */
  clientsFor?: (rotation: Rotation) => Promise<RotationClients>;
  /** GetSecretValue calls in flight while locating; default 4. */
  locateConcurrency?: number;
  newId?: () => string;
  /** Test hook; see {@link FaultHook}. */
  faults?: FaultHook;
  /**
   * Who this runner is, and how it tells that another runner's process is certainly gone (a
   * crashed process on this host, see scheduling/replica-id.ts). Steps it starts are marked as
   * its own; a step whose owner is gone is resumed at once, not after its lease.
   */
  owner?: { id: string; isGone: (holder: string) => boolean };
  /**
   * Work nobody clicked for (a scheduled poll, an approved step, a resumed step) checks with this,
   * just before its first AWS call, that the rotation's requester may still act under its role.
   * A refusal parks the rotation instead (no AWS call); a throw (the check could not be made, say
   * Slack did not answer) fails the step, to be tried again later. Without it nothing is checked.
   */
  authorize?: (rotation: Rotation) => Promise<RequesterCheck>;
  /** Whether a place found is guarded (config `approvals`), on what AWS returned; see StepContext. */
  isGuarded?: StepContext['isGuarded'];
  /** Secrets the full scan does not read (guarded for reveals); see StepContext. */
  isReadGuarded?: StepContext['isReadGuarded'];
  /**
   * Clients for one guarded place in work nobody clicked for (an approved create step): a session
   * scoped to that place, for the rotation's requester. A run with `options.clients` passes its own.
   */
  clientsForPlace?: (rotation: Rotation, place: SecretPlace) => Promise<RotationClients>;
}

export interface StartInput {
  /** A caller-chosen id makes a retried start idempotent; default a random one. */
  id?: string;
  role: RoleRef;
  userName: string;
  requester: RotationPerson;
}

export interface RunOptions {
  /** The acting person's clients (their session); AWS calls of this run use them. */
  clients?: RotationClients;
  /** The acting person's clients for one guarded place (a session scoped to it). */
  clientsForPlace?: (place: SecretPlace) => Promise<RotationClients>;
  /** Progress of the locate scan, for a progress line. */
  onProgress?: (progress: LocateProgress) => void;
}

/**
 * - `applied`: the event was saved (and its effects applied; see `error` for a step that failed
 *   after the save — the record then shows it and the step is retried or can be cancelled);
 * - `idle`: a tick found nothing due;
 * - `duplicate`: the same event was already applied (by eventId);
 * - `busy`: a step is in flight (another click, another replica); nothing was done;
 * - `conflict`: the record changed under this call and the event no longer applies;
 * - `refused`: the event does not apply now (`refusal` says why);
 * - `failed`: an AWS step failed; `error` says why, the saved record shows it, and the step is
 *   retried by the scheduler or can be cancelled;
 * - `not-found`: no such rotation.
 */
export type RunOutcome =
  'applied' | 'idle' | 'duplicate' | 'busy' | 'conflict' | 'refused' | 'failed' | 'not-found';

export interface RunResult {
  outcome: RunOutcome;
  rotationId: string;
  /** The record as saved last by this call (or as found, when nothing was saved). */
  rotation?: Rotation;
  version?: number;
  /** Messages and approval requests for the Slack layer, in order. */
  notices: NoticeEffect[];
  refusal?: Refusal;
  /** A step that failed: a sentence fit for the person. */
  error?: { message: string };
  /**
   * The new key pair, only from the create step and only when a place needs it typed in by hand
   * (a third-party place, or a secret locksmith could not edit). Show it once, ephemerally.
   * Never stored, never logged.
   */
  reveal?: KeyPair;
}

export interface RotationRunner {
  /** Creates the rotation, inspects the user's keys and, with one key, locates it. */
  start(input: StartInput, options: RunOptions & { clients: RotationClients }): Promise<RunResult>;
  /** Applies a person's event (button, modal, approval decision). */
  handle(rotationId: string, event: PersonEvent, options?: RunOptions): Promise<RunResult>;
  /** For the scheduler: ticks every rotation whose dueAt has come (polls, grace ends, stale steps). */
  resumeDue(options?: { limit?: number }): Promise<RunResult[]>;
  /** After a restart, or on "Retry": resumes a stale step, or does the state's due work now. */
  reconcile(rotationId: string, options?: RunOptions): Promise<RunResult>;
  get(rotationId: string): Promise<StoredRecord<Rotation> | undefined>;
}

/** A result of `outcome` for `record` (or for no record: an empty id). */
export function runResult(
  outcome: RunOutcome,
  record: StoredRecord<Rotation> | undefined,
  extra: Partial<RunResult> = {},
): RunResult {
  return {
    outcome,
    rotationId: record?.id ?? '',
    ...(record ? { rotation: record.data, version: record.version } : {}),
    notices: [],
    ...extra,
  };
}

/** The result of an event the workflow refused. */
export function refusalResult(record: StoredRecord<Rotation>, refused: Refusal): RunResult {
  const outcome: RunOutcome =
    refused.code === 'duplicate' ? 'duplicate' : refused.code === 'busy' ? 'busy' : 'refused';
  return runResult(outcome, record, { refusal: refused });
}
