/**
 * Turns any error from a handler into an ephemeral reply and a log line. A UserError's message
 * is shown as is; anything else gets an incident reference that also appears in the log, so
 * the person has something to quote and never sees a stack trace or library text.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { outcomeOf } from '../audit/audited.js';
import { isUserError, toUserMessage } from '../core/errors.js';
import { noteRequestOutcome } from '../metrics/request-outcome.js';
import { notice, type SlackMessage } from './block-kit.js';
import type { ResponseUrlPoster } from './response-url.js';
import { isSlackUnavailable, isTriggerExpired } from './slack-errors.js';

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
  if (isTriggerExpired(err)) {
    logger.warn({ where, err: { error: 'trigger expired' } }, 'Slack refused to open a window');
    return {
      message: notice('Slack did not let locksmith open the window in time. Click or run the command again.'),
    };
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

/** What the app's last-resort error handler needs. */
export interface AppErrorHandlerDeps {
  logger: Logger;
  postToResponseUrl: ResponseUrlPoster;
}

/**
 * Bolt's last-resort error handler (for `extendedErrorHandler: true`): a listener that threw
 * is logged as {@link errorReply} does, and the person is told through the request's
 * response_url when it has one, so a failure never ends in silence. A modal submission has no
 * response_url; its listener answers errors in the form itself.
 */
export function createAppErrorHandler(deps: AppErrorHandlerDeps) {
  return async ({ error, body }: { error: Error; body?: unknown }): Promise<void> => {
    const original = (error as { original?: unknown }).original ?? error;
    const { message } = errorReply(original, deps.logger, 'bolt');
    const url = (body as { response_url?: unknown } | undefined)?.response_url;
    if (typeof url !== 'string') return;
    await deps
      .postToResponseUrl(url, { response_type: 'ephemeral', replace_original: false, ...message })
      .catch((err: Error) =>
        deps.logger.warn({ err: { message: err.message } }, 'error reply not delivered'),
      );
  };
}
