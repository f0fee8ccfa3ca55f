/**
 * Turns any error from a handler into an ephemeral reply and a log line. A UserError's message
 * is shown as is; anything else gets an incident reference that also appears in the log, so
 * the person has something to quote and never sees a stack trace or library text.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { outcomeOf } from '../audit/audited.js';
import { isUserError, toUserMessage } from '../errors.js';
import { noteRequestOutcome } from '../metrics/request-outcome.js';
import { notice, type SlackMessage } from './block-kit.js';
import { isSlackUnavailable } from './slack-errors.js';

export function newIncidentRef(): string {
  return randomBytes(4).toString('hex');
}

/** The message for an error, and logs it (without its cause's text when that could hold data). */
export function errorReply(
  err: unknown,
  logger: Logger,
  where: string,
): { message: SlackMessage; ref?: string } {
  // Handlers answer errors with this reply and return normally: tell the request metrics.
  noteRequestOutcome(outcomeOf(err));
  if (isUserError(err)) {
    logger.info({ where, code: err.code }, 'request refused');
    return { message: notice(err.message) };
  }
  const ref = newIncidentRef();
  if (isSlackUnavailable(err)) {
    const e = err as { code?: string; data?: { error?: string } };
    logger.warn(
      { where, incident: ref, err: { code: e.code, error: e.data?.error } },
      'Slack did not answer',
    );
    return {
      message: notice(
        `Slack did not answer locksmith in time, so this could not be done (ref \`${ref}\`). Try again in a minute.`,
      ),
      ref,
    };
  }
  const e = err as { name?: string; message?: string; code?: string; stack?: string };
  logger.error(
    { where, incident: ref, err: { name: e?.name, message: e?.message, code: e?.code, stack: e?.stack } },
    'unexpected error',
  );
  return { message: notice(toUserMessage(err, ref), ':x:'), ref };
}
