/**
 * The Slack side of a rotation, between the listeners and the runner: starts rotations under
 * the person's session, feeds clicks and approval decisions to the runner, and turns what comes
 * back into Slack: the status message in the requester's DM (updated in place), notes in its
 * thread, the 2ndline post, approval requests. The scheduler's `resume` drives the waits.
 *
 * Clicks run under the clicker's own session (they must be the requester); work nobody clicked
 * for (polls, steps an approver unlocked) runs under `rotation.background_role` (default: the
 * rotation's own role) with the requester's SourceIdentity, so CloudTrail still names them.
 */
import { type Approval, describeKind } from '../../approvals/approval.js';
import type { AuditEvent, AuditOutcome } from '../../audit/audit-events.js';
import { audited } from '../../audit/audited.js';
import type { Config } from '../../config.js';
import type { Deps } from '../../deps.js';
import { isUserError, UserError } from '../../core/errors.js';
import type { Person } from '../../identity/access.js';
import { createReplicaId, isGoneLocalProcess, pidRunning } from '../../scheduling/replica-id.js';
import type { PersonSession } from '../../identity/sessions.js';
import { createKeyEvidence, withBlocks } from './key-evidence.js';
import { notice, section as slackSection, type SlackMessage } from '../../slack/block-kit.js';
import { code, escapeMrkdwn } from '../../slack/mrkdwn.js';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { accountOf, parameterArn, partitionOf } from '../../aws/session-policy.js';
import { guardedPlaces } from '../core/guarded-places.js';
import { type LocateProgress, parameterNameOf } from '../core/locate.js';
import type { RoleRef, SecretPlace } from '../core/rotation.js';
import {
  createRotationRunner,
  type RequesterCheck,
  type RotationClients,
  type RotationRunner,
  type RunResult,
} from '../core/runner.js';
import {
  APPROVAL_KIND,
  type NoticeEffect,
  type PersonEvent,
  type Rotation,
  type RotationConfig,
  rotationConfig,
  type RotationNotice,
} from '../core/workflow/index.js';
import { rotationIdFor, statusMessageOf, statusMessageOfRotation } from './ids.js';
import { buildParkedPost } from './parked-blocks.js';
import { createSmtpFlow, type SmtpFlow } from './smtp-flow.js';
import {
  buildNotifyPost,
  buildStartingMessage,
  buildStatusMessage,
  buildThreadNote,
  escapeKeepingMentions,
  untickedPlaces,
} from './rotation-blocks.js';

/** Places outside AWS not yet ticked off, for the approver to see (approval-blocks says it). */
function untickedDetail(rotation: Rotation): Record<string, string> {
  const open = untickedPlaces(rotation);
  return open.length ? { unticked: open.join(', ') } : {};
}

export type RotationSection = NonNullable<Config['rotation']>;

/**
 * `rotation.*` from the config file, as the runner takes it. With `roleName`, that role's
 * `approvals_by_role` entry overrides the global `approvals` field by field.
 */
export function toRotationConfig(section: RotationSection, roleName?: string): RotationConfig {
  const byRole = roleName !== undefined ? section.approvals_by_role?.[roleName] : undefined;
  const global = section.approvals;
  return rotationConfig({
    maxKeyAgeDays: section.max_key_age_days,
    pollMinutes: section.poll_minutes,
    quietHours: section.quiet_hours,
    graceDays: section.grace_days,
    approvals: {
      deleteExtraKey: byRole?.require_for_delete_extra ?? global.require_for_delete_extra,
      deactivate: byRole?.require_for_deactivate ?? global.require_for_deactivate,
      delete: byRole?.require_for_delete ?? global.require_for_delete,
    },
    thirdPartyPlaces: section.third_party_places.map((p) => ({ name: p.name, link: p.link })),
  });
}

/** The runner's config per rotation: one mapping per role, made once. */
export function rotationConfigByRole(
  section: RotationSection,
): (rotation: Pick<Rotation, 'role'>) => RotationConfig {
  const fallback = toRotationConfig(section);
  const cache = new Map<string, RotationConfig>();
  return (rotation) => {
    const name = rotation.role.name;
    if (!section.approvals_by_role || !Object.hasOwn(section.approvals_by_role, name)) return fallback;
    let c = cache.get(name);
    if (!c) {
      c = toRotationConfig(section, name);
      cache.set(name, c);
    }
    return c;
  };
}

export interface StartRequest {
  userId: string;
  teamId: string;
  userName: string;
  roleName?: string;
}

/** What a click came to: the runner's answer, and a sentence for the clicker when there is one. */
export interface ActOutcome {
  result?: RunResult;
  /** mrkdwn, already escaped; undefined when the status message says it all. */
  message?: string;
}

export type ActEvent = PersonEvent | { type: 'retry'; by: string };

export interface RotationController {
  readonly runner: RotationRunner;
  readonly config: RotationConfig;
  /** The settings for rotations under one role (`approvals_by_role` applied). */
  configFor(rotation: Pick<Rotation, 'role'>): RotationConfig;
  readonly section: RotationSection;
  /** SES SMTP users: replaced (new user), not rotated. */
  readonly smtp: SmtpFlow;
  /** Starts a rotation; returns the reply to the command. Throws UserError for refusals. */
  start(request: StartRequest): Promise<SlackMessage>;
  /** A click or a modal by `clicker` (who must be the requester). */
  act(rotationId: string, event: ActEvent, clicker: { id: string; teamId: string }): Promise<ActOutcome>;
  /** Fresh record of a rotation, for modals. */
  load(rotationId: string): Promise<{ rotation: Rotation; version: number } | undefined>;
  /** An approval of a rotation step was decided (approved, rejected or expired). */
  approvalDecided(approval: Approval): Promise<void>;
  /** The scheduler job: polls, grace ends, stale steps, approvals lost in a crash. */
  resume(): Promise<number>;
  /**
   * A parked rotation taken over by `clicker` (who must be allowed to use its role now), or
   * resumed by its own requester allowed again; its steps then run under the clicker's session.
   */
  takeOver(rotationId: string, clicker: { id: string; teamId: string }): Promise<ActOutcome>;
}

/** Approval requests older than this with no record (a crash between save and post) are sent again. */
const LOST_APPROVAL_MS = 60_000;
const PROGRESS_UPDATE_MS = 1500;
const WAITING_STATES = ['resolve-extra-key', 'notify-and-approve', 'confirm-delete'];

export interface RotationControllerOptions {
  /**
   * Resume at once a step whose process on this host is certainly gone (default true). False
   * where host names and PIDs are shared (AWS Lambda), as for the scheduler's leases.
   */
  takeOverFromGoneLocalProcesses?: boolean;
}

export function createRotationController(
  deps: Deps,
  section: RotationSection,
  options: RotationControllerOptions = {},
): RotationController {
  const { clock, logger, slack, callers, sessions, approvals, audit, store } = deps;
  const config = toRotationConfig(section);
  const configFor = rotationConfigByRole(section);
  const smtp = createSmtpFlow(deps, section);

  /**
   * Whether the rotation's requester may still act under its role, by the policy file and what
   * Slack says of them now (the same rules as a command: caller.ts, access.ts), and the role
   * still being the same IAM role. Throws only when it cannot tell (Slack did not answer).
   */
  async function requesterMayAct(
    rotation: Rotation,
    fresh: boolean,
  ): Promise<RequesterCheck & { person?: Person }> {
    const { slackId, teamId } = rotation.requester;
    try {
      const { person, role } = await callers.authorize(slackId, teamId, rotation.role.name, { fresh });
      if (role.arn !== rotation.role.arn) {
        return {
          ok: false,
          code: 'role_changed',
          reason: `The role \`${rotation.role.name}\` now names another IAM role in locksmith's config (${role.arn}), not the one this rotation was started under.`,
        };
      }
      return { ok: true, person };
    } catch (err) {
      if (!isUserError(err)) throw err;
      return { ok: false, code: err.code, reason: requesterRefusal(err.code, slackId, rotation.role.name) };
    }
  }

  /**
   * Background clients: the background role (or the rotation's), the requester's identity, once
   * the requester is checked to be allowed to act under the rotation's role.
   */
  async function backgroundSession(rotation: Rotation): Promise<PersonSession> {
    const roleName = section.background_role ?? rotation.role.name;
    const arn = section.background_role ? deps.config.roles[roleName] : rotation.role.arn;
    if (!arn) throw new UserError('unknown_role', `The role \`${roleName}\` is not configured any more.`);
    const check = await requesterMayAct(rotation, false);
    if (!check.ok || !check.person) {
      throw new UserError(
        'not_mapped',
        `${check.ok ? '' : check.reason} locksmith does not act in <@${rotation.requester.slackId}>'s name.`.trim(),
      );
    }
    return sessions.sessionFor(check.person, { name: roleName, arn });
  }

  async function clientsFor(rotation: Rotation): Promise<RotationClients> {
    return (await backgroundSession(rotation)).clients;
  }

  /**
   * The clients for one guarded place: `person`'s session of the rotation's own role, scoped by
   * its session policy to that one secret or parameter with an approved edit's actions (the
   * ordinary session denies it; aws/session-policy.ts). `clients` (ordinary) finds the ARN
   * of a secret that has none recorded (DescribeSecret, no value read).
   */
  async function placeClients(
    person: Person,
    role: RoleRef,
    clients: RotationClients,
    place: SecretPlace,
  ): Promise<RotationClients> {
    const parameter = parameterNameOf(place.name);
    let arn = place.arn;
    if (parameter !== undefined) {
      const region = await clients.ssm.config.region();
      arn = parameterArn(partitionOf(role.arn), region, accountOf(role.arn), parameter);
    } else if (!arn) {
      arn = (await clients.secretsManager.send(new DescribeSecretCommand({ SecretId: place.name }))).ARN;
      if (!arn) throw new Error(`DescribeSecret returned no ARN for ${place.name}`);
    }
    return (await sessions.sessionFor(person, role, { secretArn: arn, access: 'edit' })).clients;
  }

  /** The requester's clients for a guarded place, for work nobody clicked for (an approved create). */
  async function backgroundPlaceClients(rotation: Rotation, place: SecretPlace): Promise<RotationClients> {
    const check = await requesterMayAct(rotation, false);
    if (!check.ok || !check.person) {
      throw new UserError('not_mapped', `locksmith does not act in <@${rotation.requester.slackId}>'s name.`);
    }
    const ordinary = await sessions.sessionFor(check.person, rotation.role);
    return placeClients(check.person, rotation.role, ordinary.clients, place);
  }

  const self = { id: createReplicaId(), running: pidRunning };
  const isGuardedPlace = guardedPlaces(deps.config.approvals, 'write');
  const isReadGuarded = guardedPlaces(deps.config.approvals, 'read');
  const runner = createRotationRunner({
    store,
    clock,
    logger,
    config: configFor,
    clientsFor,
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
    clientsForPlace: backgroundPlaceClients,
  });

  // Status-message updates run one at a time per rotation, each rendering the record as it is
  // then, so a slow update can never overwrite a newer one.
  const updates = new Map<string, Promise<void>>();
  const lastProgress = new Map<string, number>();
  // Who uses the keys, from CloudTrail (trail/key-evidence.ts): shown in the status message.
  const evidence = createKeyEvidence(deps, {
    sessionFor: backgroundSession,
    onReady: (id) => void queueUpdate(id),
  });

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
    const ref = statusMessageOfRotation(rec.data);
    if (!ref) return;
    // A progress line belongs to the search only; once it is over, the record says more.
    if (progress && rec.data.state !== 'locate') return;
    const message = withBlocks(
      buildStatusMessage(rec.data, {
        now: clock.now(),
        version: rec.version,
        config: configFor(rec.data),
        notifyChannel: section.notify_channel,
        ...(approvals ? { approvalsChannel: approvals.config.channel } : {}),
        ...(progress ? { progress } : {}),
      }),
      await evidence.blocksFor(rec.data),
    );
    try {
      await slack.chat.update({
        channel: ref.channel,
        ts: ref.ts,
        text: message.text,
        blocks: message.blocks,
      });
    } catch (err) {
      logger.warn({ rotationId, err: { message: (err as Error).message } }, 'rotation status update failed');
    }
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

  async function threadNote(rotation: Rotation, message: SlackMessage): Promise<void> {
    const ref = statusMessageOfRotation(rotation);
    if (!ref) return;
    await slack.chat.postMessage({
      channel: ref.channel,
      thread_ts: ref.ts,
      text: message.text,
      blocks: message.blocks,
    });
  }

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

  async function requestApproval(
    rotation: Rotation,
    effect: Extract<NoticeEffect, { type: 'request-approval' }>,
  ): Promise<void> {
    if (!approvals) {
      await threadNote(
        rotation,
        notice(
          'This step needs an approval, but locksmith has no `approvals` section in its config. Ask the operators, or cancel the rotation.',
          ':x:',
        ),
      );
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
      await slack.chat.postMessage({
        channel: section.notify_channel,
        ...withBlocks(
          buildNotifyPost(
            rotation,
            {
              action: effect.action === 'delete-key' ? 'delete' : 'delete-extra',
              keyId: effect.target,
              by: effect.requestedBy,
              why: effect.reason,
              needsApproval: true,
            },
            { approvalsChannel: approvals.config.channel, graceDays: config.graceDays },
          ),
          [slackSection(await evidence.noticeLine(rotation, effect.target))],
        ),
      });
    }
  }

  async function notify(rotation: Rotation, n: RotationNotice): Promise<void> {
    if (n.kind === 'deactivation-planned') {
      await slack.chat.postMessage({
        channel: section.notify_channel,
        ...withBlocks(
          buildNotifyPost(
            rotation,
            {
              action: 'deactivate',
              keyId: n.keyId,
              by: rotation.requester.slackId,
              why: n.why,
              needsApproval: n.needsApproval,
              ...(n.gaps ? { gaps: n.gaps } : {}),
            },
            {
              ...(approvals ? { approvalsChannel: approvals.config.channel } : {}),
              graceDays: config.graceDays,
            },
          ),
          // The 2ndline notice quotes CloudTrail's evidence on the key.
          [slackSection(await evidence.noticeLine(rotation, n.keyId))],
        ),
      });
    }
    if (n.kind === 'parked') {
      // The approvers' channel hears of it (2ndline's without one): someone there takes it over.
      const rec = await runner.get(rotation.id);
      await slack.chat.postMessage({
        channel: approvals?.config.channel ?? section.notify_channel,
        ...buildParkedPost(rotation, rec?.version ?? 0),
      });
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
    const note = buildThreadNote(rotation, n, {
      notifyChannel: section.notify_channel,
      ...(approvals ? { approvalsChannel: approvals.config.channel } : {}),
      graceDays: config.graceDays,
    });
    if (note) await threadNote(rotation, note);
  }

  /** Turns a run's notices into Slack, then renders the status message. Never throws. */
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

  function outcomeMessage(result: RunResult): string | undefined {
    switch (result.outcome) {
      case 'applied':
        return result.error ? `:x: ${escapeKeepingMentions(result.error.message)}` : undefined;
      case 'idle':
        return undefined;
      case 'failed':
        return `:x: ${escapeKeepingMentions(result.error?.message ?? 'The step failed.')}`;
      case 'duplicate':
        return `:information_source: ${escapeKeepingMentions(result.refusal?.message ?? 'That was already done.')}`;
      case 'busy':
      case 'refused':
        return `:warning: ${escapeKeepingMentions(result.refusal?.message ?? 'That does not apply now.')}`;
      case 'conflict':
        return ':warning: The rotation changed meanwhile, so nothing was done. Look at the message again.';
      case 'not-found':
        return ':warning: This rotation no longer exists.';
    }
  }

  function auditOutcome(result: RunResult): AuditOutcome {
    if (result.outcome === 'applied' || result.outcome === 'idle') return result.error ? 'error' : 'ok';
    if (result.outcome === 'failed') return 'error';
    if (result.outcome === 'not-found') return 'not_found';
    return 'refused';
  }

  async function openDm(user: string): Promise<string> {
    const opened = await slack.conversations.open({ users: user });
    const channel = opened.channel?.id;
    if (!channel) throw new Error('conversations.open returned no channel');
    return channel;
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
    const written = result.rotation.places.secrets.filter((p) => p.written).map((p) => code(p.name));
    await threadNote(
      result.rotation,
      notice(
        `The new key ${code(result.reveal.accessKeyId)} was finished after an interruption, with nobody to show it to, so its secret was not shown. ` +
          (written.length
            ? `Read it from ${written.join(', ')} with \`/secret get\` to update the checklist places, or cancel and start again.`
            : 'Cancel and start again to get a key you can see once.'),
        ':warning:',
      ),
    ).catch(() => {});
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
      await threadNote(
        rotation,
        notice(
          `${a.decision ? `<@${a.decision.by}>'s decision` : 'The expired request'} (${describeKind(a.kind)} ${code(a.target)}) could not be applied: ${outcomeMessage(result) ?? ''}`,
          ':warning:',
        ),
      ).catch(() => {});
    }
  }

  return {
    runner,
    config,
    configFor,
    section,
    smtp,

    async start(request) {
      const event: AuditEvent = {
        action: 'rotation.start',
        outcome: 'ok',
        person: { slack_id: request.userId, team_id: request.teamId },
        target: request.userName,
      };
      return audited(audit, event, async () => {
        const caller = await callers.resolve(request.userId, request.teamId, request.roleName);
        event.person.email = caller.person.email;
        event.role = caller.role;
        if (await smtp.isSmtpUser(caller.session.clients.iam, request.userName)) {
          event.note = 'smtp user: replaced, not rotated';
          return smtp.start(caller, request);
        }
        const channel = await openDm(request.userId);
        const posted = await slack.chat.postMessage({
          channel,
          ...buildStartingMessage(request.userName, caller.role.name),
        });
        if (!posted.ts || !posted.channel) throw new Error('the status message was not posted');
        const id = rotationIdFor(posted.channel, posted.ts);
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
          await slack.chat
            .update({
              channel: posted.channel,
              ts: posted.ts,
              ...notice('The rotation could not be started; the reply to your command says why.', ':x:'),
            })
            .catch(() => {});
          throw err;
        } finally {
          lastProgress.delete(id);
        }
        if (result.outcome === 'refused') {
          event.outcome = 'refused';
          event.reason = result.refusal?.code;
          const text = outcomeMessage(result) ?? 'Refused.';
          await slack.chat
            .update({ channel: posted.channel, ts: posted.ts, ...notice(text.replace(/^:\w+: /, '')) })
            .catch(() => {});
          return notice(text.replace(/^:\w+: /, ''));
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
        if (result.error) return notice(escapeKeepingMentions(result.error.message), ':x:');
        if (rotation?.state === 'abandoned') {
          return notice(
            escapeMrkdwn(rotation.outcome?.notes.join(' ') ?? 'Nothing to rotate.'),
            ':information_source:',
          );
        }
        return notice(
          `Started the rotation of \`${request.userName}\` under role \`${caller.role.name}\`. Follow it in my DM: the message there updates as it goes.`,
          ':arrows_counterclockwise:',
        );
      });
    },

    async act(rotationId, event, clicker) {
      const rec = await runner.get(rotationId);
      if (!rec) return { message: ':warning: This rotation no longer exists.' };
      const rotation = rec.data;
      // A parked rotation may be cancelled by anyone who may use its role (checked below, when
      // their session for that role is made); anything else is its requester's.
      const cancelsParked = rotation.parked !== undefined && event.type === 'cancel';
      if (rotation.requester.slackId !== clicker.id && !cancelsParked) {
        return {
          message: `:no_entry: Only <@${rotation.requester.slackId}>, who started this rotation, can act on it.`,
        };
      }
      const auditEvent: AuditEvent = {
        action: 'rotation.action',
        outcome: 'ok',
        person: { slack_id: clicker.id, team_id: clicker.teamId },
        target: rotation.userName,
        rotation_id: rotationId,
        note: event.type,
      };
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
      return { result, message: outcomeMessage(result) };
    },

    async takeOver(rotationId, clicker) {
      const rec = await runner.get(rotationId);
      if (!rec) return { message: ':warning: This rotation no longer exists.' };
      const before = rec.data;
      if (!before.parked) {
        return {
          message: `:information_source: This rotation is not parked (any more): <@${before.requester.slackId}> acts on it.`,
        };
      }
      const auditEvent: AuditEvent = {
        action: 'rotation.action',
        outcome: 'ok',
        person: { slack_id: clicker.id, team_id: clicker.teamId },
        target: before.userName,
        rotation_id: rotationId,
        note: 'take-over',
      };
      const resuming = before.requester.slackId === clicker.id;
      const result = await audited(audit, auditEvent, async () => {
        // The clicker must be allowed to use the rotation's role now (the same checks as a command).
        const caller = await callers.resolve(clicker.id, clicker.teamId, before.role.name);
        assertSameRole(caller.role, before);
        auditEvent.person.email = caller.person.email;
        auditEvent.role = caller.role;
        // The status message moves to the new requester's DM (the requester resuming keeps theirs).
        let statusRef: { channel: string; ts: string } | undefined;
        if (!resuming) {
          const channel = await openDm(clicker.id);
          const posted = await slack.chat.postMessage({
            channel,
            ...notice(
              `Taking over the rotation of \`${escapeMrkdwn(before.userName)}\`…`,
              ':hourglass_flowing_sand:',
            ),
          });
          if (!posted.ts || !posted.channel) throw new Error('the status message was not posted');
          statusRef = { channel: posted.channel, ts: posted.ts };
        }
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
            await slack.chat
              .update({
                ...statusRef,
                ...notice(outcomeMessage(taken)?.replace(/^:\w+: /, '') ?? 'Not taken over.'),
              })
              .catch(() => {});
          }
          return taken;
        }
        await deliver(taken, clicker.id);
        if (!resuming) {
          // The old status message says where the rotation went, and stops offering buttons.
          const old = statusMessageOf(rotationId) ?? before.statusRef;
          if (old && (old.channel !== statusRef?.channel || old.ts !== statusRef.ts)) {
            await slack.chat
              .update({
                ...old,
                ...notice(
                  `<@${clicker.id}> took this rotation of \`${escapeMrkdwn(before.userName)}\` over; it goes on in their DM.`,
                  ':handshake:',
                ),
              })
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
      return { result, message: result.outcome === 'applied' ? undefined : outcomeMessage(result) };
    },

    async load(rotationId) {
      const rec = await runner.get(rotationId);
      return rec ? { rotation: rec.data, version: rec.version } : undefined;
    },

    approvalDecided,

    async resume() {
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
    },
  };
}

/** A clicker's role must still be the IAM role the rotation runs under (config may have changed). */
function assertSameRole(role: { name: string; arn: string }, rotation: Rotation): void {
  if (role.arn !== rotation.role.arn) {
    throw new UserError(
      'role_not_allowed',
      `The role \`${role.name}\` now names another IAM role (${role.arn}) than this rotation's (${rotation.role.arn}), so locksmith will not act on it under that role.`,
    );
  }
}

/** Why the requester may no longer act, in the third person, for the status, the approvers and the audit. */
function requesterRefusal(code: string, slackId: string, roleName: string): string {
  const who = `<@${slackId}>`;
  switch (code) {
    case 'deactivated':
      return `${who}'s Slack account is deactivated.`;
    case 'guest':
      return `${who} is now a guest (or bot) account in Slack.`;
    case 'foreign_user':
      return `Slack says ${who} now belongs to another workspace.`;
    case 'email_unconfirmed':
      return `${who} is in the access policy by email, and Slack does not confirm that email (any more).`;
    case 'not_mapped':
      return `${who} is no longer in locksmith's access policy (or Slack no longer knows the account).`;
    case 'role_not_allowed':
      return `${who} may no longer use the role \`${roleName}\`.`;
    case 'unknown_role':
      return `The role \`${roleName}\` is no longer in locksmith's config.`;
    default:
      return `${who} may no longer act under the role \`${roleName}\` (${code}).`;
  }
}
