/**
 * What a rotation does between the people and the runner, without Slack: starts rotations under
 * the person's session, feeds clicks and approval decisions to the runner, keeps the status
 * message up to date (one update at a time per rotation), asks approvers and withdraws what no
 * longer holds, finds approvals lost in a crash, and audits each of these. People are told
 * through a {@link RotationNotifier}; the scheduler's `resume` drives the waits.
 */
import { type Approval } from '../../approvals/approval.js';
import type { AuditEvent, AuditOutcome } from '../../audit/audit-events.js';
import { audited } from '../../audit/audited.js';
import type { Deps } from '../../deps.js';
import type { Caller } from '../../identity/caller.js';
import type { Person } from '../../identity/access.js';
import { createReplicaId, isGoneLocalProcess, pidRunning } from '../../scheduling/replica-id.js';
import { guardedPlaces } from '../core/guarded-places.js';
import type { LocateProgress } from '../core/locate.js';
import type { SecretPlace } from '../core/rotation.js';
import { createRotationRunner, type RotationRunner, type RunResult } from '../core/runner.js';
import { rotationIdFor, statusMessageOf } from '../core/status-ref.js';
import {
  APPROVAL_KIND,
  type NoticeEffect,
  type PersonEvent,
  type Rotation,
  type RotationConfig,
  type RotationNotice,
  untickedPlaces,
} from '../core/workflow/index.js';
import { rotationConfigByRole, type RotationSection, toRotationConfig } from './config.js';
import type { NotifierHooks, RotationNotifier } from './notifier.js';
import { assertSameRole, createRotationSessions, type RotationSessions } from './sessions.js';

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

/** Approval requests older than this with no record (a crash between save and post) are sent again. */
const LOST_APPROVAL_MS = 60_000;
const PROGRESS_UPDATE_MS = 1500;
const WAITING_STATES = ['resolve-extra-key', 'notify-and-approve', 'confirm-delete'];

export function createRotationService(
  deps: RotationServiceDeps,
  section: RotationSection,
  makeNotifier: (hooks: NotifierHooks) => RotationNotifier,
  options: RotationServiceOptions = {},
): RotationService {
  const { clock, logger, callers, approvals, audit, store } = deps;
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

  // Status-message updates run one at a time per rotation, each rendering the record as it is
  // then, so a slow update can never overwrite a newer one.
  const updates = new Map<string, Promise<void>>();
  const lastProgress = new Map<string, number>();
  const notifier = makeNotifier({ backgroundSession, refresh: (id) => void queueUpdate(id) });

  function queueUpdate(rotationId: string, progress?: LocateProgress): Promise<void> {
    const previous = updates.get(rotationId) ?? Promise.resolve();
    const next = previous.then(() => renderStatus(rotationId, progress)).catch(() => {});
    updates.set(rotationId, next);
    void next.finally(() => {
      if (updates.get(rotationId) === next) updates.delete(rotationId);
    });
    return next;
  }

  async function renderStatus(rotationId: string, progress?: LocateProgress): Promise<void> {
    const rec = await runner.get(rotationId);
    if (!rec) return;
    // A progress line belongs to the search only; once it is over, the record says more.
    if (progress && rec.data.state !== 'locate') return;
    await notifier.showStatus(rec.data, rec.version, progress);
  }

  function onProgress(rotationId: string): (p: LocateProgress) => void {
    // At most one update every PROGRESS_UPDATE_MS: chat.update is rate-limited, and the
    // final rendering after the search says the rest.
    return (p) => {
      const now = performance.now();
      if (now - (lastProgress.get(rotationId) ?? Number.NEGATIVE_INFINITY) < PROGRESS_UPDATE_MS) return;
      lastProgress.set(rotationId, now);
      void queueUpdate(rotationId, p);
    };
  }

  async function requestApproval(
    rotation: Rotation,
    effect: Extract<NoticeEffect, { type: 'request-approval' }>,
  ): Promise<void> {
    if (!approvals) {
      await notifier.threadNote(rotation, { kind: 'no-approvals' });
      return;
    }
    await approvals.request({
      id: effect.approvalId,
      kind: effect.kind,
      requester: requesterPerson(rotation, effect.requestedBy),
      role: rotation.role,
      target: effect.target,
      reason: effect.reason,
      detail: { ...effect.detail, ...untickedDetail(rotation) },
    });
    // 2ndline hears of a deletion before an approver decides, with CloudTrail's evidence on the key.
    if (effect.action === 'delete-extra-key' || effect.action === 'delete-key') {
      await notifier.tellSecondLine(rotation, {
        action: effect.action === 'delete-key' ? 'delete' : 'delete-extra',
        keyId: effect.target,
        by: effect.requestedBy,
        why: effect.reason,
        needsApproval: true,
      });
    }
  }

  async function notify(rotation: Rotation, n: RotationNotice): Promise<void> {
    if (n.kind === 'deactivation-planned') {
      await notifier.tellSecondLine(rotation, {
        action: 'deactivate',
        keyId: n.keyId,
        by: rotation.requester.slackId,
        why: n.why,
        needsApproval: n.needsApproval,
        ...(n.gaps ? { gaps: n.gaps } : {}),
      });
    }
    if (n.kind === 'parked') {
      const rec = await runner.get(rotation.id);
      await notifier.tellParked(rotation, rec?.version ?? 0);
      audit.record({
        action: 'rotation.action',
        outcome: 'refused',
        person: { slack_id: rotation.requester.slackId, team_id: rotation.requester.teamId },
        role: rotation.role,
        target: rotation.userName,
        rotation_id: rotation.id,
        reason: rotation.parked?.code ?? 'parked',
        note: 'parked: the requester may no longer act under the role',
      });
    }
    if (n.kind === 'finished') {
      audit.record({
        action: 'rotation.finish',
        outcome: n.outcome === 'done' ? 'ok' : 'refused',
        person: { slack_id: rotation.requester.slackId, team_id: rotation.requester.teamId },
        role: rotation.role,
        target: rotation.userName,
        rotation_id: rotation.id,
        note: n.outcome,
      });
    }
    await notifier.threadNote(rotation, { kind: 'notice', notice: n });
  }

  /** Turns a run's notices into messages and approvals, then renders the status. Never throws. */
  async function deliver(result: RunResult, actor?: string): Promise<void> {
    const rotation = result.rotation;
    if (!rotation) return;
    for (const n of result.notices) {
      try {
        if (n.type === 'request-approval') await requestApproval(rotation, n);
        else if (n.type === 'withdraw-approval') {
          await approvals?.withdraw(n.approvalId, { by: actor ?? rotation.requester.slackId, why: n.why });
        } else await notify(rotation, n.notice);
      } catch (err) {
        logger.warn(
          { rotationId: rotation.id, notice: n.type, err: { message: (err as Error).message } },
          'rotation notice not delivered',
        );
      }
    }
    await queueUpdate(rotation.id);
  }

  async function reconcileApprovals(): Promise<void> {
    if (!approvals) return;
    const waiting = await store.query<Rotation>({ kind: 'rotation', states: WAITING_STATES });
    const now = clock.now();
    for (const rec of waiting) {
      const pending = rec.data.pendingApproval;
      if (!pending || rec.data.intent || rec.data.parked || now - pending.requestedAt < LOST_APPROVAL_MS)
        continue;
      const approval = await approvals.get(pending.id);
      if (!approval) {
        logger.warn(
          { rotationId: rec.id, approvalId: pending.id },
          'approval request lost; sending it again',
        );
        await requestApproval(rec.data, {
          type: 'request-approval',
          approvalId: pending.id,
          action: pending.action,
          kind: APPROVAL_KIND[pending.action],
          requestedBy: pending.requestedBy,
          target: pending.keyId,
          reason: `${pending.action} of ${pending.keyId}, asked ${new Date(pending.requestedAt).toISOString()} (sent again after a restart)`,
          detail: {
            rotationId: rec.id,
            userName: rec.data.userName,
            roleArn: rec.data.role.arn,
            keyId: pending.keyId,
          },
        });
      } else if (
        approval.state !== 'pending' &&
        now - (approval.decision?.at ?? approval.expiresAt) >= LOST_APPROVAL_MS
      ) {
        // Decided, but the rotation never heard (a crash in between): tell it now.
        await approvalDecided(approval);
      }
    }
  }

  /**
   * A create step finished with nobody at the keyboard (resumed by the scheduler or a take-over):
   * there is no window to show the pair in, and it must not go into a message. Say so, and how
   * to get it.
   */
  async function tellUnshownKey(result: RunResult): Promise<void> {
    if (!result.reveal || !result.rotation) return;
    const writtenTo = result.rotation.places.secrets.filter((p) => p.written).map((p) => p.name);
    await notifier
      .threadNote(result.rotation, { kind: 'key-unshown', keyId: result.reveal.accessKeyId, writtenTo })
      .catch(() => {});
  }

  async function approvalDecided(a: Approval): Promise<void> {
    const rotationId = a.detail.rotationId;
    if (!rotationId) return;
    const by = a.decision?.by ?? 'locksmith';
    const eventId = `approval:${a.id}`;
    const event: PersonEvent =
      a.state === 'approved'
        ? { type: 'approval-granted', by, approvalId: a.id, eventId }
        : {
            type: 'approval-rejected',
            by,
            approvalId: a.id,
            eventId,
            note: a.state === 'expired' ? 'the request expired without a decision' : (a.decision?.note ?? ''),
          };
    const result = await runner.handle(rotationId, event);
    audit.record({
      action: 'rotation.action',
      outcome: auditOutcome(result),
      person: { slack_id: by },
      role: a.role,
      target: result.rotation?.userName ?? a.target,
      rotation_id: rotationId,
      approval_id: a.id,
      requester: a.requester.slackId,
      note: event.type,
      ...(result.refusal ? { reason: result.refusal.code } : {}),
    });
    await deliver(result, by);
    const rotation = result.rotation;
    if (rotation && (result.outcome === 'refused' || result.outcome === 'failed')) {
      await notifier
        .threadNote(rotation, { kind: 'decision-not-applied', approval: a, result })
        .catch(() => {});
    }
  }

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
        lastProgress.delete(id);
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

/** Places outside AWS not yet ticked off, for the approver to see (approval-blocks says it). */
function untickedDetail(rotation: Rotation): Record<string, string> {
  const open = untickedPlaces(rotation);
  return open.length ? { unticked: open.join(', ') } : {};
}

/** The approval's requester as a person: the rotation's, with its email when it is them. */
function requesterPerson(rotation: Rotation, slackId: string): Person {
  const r = rotation.requester;
  return {
    slackId,
    teamId: r.teamId,
    name: slackId,
    ...(slackId === r.slackId && r.email ? { email: r.email } : {}),
    groups: [],
    deleted: false,
    guest: false,
    isBot: false,
  };
}

/** How a run is written in the audit log. */
export function auditOutcome(result: RunResult): AuditOutcome {
  if (result.outcome === 'applied' || result.outcome === 'idle') return result.error ? 'error' : 'ok';
  if (result.outcome === 'failed') return 'error';
  if (result.outcome === 'not-found') return 'not_found';
  return 'refused';
}

/** The audit line of a person's click on a rotation (its outcome filled in as the click runs). */
function clickAudit(
  clicker: { id: string; teamId: string },
  userName: string,
  rotationId: string,
  note: string,
): AuditEvent {
  return {
    action: 'rotation.action',
    outcome: 'ok',
    person: { slack_id: clicker.id, team_id: clicker.teamId },
    target: userName,
    rotation_id: rotationId,
    note,
  };
}
