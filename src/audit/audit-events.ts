/**
 * Audit events: one JSON line per security-relevant action, naming the person, the role, the
 * target and the outcome. They carry identifiers only; there is deliberately no field that
 * could hold a secret value, so a value cannot reach the audit trail by accident.
 */
import type { Logger } from 'pino';

export type AuditAction =
  | 'secret.reveal'
  | 'secret.list'
  /** A reveal window left the person's screen (or could not be made to): see `hide`. */
  | 'secret.hide'
  | 'secret.edit'
  /**
   * A read that shows no value (issue 14, item 8): the edit form reading the secret's field
   * names, the /totp picker reading which fields hold seeds. `note` says which.
   */
  | 'secret.read'
  | 'secret.undo'
  /** `/secret who`: a person looked up who read or changed a secret in CloudTrail. */
  | 'secret.who'
  /** A notice that a secret tagged `locksmith:notify` was shown, posted in the tag's channel. */
  | 'secret.notify'
  | 'otp.code'
  /** A window of one-time codes left the person's screen (or could not be made to). */
  | 'otp.hide'
  | 'access.refused'
  | 'approval.requested'
  | 'approval.decided'
  | 'approval.expired'
  | 'grant.used'
  /** A person started a rotation (`/rotate-key USER`). */
  | 'rotation.start'
  /** A person's step in a rotation (a button, a modal, an approval decision fed back). */
  | 'rotation.action'
  /** The new key pair was shown to the person, once, in a modal. */
  | 'rotation.reveal'
  /** A rotation reached its end: done, cancelled or abandoned. */
  | 'rotation.finish'
  /** The window with a new key pair (or SMTP credentials) left the person's screen. */
  | 'rotation.hide';

export type AuditOutcome =
  'ok' | 'refused' | 'denied' | 'not_found' | 'error' | 'approved' | 'rejected' | 'expired';

export interface AuditEvent {
  action: AuditAction;
  outcome: AuditOutcome;
  person: { slack_id: string; email?: string; team_id?: string };
  role?: { name: string; arn: string };
  target?: string;
  version_id?: string;
  field?: string;
  /** The UserError code or incident reference when the outcome is not ok. */
  reason?: string;
  duration_ms?: number;
  count?: number;
  approval_id?: string;
  /** The approval's requester, when the person acting is someone else (an approver). */
  requester?: string;
  /** The reason people gave (for a request, a rejection or break-glass); free text, no value. */
  note?: string;
  break_glass?: boolean;
  /** Names of the fields an edit changed; never their values. */
  fields?: string[];
  /** The rotation a `rotation.*` event belongs to. */
  rotation_id?: string;
  /** How and when a `*.hide` event's window left the screen (outcome `error`: it could not). */
  hide?: HideFacts;
}

/**
 * How a window left the screen: `ttl` its time ran out; `click` the person's Hide now;
 * `closed` the person closed it (Slack's view_closed, or Slack no longer knew the view when
 * its time ran out); `shutdown` locksmith stopped; `restart` applied from the store by a
 * process other than the one that showed it (after a crash or restart, or another replica).
 */
export type HideHow = 'ttl' | 'click' | 'closed' | 'shutdown' | 'restart';

/** The audit actions of hides. */
export type HideAction = Extract<AuditAction, 'secret.hide' | 'otp.hide' | 'rotation.hide'>;

export interface HideFacts {
  how: HideHow;
  /** ISO time the hide was due, and the time it was applied (or last tried). */
  due_at: string;
  at: string;
  /** Attempts made so far, when more than one was needed. */
  attempts?: number;
  /** Outcome `error` only: whether the person was told to close the window themselves. */
  told?: boolean;
}

export interface AuditLog {
  record(event: AuditEvent): void;
}

/**
 * Longest `target` written whole. AWS allows 512 characters in a secret name and 2,048 in a
 * parameter's; a target is typed text until AWS has answered, and a 5,000-character name must
 * not be copied into every log line whole (issue 18).
 */
export const MAX_AUDIT_TARGET = 2048;

/** `target` cut to {@link MAX_AUDIT_TARGET} characters, saying how many were left out. */
export function capTarget(target: string): string {
  if (target.length <= MAX_AUDIT_TARGET) return target;
  return `${target.slice(0, MAX_AUDIT_TARGET)}…(${target.length - MAX_AUDIT_TARGET} more characters)`;
}

export function createAuditLog(logger: Logger): AuditLog {
  const audit = logger.child({ component: 'audit' });
  return {
    record(event) {
      const line = event.target === undefined ? event : { ...event, target: capTarget(event.target) };
      audit.info({ audit: line }, `${event.action} ${event.outcome}`);
    },
  };
}
