/**
 * What a rotation does between the people and the runner, without Slack: starts rotations under
 * the person's session, feeds clicks and approval decisions to the runner, keeps the status
 * message up to date (one update at a time per rotation), asks approvers and withdraws what no
 * longer holds, finds approvals lost in a crash, and audits each of these. People are told
 * through a {@link RotationNotifier}; the scheduler's `resume` drives the waits.
 */
import { audited } from '../../audit/audited.js';
import type { AuditEvent } from '../../audit/audit-events.js';
import type { Caller } from '../../identity/caller.js';
import { createReplicaId, isGoneLocalProcess, pidRunning } from '../../scheduling/replica-id.js';
import { guardedPlaces } from '../core/guarded-places.js';
import type { SecretPlace } from '../core/rotation.js';
import { createRotationRunner, type RunResult } from '../core/runner.js';
import { rotationIdFor, statusMessageOf } from '../core/status-ref.js';
import { createApprovalSync } from './approval-sync.js';
import { rotationConfigByRole, toRotationConfig, type RotationSection } from './config.js';
import { createDelivery } from './delivery.js';
import type { NotifierHooks, RotationNotifier } from './notifier.js';
import { auditOutcome, clickAudit } from './run-audit.js';
import type {
  ActEvent,
  ActResult,
  RotationService,
  RotationServiceDeps,
  RotationServiceOptions,
  StartDiversion,
  StartOutcome,
  StartRequest,
} from './service-api.js';
import { assertSameRole, createRotationSessions } from './sessions.js';
import { createStatusUpdates } from './status-updates.js';

export type * from './service-api.js';
export { auditOutcome } from './run-audit.js';

export function createRotationService(
  deps: RotationServiceDeps,
  section: RotationSection,
  makeNotifier: (hooks: NotifierHooks) => RotationNotifier,
  options: RotationServiceOptions = {},
): RotationService {
  const { clock, logger, callers, audit, store } = deps;
  const config = toRotationConfig(section);
  const configFor = rotationConfigByRole(section);
  const sessions = createRotationSessions(deps, section);
  const { requesterMayAct, backgroundSession, placeClients } = sessions;

  const self = { id: createReplicaId(), running: pidRunning };
  const isGuardedPlace = guardedPlaces(deps.config.approvals, 'write');
  const isReadGuarded = guardedPlaces(deps.config.approvals, 'read');
  const runner = createRotationRunner({
    store,
    clock,
    logger,
    config: configFor,
    clientsFor: async (rotation) => (await backgroundSession(rotation)).clients,
    owner: {
      id: self.id,
      isGone: (holder) =>
        options.takeOverFromGoneLocalProcesses !== false && isGoneLocalProcess(holder, self),
    },
    // Work nobody clicked for asks Slack afresh: a person removed a minute ago is refused now.
    authorize: async (rotation) => {
      const { person: _person, ...check } = await requesterMayAct(rotation, true);
      return check;
    },
    ...(isGuardedPlace ? { isGuarded: isGuardedPlace } : {}),
    ...(isReadGuarded ? { isReadGuarded } : {}),
    clientsForPlace: sessions.backgroundPlaceClients,
  });

  // The notifier refreshes the status through the update queue, which renders with the notifier.
  const statusUpdates = createStatusUpdates(runner, () => notifier);
  const { onProgress } = statusUpdates;
  const notifier = makeNotifier({ backgroundSession, refresh: (id) => void statusUpdates.queueUpdate(id) });
  const delivery = createDelivery(deps, runner, notifier, statusUpdates);
  const { deliver, tellUnshownKey } = delivery;
  const { approvalDecided, reconcileApprovals } = createApprovalSync(deps, runner, notifier, delivery);

  async function start<R>(
    request: StartRequest,
    divert?: (caller: Caller) => Promise<StartDiversion<R> | undefined>,
  ): Promise<StartOutcome<R>> {
    const event: AuditEvent = {
      action: 'rotation.start',
      outcome: 'ok',
      person: { slack_id: request.userId, team_id: request.teamId },
      target: request.userName,
    };
    return audited(audit, event, async (): Promise<StartOutcome<R>> => {
      const caller = await callers.resolve(request.userId, request.teamId, request.roleName);
      event.person.email = caller.person.email;
      event.role = caller.role;
      const diversion = await divert?.(caller);
      if (diversion) {
        event.note = diversion.note;
        return { kind: 'diverted', reply: await diversion.run() };
      }
      const status = await notifier.openStatus(request.userId, {
        kind: 'starting',
        userName: request.userName,
        roleName: caller.role.name,
      });
      const id = rotationIdFor(status.channel, status.ts);
      event.rotation_id = id;
      const clients = caller.session.clients;
      let result: RunResult;
      try {
        result = await runner.start(
          {
            id,
            role: { name: caller.role.name, arn: caller.role.arn },
            userName: request.userName,
            requester: {
              slackId: request.userId,
              teamId: request.teamId,
              ...(caller.person.email ? { email: caller.person.email } : {}),
            },
          },
          { clients, onProgress: onProgress(id) },
        );
      } catch (err) {
        await notifier.closeStatus(status, { kind: 'start-failed' }).catch(() => {});
        throw err;
      } finally {
        statusUpdates.progressDone(id);
      }
      if (result.outcome === 'refused') {
        event.outcome = 'refused';
        event.reason = result.refusal?.code;
        await notifier.closeStatus(status, { kind: 'refused', result, fallback: 'Refused.' }).catch(() => {});
        return { kind: 'refused', result };
      }
      const failedToInspect = result.outcome === 'failed' && result.rotation?.state === 'inspect';
      if (failedToInspect) {
        // Nothing was changed in AWS; a denial would only fail again at every poll.
        const error = result.error;
        result = await runner.handle(
          id,
          {
            type: 'cancel',
            by: request.userId,
            reason: 'the keys could not be read',
            eventId: `start:${id}`,
          },
          { clients },
        );
        if (error) result = { ...result, error };
        event.outcome = 'error';
        event.note = error?.message;
      }
      await deliver(result, request.userId);
      const rotation = result.rotation;
      if (result.error) return { kind: 'error', message: result.error.message };
      if (rotation?.state === 'abandoned') {
        return { kind: 'abandoned', ...(rotation.outcome ? { notes: rotation.outcome.notes } : {}) };
      }
      return { kind: 'started', roleName: caller.role.name };
    });
  }

  async function act(
    rotationId: string,
    event: ActEvent,
    clicker: { id: string; teamId: string },
  ): Promise<ActResult> {
    const rec = await runner.get(rotationId);
    if (!rec) return { kind: 'gone' };
    const rotation = rec.data;
    // A parked rotation may be cancelled by anyone who may use its role (checked below, when
    // their session for that role is made); anything else is its requester's.
    const cancelsParked = rotation.parked !== undefined && event.type === 'cancel';
    if (rotation.requester.slackId !== clicker.id && !cancelsParked) {
      return { kind: 'not-requester', requester: rotation.requester.slackId };
    }
    const auditEvent = clickAudit(clicker, rotation.userName, rotationId, event.type);
    const result = await audited(audit, auditEvent, async () => {
      const caller = await callers.resolve(clicker.id, clicker.teamId, rotation.role.name);
      assertSameRole(caller.role, rotation);
      auditEvent.person.email = caller.person.email;
      auditEvent.role = caller.role;
      // A search (full scan) reports its progress into the status message as it goes.
      const options = {
        clients: caller.session.clients,
        clientsForPlace: (place: SecretPlace) =>
          placeClients(caller.person, caller.role, caller.session.clients, place),
        onProgress: onProgress(rotationId),
      };
      const r =
        event.type === 'retry'
          ? await runner.reconcile(rotationId, options)
          : await runner.handle(rotationId, event, options);
      auditEvent.outcome = auditOutcome(r);
      if (r.refusal) auditEvent.reason = r.refusal.code;
      return r;
    });
    await deliver(result, clicker.id);
    return { kind: 'ran', result };
  }

  async function takeOver(rotationId: string, clicker: { id: string; teamId: string }): Promise<ActResult> {
    const rec = await runner.get(rotationId);
    if (!rec) return { kind: 'gone' };
    const before = rec.data;
    if (!before.parked) return { kind: 'not-parked', requester: before.requester.slackId };
    const auditEvent = clickAudit(clicker, before.userName, rotationId, 'take-over');
    const resuming = before.requester.slackId === clicker.id;
    const result = await audited(audit, auditEvent, async () => {
      // The clicker must be allowed to use the rotation's role now (the same checks as a command).
      const caller = await callers.resolve(clicker.id, clicker.teamId, before.role.name);
      assertSameRole(caller.role, before);
      auditEvent.person.email = caller.person.email;
      auditEvent.role = caller.role;
      // The status message moves to the new requester's DM (the requester resuming keeps theirs).
      const statusRef = resuming
        ? undefined
        : await notifier.openStatus(clicker.id, { kind: 'taking-over', userName: before.userName });
      const clients = caller.session.clients;
      const taken = await runner.handle(
        rotationId,
        {
          type: 'take-over',
          by: clicker.id,
          eventId: `take-over:${rotationId}:v${rec.version}`,
          person: {
            slackId: clicker.id,
            teamId: clicker.teamId,
            ...(caller.person.email ? { email: caller.person.email } : {}),
          },
          ...(statusRef ? { statusRef } : {}),
        },
        { clients },
      );
      auditEvent.outcome = auditOutcome(taken);
      if (taken.refusal) auditEvent.reason = taken.refusal.code;
      if (taken.outcome !== 'applied') {
        if (statusRef) {
          await notifier
            .closeStatus(statusRef, { kind: 'refused', result: taken, fallback: 'Not taken over.' })
            .catch(() => {});
        }
        return taken;
      }
      await deliver(taken, clicker.id);
      if (!resuming) {
        // The old status message says where the rotation went, and stops offering buttons.
        const old = statusMessageOf(rotationId) ?? before.statusRef;
        if (old && (old.channel !== statusRef?.channel || old.ts !== statusRef.ts)) {
          await notifier
            .closeStatus(old, { kind: 'moved', by: clicker.id, userName: before.userName })
            .catch(() => {});
        }
      }
      // What was due (a poll, an interrupted step) runs at once, under the new requester's session.
      const resumed = await runner.reconcile(rotationId, {
        clients,
        clientsForPlace: (place) => placeClients(caller.person, caller.role, clients, place),
        onProgress: onProgress(rotationId),
      });
      await deliver(resumed, clicker.id);
      await tellUnshownKey(resumed);
      return resumed.outcome === 'applied' || resumed.outcome === 'failed' ? resumed : taken;
    });
    return { kind: 'ran', result };
  }

  async function resume(): Promise<number> {
    const results = await runner.resumeDue();
    for (const result of results) {
      await deliver(result);
      await tellUnshownKey(result);
    }
    try {
      await reconcileApprovals();
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message } }, 'rotation approvals not reconciled');
    }
    return results.length;
  }

  return { runner, config, configFor, section, sessions, start, act, takeOver, approvalDecided, resume };
}
