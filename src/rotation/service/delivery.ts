/**
 * A run's notices turned into messages and approval requests: approvers are asked (and 2ndline
 * told of a deletion before anyone decides), notices become thread notes, parked and finished
 * rotations are audited, and the status message is rendered afterwards.
 */
import type { Person } from '../../identity/access.js';
import type { RotationRunner, RunResult } from '../core/runner.js';
import {
  type NoticeEffect,
  type Rotation,
  type RotationNotice,
  untickedPlaces,
} from '../core/workflow/index.js';
import type { RotationNotifier } from './notifier.js';
import type { RotationServiceDeps } from './service-api.js';
import type { StatusUpdates } from './status-updates.js';

export interface Delivery {
  /** Turns a run's notices into messages and approvals, then renders the status. Never throws. */
  deliver(result: RunResult, actor?: string): Promise<void>;
  requestApproval(
    rotation: Rotation,
    effect: Extract<NoticeEffect, { type: 'request-approval' }>,
  ): Promise<void>;
  /** A create step finished with nobody at the keyboard: say the pair was not shown, and how to get it. */
  tellUnshownKey(result: RunResult): Promise<void>;
}

export function createDelivery(
  deps: Pick<RotationServiceDeps, 'approvals' | 'audit' | 'logger'>,
  runner: Pick<RotationRunner, 'get'>,
  notifier: RotationNotifier,
  status: Pick<StatusUpdates, 'queueUpdate'>,
): Delivery {
  const { approvals, audit, logger } = deps;

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
    await status.queueUpdate(rotation.id);
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

  return { deliver, requestApproval, tellUnshownKey };
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
