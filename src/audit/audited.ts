/**
 * One audit event around one piece of work: the event is recorded whatever happens, with the
 * outcome and reason taken from the error when the work fails, and the duration.
 */
import { isUserError } from '../core/errors.js';
import type { AuditEvent, AuditLog, AuditOutcome } from './audit-events.js';

/**
 * Runs `work`, letting it fill in the event (role, version, …) as it learns them, then records
 * the event. The error, if any, is rethrown unchanged.
 */
export async function audited<T>(
  audit: AuditLog,
  event: AuditEvent,
  work: (event: AuditEvent) => Promise<T>,
): Promise<T> {
  const started = performance.now();
  try {
    return await work(event);
  } catch (err) {
    event.outcome = outcomeOf(err);
    event.reason = reasonOf(err);
    throw err;
  } finally {
    event.duration_ms = Math.round(performance.now() - started);
    audit.record(event);
  }
}

/** The audit outcome that matches an error. */
export function outcomeOf(err: unknown): AuditOutcome {
  if (!isUserError(err)) return 'error';
  switch (err.code) {
    case 'not_mapped':
    case 'deactivated':
    case 'guest':
    case 'foreign_user':
    case 'email_unconfirmed':
    case 'role_not_allowed':
    case 'unknown_role':
    case 'bad_command':
    case 'no_seed':
    case 'bad_seed':
    case 'binary_secret':
    case 'too_large':
    case 'expired':
      // Also what the secret holds not allowing the request (no seed, a malformed seed, a binary
      // or too-large value): locksmith refuses it; nothing failed.
      return 'refused';
    case 'access_denied':
    case 'assume_role_denied':
      return 'denied';
    case 'secret_not_found':
      return 'not_found';
    default:
      return 'error';
  }
}

export function reasonOf(err: unknown, ref?: string): string {
  return isUserError(err) ? err.code : `incident:${ref ?? 'unknown'}`;
}
