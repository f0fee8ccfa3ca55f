/**
 * Coded errors. Domain code throws these; one helper (`toUserMessage`) turns any error into
 * the sentence a person sees in Slack. Anything that is not a {@link UserError} is a bug or an
 * outage: the person gets an incident reference, never the error's own text, because error
 * text from libraries can carry request details.
 */

export type UserErrorCode =
  | 'bad_command'
  | 'not_mapped'
  | 'deactivated'
  | 'guest'
  | 'foreign_user'
  | 'email_unconfirmed'
  | 'unknown_role'
  | 'role_not_allowed'
  | 'assume_role_denied'
  | 'secret_not_found'
  | 'access_denied'
  | 'binary_secret'
  | 'too_large'
  | 'throttled'
  | 'aws_unavailable'
  | 'bad_seed'
  | 'no_seed'
  | 'expired'
  | 'slack_unavailable';

/** An error whose message is written for the person who asked; safe to show as is. */
export class UserError extends Error {
  readonly code: UserErrorCode;
  constructor(code: UserErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
    this.code = code;
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}

/**
 * The message for the person. A UserError's own message; anything else becomes a generic
 * sentence with the incident reference that is also in the log line for that error.
 */
export function toUserMessage(err: unknown, incidentRef: string): string {
  if (isUserError(err)) return err.message;
  return `Something went wrong on locksmith's side (ref \`${incidentRef}\`). Nothing was changed. Ask the bot's operators to look up that reference in the logs.`;
}
