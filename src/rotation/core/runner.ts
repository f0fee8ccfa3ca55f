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
import { runRead, runWrites } from './aws-steps.js';
import type { KeyPair } from './key-places.js';
import { recheckRequester } from './requester-check.js';
import {
  refusalResult,
  type RotationRunner,
  type RotationRunnerDeps,
  type RunOptions,
  type RunResult,
  runResult,
} from './runner-api.js';
import { rotationRecords } from './runner-records.js';
import {
  errName,
  type FaultHook,
  messageOf,
  type RotationClients,
  type StepContext,
} from './step-context.js';
import {
  isNoticeEffect,
  isReadEffect,
  isWriteEffect,
  newRotation,
  type NoticeEffect,
  type Rotation,
  rotationConfig,
  type RotationEffect,
  type RotationEvent,
  type TransitionContext,
  transition,
} from './workflow/index.js';
import type { StoredRecord } from '../../store/store.js';

export type { RequesterCheck } from './requester-check.js';
export type {
  RotationLogger,
  RotationRunner,
  RotationRunnerDeps,
  RunOptions,
  RunOutcome,
  RunResult,
  StartInput,
} from './runner-api.js';
export type { FaultHook, RotationClients } from './step-context.js';

export function createRotationRunner(deps: RotationRunnerDeps): RotationRunner {
  const { clock, logger } = deps;
  const records = rotationRecords(deps.store, clock, logger);
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
          if (isFirst) return refusalResult(current, tr.refusal);
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
          const instead = await recheckRequester(deps.authorize, logger, current.data);
          if (instead) {
            event = instead;
            continue;
          }
        }
        if (tr.rotation !== current.data) {
          const saved = await records.save(current, tr.rotation);
          if (!saved) {
            const fresh = await records.get(current.id);
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
            if (isFirst) return runResult('conflict', fresh ?? current);
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
      const remembered = read?.type === 'locate-secrets' ? await records.rememberedFor(rotation) : undefined;
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
            const saved = await records.save(current, { ...current.data, intent: { ...intent, ...facts } });
            if (saved) {
              current = saved;
              await fault(`saved:${saved.data.state}:${Object.keys(facts).join(',')}`);
              return;
            }
            const fresh = await records.get(current.id);
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

    return runResult(changed ? (failure ? 'failed' : 'applied') : 'idle', current, {
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

  return {
    async start(input, options) {
      const id = input.id ?? newId();
      const existing = await records.get(id);
      if (existing) return runResult('duplicate', existing);
      const active = await records.findActive(input.role, input.userName);
      if (active) {
        return runResult('refused', active, {
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
      const created = await records.create(id, rotation);
      if (!created) return runResult('duplicate', await records.get(id));
      logger.info({ rotationId: id, userName: input.userName, role: input.role.name }, 'rotation started');
      await fault('saved:inspect');
      return run(created, undefined, effects, options, 0);
    },

    async handle(rotationId, event, options = {}) {
      const record = await records.get(rotationId);
      if (!record) return { outcome: 'not-found', rotationId, notices: [] };
      return run(record, event, [], options, 2);
    },

    async resumeDue(options = {}) {
      const due = await records.due(options.limit ?? 20);
      if (deps.owner && !orphansChecked) {
        // Once, when this process starts: steps a crashed process on this host left in flight
        // are its own to finish, at once, not when their lease runs out.
        orphansChecked = true;
        for (const record of await records.orphaned(deps.owner.isGone)) {
          if (!due.some((d) => d.id === record.id)) due.push(record);
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
          results.push(runResult('failed', record, { error: { message: messageOf(err) } }));
        }
      }
      return results;
    },

    async reconcile(rotationId, options = {}) {
      const record = await records.get(rotationId);
      if (!record) return { outcome: 'not-found', rotationId, notices: [] };
      return run(record, { type: 'tick', force: true }, [], options, 0);
    },

    get(rotationId) {
      return records.get(rotationId);
    },
  };
}
