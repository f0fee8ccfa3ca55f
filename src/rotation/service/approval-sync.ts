/**
 * Approval decisions fed to the rotation they are for (audited, delivered, and a note when the
 * decision no longer applies), and approvals lost in a crash found again: a request never
 * posted is sent again, a decision the rotation never heard of is applied.
 */
import type { Approval } from '../../approvals/approval.js';
import type { PersonEvent, Rotation } from '../core/workflow/index.js';
import { APPROVAL_KIND } from '../core/workflow/index.js';
import type { RotationRunner } from '../core/runner.js';
import type { Delivery } from './delivery.js';
import type { RotationNotifier } from './notifier.js';
import { auditOutcome } from './run-audit.js';
import type { RotationServiceDeps } from './service-api.js';

/** Approval requests older than this with no record (a crash between save and post) are sent again. */
const LOST_APPROVAL_MS = 60_000;
const WAITING_STATES = ['resolve-extra-key', 'notify-and-approve', 'confirm-delete'];

export interface ApprovalSync {
  /** An approval of a rotation step was decided (approved, rejected or expired). */
  approvalDecided(approval: Approval): Promise<void>;
  /** Finds approvals lost in a crash and makes good (the scheduler's job). */
  reconcileApprovals(): Promise<void>;
}

export function createApprovalSync(
  deps: Pick<RotationServiceDeps, 'approvals' | 'audit' | 'logger' | 'clock' | 'store'>,
  runner: RotationRunner,
  notifier: RotationNotifier,
  delivery: Pick<Delivery, 'deliver' | 'requestApproval'>,
): ApprovalSync {
  const { approvals, audit, logger, clock, store } = deps;
  const { deliver, requestApproval } = delivery;

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

  return { approvalDecided, reconcileApprovals };
}
