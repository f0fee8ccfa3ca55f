/** How rotation runs and clicks are written in the audit log. */
import type { AuditEvent, AuditOutcome } from '../../audit/audit-events.js';
import type { RunResult } from '../core/runner.js';

/** How a run is written in the audit log. */
export function auditOutcome(result: RunResult): AuditOutcome {
  if (result.outcome === 'applied' || result.outcome === 'idle') return result.error ? 'error' : 'ok';
  if (result.outcome === 'failed') return 'error';
  if (result.outcome === 'not-found') return 'not_found';
  return 'refused';
}

/** The audit line of a person's click on a rotation (its outcome filled in as the click runs). */
export function clickAudit(
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
