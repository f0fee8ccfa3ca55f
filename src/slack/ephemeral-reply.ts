/**
 * The ephemeral reply to a slash command or a click, delivered even when its response_url
 * fails. Slack refuses a response_url that was used five times (`used_url`), is older than 30
 * minutes (`expired_url`), or it does not know (`no_service`), and its hooks can be down or
 * hang; Bolt's `respond` then throws (or waits forever), and the person would see nothing.
 * Here the reply falls back to `chat.postEphemeral` in the same channel, then to a DM.
 *
 * A message that shows a value must stay replaceable through its response_url (that is how it
 * hides itself), and a DM persists, so such a message is never re-sent by a fallback: the
 * person gets `fallback`, a notice without the value, instead.
 *
 * A click's response_url can also replace the message clicked (docs.slack.dev "Modifying
 * messages": `replace_original: true`); Slack documents no default for Block Kit messages, and
 * for the older interactive messages a response without `replace_original: false` replaced the
 * original (docs.slack.dev legacy "Interactive message field guide"). A reply that must stand
 * beside the clicked message says so: {@link ReplyOptions.keepOriginal}. Bolt's `respond()`
 * adds nothing of its own (bolt-js 5.1 `createRespond` posts the given body as is), so the
 * handlers that used it sent `replace_original: false` themselves; this option is that flag.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../audit/logger.js';
import type { SlackMessage } from './block-kit.js';
import type { ResponseUrlPoster } from './response-url.js';

/** Where and to whom the reply goes. */
export interface ReplyTarget {
  responseUrl?: string | undefined;
  /** The channel the command was run in (the DM with the app for most commands). */
  channel?: string | undefined;
  user: string;
}

/** What a reply needs from the app's dependencies. */
export interface ReplyDeps {
  postToResponseUrl: ResponseUrlPoster;
  slack: WebClient;
  logger: Logger;
}

/** How the reply reached the person; `lost` when nothing did. */
export type ReplyOutcome = 'response_url' | 'ephemeral' | 'dm' | 'lost';

/** Options for {@link replyEphemeral}. */
export interface ReplyOptions {
  /**
   * Sent instead of the message by the fallbacks, for a message that shows a value (a reveal,
   * a one-time code). Without it the message itself is sent by the fallbacks.
   */
  fallback?: SlackMessage;
  /** Names the feature in log lines. */
  where: string;
  /**
   * Sends `replace_original: false` with the response_url post: the reply is a new ephemeral
   * message and never takes the place of the message that was clicked (see the module note).
   */
  keepOriginal?: boolean;
}

/**
 * Sends `message` ephemerally to `target.user` through the response_url; if that fails, the
 * message (or `options.fallback`) through chat.postEphemeral, then as a DM. Never throws.
 * @returns how it was delivered: only `response_url` means `message` itself was shown.
 */
export async function replyEphemeral(
  deps: ReplyDeps,
  target: ReplyTarget,
  message: SlackMessage,
  options: ReplyOptions,
): Promise<ReplyOutcome> {
  const { logger } = deps;
  if (target.responseUrl) {
    try {
      await deps.postToResponseUrl(target.responseUrl, {
        response_type: 'ephemeral',
        ...(options.keepOriginal ? { replace_original: false } : {}),
        ...message,
      });
      return 'response_url';
    } catch (err) {
      logger.warn(
        { where: options.where, err: { message: (err as Error).message } },
        'reply via response_url failed',
      );
    }
  }
  const second = options.fallback ?? message;
  if (target.channel) {
    try {
      await deps.slack.chat.postEphemeral({ channel: target.channel, user: target.user, ...second });
      return 'ephemeral';
    } catch (err) {
      logger.warn({ where: options.where, err: slackErrorText(err) }, 'reply via chat.postEphemeral failed');
    }
  }
  // A DM persists; `second` holds no value (a message with one always comes with a fallback).
  try {
    await deps.slack.chat.postMessage({ channel: target.user, ...second });
    return 'dm';
  } catch (err) {
    logger.warn({ where: options.where, err: slackErrorText(err) }, 'reply could not be delivered at all');
    return 'lost';
  }
}

/** A Web API error's code and Slack's error name, never its request (which holds the text). */
function slackErrorText(err: unknown): { code?: string; error?: string; message?: string } {
  const e = err as { code?: string; data?: { error?: string }; message?: string };
  return { code: e.code, error: e.data?.error, message: e.code ? undefined : e.message };
}
