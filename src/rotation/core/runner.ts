/**
 * Runs rotations: feeds events to the pure workflow, saves each new record with a
 * compare-and-set on its version, and applies the effects to AWS. Knows nothing of Slack: the
 * Slack layer calls `start`/`handle` and renders the record and the notices it gets back; the
 * scheduler calls `resumeDue`.
 *
 * Order of work, and why it is crash-safe:
 * 1. `transition` → the next record. A step with AWS writes puts them in the record as an
 *    `intent` with a lease.
 * 2. Save with compare-and-set. Only the writer that wins goes on to AWS, so a double click, a
 *    Slack retry, a scheduler tick or a second replica cannot apply a step twice; the loser gets
 *    `duplicate`, `busy`, `refused` or `conflict` and touches nothing.
 * 3. Apply the effects; the result is a system event, back to 1.
 * A crash leaves the intent in the store; when its lease runs out the scheduler (or `reconcile`)
 * takes it over and repeats it. Every write repeats safely (see aws-steps.ts); the create step
 * first checks with ListAccessKeys and the secrets' versions what the lost attempt left behind.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { isUserError } from '../../core/errors.js';
import { ConflictError, type Store, type StoredRecord } from '../../store/store.js';
import { type FaultHook, type RotationClients, runRead, runWrites, type StepContext } from './aws-steps.js';
import type { SecretPlace } from './rotation.js';
import { accountOfArn, getKeyHome, homeAfterRotation, updateKeyHome } from './key-homes.js';
import type { KeyPair } from './key-places.js';
import type { LocateProgress } from './locate.js';
import {
  dueAtOf,
  FINAL_STATES,
  isNoticeEffect,
  isReadEffect,
  isWriteEffect,
  newRotation,
  type NoticeEffect,
  type PersonEvent,
  type Refusal,
  type RoleRef,
  ROTATION_STATES,
  type Rotation,
  type RotationConfig,
  rotationConfig,
  type RotationConfigInput,
  type RotationEffect,
  type RotationEvent,
  type RotationPerson,
  type TransitionContext,
  transition,
} from './workflow/index.js';

export type { FaultHook, RotationClients } from './aws-steps.js';

const KIND = 'rotation' as const;

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

/** Whether a rotation's requester may still act under its role, and if not, why (a sentence). */
export type RequesterCheck = { ok: true } | { ok: false; code: string; reason: string };

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

const ACTIVE_STATES = ROTATION_STATES.filter((s) => !FINAL_STATES.has(s));

export function createRotationRunner(deps: RotationRunnerDeps): RotationRunner {
  const { store, clock, logger } = deps;
  const configFor =
    typeof deps.config === 'function'
      ? deps.config
      : (() => {
          const fixed = rotationConfig(deps.config);
          return () => fixed;
        })();
  const fault: FaultHook = deps.faults ?? (() => {});
  let orphansChecked = false;
  const newId = deps.newId ?? (() => `rot-${randomUUID()}`);

  const contextFor = (rotation: Pick<Rotation, 'role' | 'userName'>): TransitionContext => ({
    now: clock.now(),
    config: configFor(rotation),
    ...(deps.owner ? { owner: deps.owner.id, isGone: deps.owner.isGone } : {}),
  });

  /** Whether two records hold the same step in flight (the same intent, started at the same time). */
  const sameStep = (a: Rotation, b: Rotation): boolean =>
    a.intent !== undefined &&
    b.intent !== undefined &&
    a.intent.kind === b.intent.kind &&
    a.intent.startedAt === b.intent.startedAt &&
    a.intent.attempt === b.intent.attempt;

  async function clientsOf(rotation: Rotation, options: RunOptions): Promise<RotationClients> {
    if (options.clients) return options.clients;
    if (deps.clientsFor) return deps.clientsFor(rotation);
    throw new Error('no AWS clients for this rotation: pass options.clients or deps.clientsFor');
  }

  function result(
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

  async function save(
    current: StoredRecord<Rotation>,
    next: Rotation,
  ): Promise<StoredRecord<Rotation> | undefined> {
    const dueAt = dueAtOf(next);
    const saved = await store.update<Rotation>(
      KIND,
      current.id,
      current.version,
      {
        state: next.state,
        ...(dueAt !== undefined ? { dueAt } : {}),
        owner: next.requester.slackId,
        data: next,
      },
      clock.now(),
    );
    if (saved && next.state === 'done' && current.data.state !== 'done') await rememberHome(next);
    return saved;
  }

  /** A finished rotation updates the record of where the user's key lives (best effort). */
  async function rememberHome(rotation: Rotation): Promise<void> {
    if (!rotation.newKeyCreatedHere) return;
    try {
      const now = clock.now();
      await updateKeyHome(
        store,
        accountOfArn(rotation.role.arn),
        rotation.userName,
        (home) => homeAfterRotation(home, rotation, now),
        now,
      );
    } catch (err) {
      logger.warn(
        { rotationId: rotation.id, err: { name: errName(err), message: messageOf(err) } },
        'record of where the key lives not updated',
      );
    }
  }

  /** What the record of where the key lives offers a locate. */
  async function rememberedFor(rotation: Rotation): Promise<StepContext['remembered']> {
    const home = await getKeyHome(store, accountOfArn(rotation.role.arn), rotation.userName);
    if (!home) return undefined;
    return {
      places: home.places.map((p) => ({ name: p.name, ...(p.layout ? { layout: p.layout } : {}) })),
      home: {
        thirdParty: home.thirdParty.map((p) => ({ name: p.name, ...(p.link ? { link: p.link } : {}) })),
        ...(home.note ? { note: home.note } : {}),
      },
    };
  }

  /**
   * The loop: transition (unless `initial` gives effects already saved), save, apply, repeat
   * with the event the effects produced, until no effects are left.
   */
  async function run(
    record: StoredRecord<Rotation>,
    first: RotationEvent | undefined,
    initial: RotationEffect[],
    options: RunOptions,
    conflictRetries: number,
  ): Promise<RunResult> {
    const notices: NoticeEffect[] = [];
    let current = record;
    let event = first;
    let effects = initial;
    let changed = first === undefined;
    let reveal: KeyPair | undefined;
    let failure: string | undefined;

    for (;;) {
      if (event) {
        const isFirst = event === first;
        const tr = transition(current.data, event, contextFor(current.data));
        if (!tr.ok) {
          if (isFirst) return refusal(current, tr.refusal);
          // A result that no longer applies (someone took the step over): theirs counts.
          logger.warn(
            {
              rotationId: current.id,
              state: current.data.state,
              event: event.type,
              refusal: tr.refusal.code,
            },
            'rotation step result dropped',
          );
          break;
        }
        if (isFirst && !options.clients && tr.effects.some((e) => isReadEffect(e) || isWriteEffect(e))) {
          // Work nobody clicked for is about to call AWS in the requester's name: are they still
          // allowed to? If not, the rotation is parked instead, and nothing is sent to AWS.
          const instead = await recheckRequester(current.data);
          if (instead) {
            event = instead;
            continue;
          }
        }
        if (tr.rotation !== current.data) {
          const saved = await save(current, tr.rotation);
          if (!saved) {
            const fresh = await store.get<Rotation>(KIND, current.id);
            if (isFirst && first && 'by' in first && conflictRetries > 0 && fresh) {
              // Decide again on what is there now: a duplicate, busy, or still applicable.
              return run(fresh, first, [], options, conflictRetries - 1);
            }
            if (!isFirst && fresh && sameStep(current.data, fresh.data) && conflictRetries > -5) {
              // Someone changed the record while this runner's step ran (a cancel asked for
              // meanwhile): the step is still this one, so its result is applied to that record.
              current = fresh;
              conflictRetries--;
              continue;
            }
            logger.warn(
              { rotationId: current.id, event: event.type },
              'rotation changed meanwhile; step not saved',
            );
            if (isFirst) return result('conflict', fresh ?? current);
            current = fresh ?? current;
            break;
          }
          current = saved;
          changed = true;
          logger.info(
            {
              rotationId: current.id,
              state: current.data.state,
              event: event.type,
              version: current.version,
            },
            'rotation step saved',
          );
          await fault(
            `saved:${current.data.state}${current.data.intent ? `:${current.data.intent.kind}` : ''}`,
          );
        }
        effects = tr.effects;
      }

      notices.push(...effects.filter(isNoticeEffect));
      const writes = effects.filter(isWriteEffect);
      const read = effects.find(isReadEffect);
      effects = [];
      if (writes.length === 0 && !read) break;

      const rotation = current.data;
      const remembered = read?.type === 'locate-secrets' ? await rememberedFor(rotation) : undefined;
      const sc: StepContext = {
        clients: await clientsOf(rotation, options),
        now: clock.now(),
        config: configFor(rotation),
        fault,
        locateConcurrency: deps.locateConcurrency ?? 4,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(remembered ? { remembered } : {}),
        ...(deps.isGuarded ? { isGuarded: deps.isGuarded } : {}),
        ...(deps.isReadGuarded ? { isReadGuarded: deps.isReadGuarded } : {}),
        ...placeClients(rotation, options),
        checkpoint: async (facts) => {
          for (let attempt = 0; attempt < 5; attempt++) {
            const intent = current.data.intent;
            if (!intent) return;
            const saved = await save(current, { ...current.data, intent: { ...intent, ...facts } });
            if (saved) {
              current = saved;
              await fault(`saved:${saved.data.state}:${Object.keys(facts).join(',')}`);
              return;
            }
            const fresh = await store.get<Rotation>(KIND, current.id);
            if (!fresh || !sameStep(current.data, fresh.data)) {
              throw new Error('the step was taken over by another runner; stopping here');
            }
            current = fresh;
          }
        },
      };
      try {
        if (writes.length) {
          const out = await runWrites(rotation, writes, sc);
          event = out.event;
          const byHand = rotation.places.checklist.some((p) => p.selected) || (out.skippedCount ?? 0) > 0;
          // Written into a guarded place, the pair is write-only: shown to nobody, not even here.
          const guarded = rotation.places.secrets.some((p) => p.selected && p.guarded);
          if (out.pair && byHand && !guarded) reveal = out.pair;
        } else {
          event = await runRead(rotation, read!, sc);
        }
      } catch (err) {
        failure = messageOf(err);
        logger.warn(
          {
            rotationId: current.id,
            state: rotation.state,
            step: rotation.intent?.kind ?? read?.type,
            // The person-facing sentence and error names only: AWS error texts can echo request data.
            err: { name: errName(err), cause: errName((err as { cause?: unknown }).cause), message: failure },
          },
          'rotation step failed',
        );
        event = { type: 'step-failed', message: failure };
      }
    }

    return result(changed ? (failure ? 'failed' : 'applied') : 'idle', current, {
      notices,
      ...(failure ? { error: { message: failure } } : {}),
      ...(reveal ? { reveal } : {}),
    });
  }

  /** Where a guarded place's clients come from: the acting person's, or the requester's in the background. */
  function placeClients(rotation: Rotation, options: RunOptions): Pick<StepContext, 'clientsForPlace'> {
    if (options.clients) return options.clientsForPlace ? { clientsForPlace: options.clientsForPlace } : {};
    const forPlace = deps.clientsForPlace;
    return forPlace ? { clientsForPlace: (place) => forPlace(rotation, place) } : {};
  }

  /** The event that replaces work the requester may no longer have done for them, or undefined. */
  async function recheckRequester(rotation: Rotation): Promise<RotationEvent | undefined> {
    if (!deps.authorize) return undefined;
    let check: RequesterCheck;
    try {
      check = await deps.authorize(rotation);
    } catch (err) {
      logger.warn(
        { rotationId: rotation.id, err: { name: errName(err), message: (err as Error)?.message } },
        'requester not re-checked',
      );
      return {
        type: 'step-failed',
        message: `locksmith could not check that <@${rotation.requester.slackId}> may still use the role ${rotation.role.name} (Slack did not answer), so it did nothing; it tries again later.`,
      };
    }
    if (check.ok) return undefined;
    logger.warn(
      { rotationId: rotation.id, requester: rotation.requester.slackId, code: check.code },
      'rotation parked: the requester may no longer act',
    );
    return { type: 'park', code: check.code, reason: check.reason };
  }

  function refusal(record: StoredRecord<Rotation>, refused: Refusal): RunResult {
    const outcome: RunOutcome =
      refused.code === 'duplicate' ? 'duplicate' : refused.code === 'busy' ? 'busy' : 'refused';
    return result(outcome, record, { refusal: refused });
  }

  async function findActive(role: RoleRef, userName: string): Promise<StoredRecord<Rotation> | undefined> {
    const active = await store.query<Rotation>({ kind: KIND, states: [...ACTIVE_STATES] });
    // A user is one per account, whichever role rotates it, and IAM user names are unique
    // case-insensitively: `svc-deploy` and `SVC-Deploy` are one user.
    const wanted = userName.toLowerCase();
    const account = accountOfArn(role.arn);
    return active.find(
      (r) => accountOfArn(r.data.role.arn) === account && r.data.userName.toLowerCase() === wanted,
    );
  }

  return {
    async start(input, options) {
      const id = input.id ?? newId();
      const existing = await store.get<Rotation>(KIND, id);
      if (existing) return result('duplicate', existing);
      const active = await findActive(input.role, input.userName);
      if (active) {
        return result('refused', active, {
          refusal: {
            code: 'already-rotating',
            message: `${input.userName} is already being rotated (${active.id}, started by <@${active.data.requester.slackId}>).`,
          },
        });
      }
      const { rotation, effects } = newRotation(
        { id, role: input.role, userName: input.userName, requester: input.requester },
        contextFor({ role: input.role, userName: input.userName }),
      );
      const dueAt = dueAtOf(rotation);
      let created: StoredRecord<Rotation>;
      try {
        created = await store.create<Rotation>(
          {
            kind: KIND,
            id,
            state: rotation.state,
            ...(dueAt !== undefined ? { dueAt } : {}),
            owner: rotation.requester.slackId,
            data: rotation,
          },
          clock.now(),
        );
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        const raced = await store.get<Rotation>(KIND, id);
        return result('duplicate', raced);
      }
      logger.info({ rotationId: id, userName: input.userName, role: input.role.name }, 'rotation started');
      await fault('saved:inspect');
      return run(created, undefined, effects, options, 0);
    },

    async handle(rotationId, event, options = {}) {
      const record = await store.get<Rotation>(KIND, rotationId);
      if (!record) return { outcome: 'not-found', rotationId, notices: [] };
      return run(record, event, [], options, 2);
    },

    async resumeDue(options = {}) {
      const due = await store.query<Rotation>({ kind: KIND, dueBy: clock.now(), limit: options.limit ?? 20 });
      if (deps.owner && !orphansChecked) {
        // Once, when this process starts: steps a crashed process on this host left in flight
        // are its own to finish, at once, not when their lease runs out.
        orphansChecked = true;
        const active = await store.query<Rotation>({ kind: KIND, states: [...ACTIVE_STATES] });
        const now = clock.now();
        for (const record of active) {
          const intent = record.data.intent;
          if (!intent?.owner || intent.leaseUntil <= now || record.data.parked) continue;
          if (due.some((d) => d.id === record.id)) continue;
          if (deps.owner.isGone(intent.owner)) due.push(record);
        }
      }
      const results: RunResult[] = [];
      // One at a time: polls are cheap, and this keeps AWS request rates low.
      for (const record of due) {
        try {
          results.push(await run(record, { type: 'tick' }, [], {}, 0));
        } catch (err) {
          logger.error(
            { rotationId: record.id, err: { name: errName(err), message: messageOf(err) } },
            'rotation tick failed',
          );
          results.push(result('failed', record, { error: { message: messageOf(err) } }));
        }
      }
      return results;
    },

    async reconcile(rotationId, options = {}) {
      const record = await store.get<Rotation>(KIND, rotationId);
      if (!record) return { outcome: 'not-found', rotationId, notices: [] };
      return run(record, { type: 'tick', force: true }, [], options, 0);
    },

    get(rotationId) {
      return store.get<Rotation>(KIND, rotationId);
    },
  };
}

function errName(err: unknown): string {
  return err instanceof Error ? err.name : err === undefined ? 'none' : typeof err;
}

/** The person-facing sentence for a failed step (RotationStepError and UserError are written for people). */
function messageOf(err: unknown): string {
  if (err instanceof Error && (err.name === 'RotationStepError' || isUserError(err))) return err.message;
  return 'Something went wrong on locksmith’s side during this step; it is retried later.';
}
