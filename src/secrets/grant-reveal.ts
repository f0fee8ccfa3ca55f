/**
 * What an approved reveal's button opens: the secret, read at the moment of the click under
 * the requester's own role, in a reveal window only they see, which hides itself like any
 * other. Audited like any reveal, with the approval that allowed it.
 */
import type { GrantConsumer } from '../approvals/approval-handlers.js';
import type { AuditEvent } from '../audit/audit-events.js';
import type { Deps } from '../deps.js';
import { audited } from '../audit/audited.js';
import { buildRevealView, revealHideSubject } from './reveal-blocks.js';
import { noticeOnView } from '../trail/notify-on-view.js';
import { callerForApprovedSecret } from './approved-session.js';
import { readSecret } from './secret-reader.js';

export function createSecretGrantConsumer(deps: Deps): GrantConsumer {
  return async (grant) => {
    const event: AuditEvent = {
      action: 'secret.reveal',
      outcome: 'ok',
      person: { slack_id: grant.requester.slackId, team_id: grant.requester.teamId },
      target: grant.approval.target,
      approval_id: grant.approvalId,
    };
    return audited(deps.audit, event, async () => {
      const { slackId, teamId } = grant.requester;
      // Only this secret: the requester's ordinary session is denied guarded secrets by IAM.
      const caller = await callerForApprovedSecret(
        deps,
        { slackId, teamId },
        grant.approval.role.name,
        grant.approval.target,
        'read',
      );
      event.person.email = caller.person.email;
      event.role = caller.role;
      const secret = await readSecret(caller.session, grant.approval.target, {
        seedFields: deps.config.otp.seed_fields,
      });
      event.version_id = secret.versionId;
      const ttlSeconds = deps.config.reveal.ttl_seconds;
      const approvedBy = grant.approval.decision?.by;
      noticeOnView(deps, caller, grant.approval.target, {
        secretName: secret.name,
        kind: 'approved reveal',
        ...(approvedBy ? { approvedBy } : {}),
      });
      return {
        view: buildRevealView(secret, {
          roleName: caller.role.name,
          ttlSeconds,
          ...(approvedBy ? { approvedBy } : {}),
        }),
        hide: { subject: revealHideSubject(secret.name, caller.role), ttlMs: ttlSeconds * 1000 },
      };
    });
  };
}
