/**
 * What a POST to a response_url does, following Slack's rules: valid 30 minutes and five uses;
 * ephemeral to the person by default; `in_channel` posts for everyone; `replace_original` and
 * `delete_original` act on the message an interaction came from, ephemeral ones included. A
 * slash command's URL has no such message: it can only add messages. Answers are plain text,
 * like hooks.slack.com.
 */
import { checkMessageContent } from './block-kit-limits.js';
import { boolArg, isRecord } from './standin-http.js';
import {
  contentFrom,
  RESPONSE_URL_MAX_USES,
  RESPONSE_URL_TTL_MS,
  type ResponseUrlRecord,
  type StandinWorkspace,
} from './standin-workspace.js';

/** The HTTP answer to a response_url POST. */
export interface ResponseUrlAnswer {
  status: number;
  text: string;
}

/**
 * Applies one POST to a response_url.
 * @param record the URL's registration, or undefined when the id is unknown.
 * @param body the parsed JSON body (undefined when it did not parse).
 */
export function answerResponseUrl(
  ws: StandinWorkspace,
  record: ResponseUrlRecord | undefined,
  body: unknown,
): ResponseUrlAnswer {
  if (!record) return { status: 404, text: 'no_service' };
  // Up to 5 posts within 30 minutes: docs.slack.dev/interactivity/handling-user-interaction#message_responses
  if (ws.now() - record.createdAt > RESPONSE_URL_TTL_MS) return { status: 404, text: 'expired_url' };
  if (record.uses >= RESPONSE_URL_MAX_USES) return { status: 404, text: 'used_url' };
  if (!isRecord(body)) return { status: 400, text: 'invalid_payload' };

  // An interaction's URL can replace or delete the message the click came from, ephemeral ones
  // included: docs.slack.dev/messaging/modifying-messages#updating-messages-using-response_url
  const original = record.source ? ws.findMessage(record.source) : undefined;
  const live = original && !original.message.deleted ? original : undefined;

  if (boolArg(body['delete_original'])) {
    // A slash command's URL deletes nothing (the docs give delete_original to interactions only;
    // slackapi/bolt-python#1268): the post is taken and nothing on screen changes.
    if (!record.source) {
      record.uses += 1;
      return { status: 200, text: 'ok' };
    }
    if (!live) return { status: 404, text: 'message_not_found' };
    live.message.deleted = true;
    record.uses += 1;
    return { status: 200, text: 'ok' };
  }

  const invalid = checkMessageContent(body);
  if (invalid) return { status: 400, text: invalid.error };
  const content = contentFrom(body);

  // replace_original on a slash command's URL posts a new message and leaves the earlier one on
  // screen (slackapi/bolt-js#2287, slackapi/bolt-python#1268): only an interaction's URL replaces.
  if (boolArg(body['replace_original']) && live) {
    ws.replace(live, content);
  } else if (body['response_type'] === 'in_channel') {
    const posted = ws.postMessage(record.channel, content, {
      user: ws.config.botUserId,
      botId: ws.config.botId,
      via: 'response_url',
    });
    posted.responseUrl = record.url;
  } else {
    const posted = ws.postEphemeral(record.channel, record.user, content, 'response_url');
    posted.responseUrl = record.url;
  }
  record.uses += 1;
  return { status: 200, text: 'ok' };
}
