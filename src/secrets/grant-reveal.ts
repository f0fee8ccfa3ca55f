/**
 * What an approved reveal's button opens: the secret, read at the moment of the click under
 * the requester's own role, in a modal only they see. Audited like any reveal, with the
 * approval that allowed it.
 */
import type { GrantConsumer } from '../approvals/approval-handlers.js';
import type { AuditEvent } from '../audit/audit-events.js';
import type { Deps } from '../deps.js';
import { outcomeOf, reasonOf } from '../slack/reply-errors.js';
import { buildRevealView } from './reveal-blocks.js';
import { readSecret } from './secret-reader.js';

export function createSecretGrantConsumer(deps: Deps): GrantConsumer {
  return async (grant) => {
    const started = performance.now();
    const event: AuditEvent = {
      action: 'secret.reveal',
      outcome: 'ok',
      person: { slack_id: grant.requester.slackId, team_id: grant.requester.teamId },
      target: grant.approval.target,
      approval_id: grant.approvalId,
    };
    try {
      const caller = await deps.callers.resolve(
        grant.requester.slackId,
        grant.requester.teamId,
        grant.approval.role.name,
      );
      event.person.email = caller.person.email;
      event.role = caller.role;
      const secret = await readSecret(caller.session, grant.approval.target, {
        seedFields: deps.config.otp.seed_fields,
      });
      event.version_id = secret.versionId;
      return buildRevealView(secret, caller.role.name, grant.approval.decision?.by);
    } catch (err) {
      event.outcome = outcomeOf(err);
      event.reason = reasonOf(err);
      throw err;
    } finally {
      event.duration_ms = Math.round(performance.now() - started);
      deps.audit.record(event);
    }
  };
}
