/**
 * What a POST to a response_url does, following Slack's rules: valid 30 minutes and five uses;
 * ephemeral to the person by default; `in_channel` posts for everyone; `replace_original` and
 * `delete_original` act on the message the interaction came from (for a slash command: the
 * latest message posted through the URL). Answers are plain text, like hooks.slack.com.
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
  if (ws.now() - record.createdAt > RESPONSE_URL_TTL_MS) return { status: 404, text: 'expired_url' };
  if (record.uses >= RESPONSE_URL_MAX_USES) return { status: 404, text: 'used_url' };
  if (!isRecord(body)) return { status: 400, text: 'invalid_payload' };

  const target = record.source ?? record.lastPosted;
  const original = target ? ws.findMessage(target) : undefined;
  const live = original && !original.message.deleted ? original : undefined;

  if (boolArg(body['delete_original'])) {
    if (!live) return { status: 404, text: 'message_not_found' };
    live.message.deleted = true;
    record.uses += 1;
    return { status: 200, text: 'ok' };
  }

  const invalid = checkMessageContent(body);
  if (invalid) return { status: 400, text: invalid.error };
  const content = contentFrom(body);

  // With nothing to replace (a slash command's first reply), Slack posts a new message instead.
  if (boolArg(body['replace_original']) && live) {
    ws.replace(live, content);
  } else if (body['response_type'] === 'in_channel') {
    const posted = ws.postMessage(record.channel, content, {
      user: ws.config.botUserId,
      botId: ws.config.botId,
      via: 'response_url',
    });
    posted.responseUrl = record.url;
    record.lastPosted = { channel: posted.channel, ts: posted.ts };
  } else {
    const posted = ws.postEphemeral(record.channel, record.user, content, 'response_url');
    posted.responseUrl = record.url;
    record.lastPosted = { channel: posted.channel, ts: posted.ts };
  }
  record.uses += 1;
  return { status: 200, text: 'ok' };
}
