/**
 * Sorts Slack Web API errors: Slack's own trouble (HTTP 5xx, timeouts, a rate limit that
 * outlasted the retries, `fatal_error`-like answers) is something a person can only wait out,
 * unlike a refusal of the bot's request (`channel_not_found`, `invalid_blocks`), which is a bug
 * or a setup problem for the operators.
 */

/** Error codes @slack/web-api gives its errors. */
const TRANSPORT_CODES = new Set([
  'slack_webapi_http_error',
  'slack_webapi_request_error',
  'slack_webapi_rate_limited_error',
]);

/** Slack's `error` names for its own failures (documented for every Web API method). */
const SLACK_SIDE_ERRORS = new Set([
  'fatal_error',
  'internal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
  'team_added_to_org',
]);

/** True when a Web API call failed because of Slack (or the way to it), not the request. */
export function isSlackUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; data?: { error?: unknown } };
  if (typeof e.code !== 'string') return false;
  if (TRANSPORT_CODES.has(e.code)) return true;
  return (
    e.code === 'slack_webapi_platform_error' &&
    typeof e.data?.error === 'string' &&
    SLACK_SIDE_ERRORS.has(e.data.error)
  );
}

/** Slack's names for a trigger_id it no longer accepts (older than 3 s, or used already). */
const TRIGGER_ERRORS = new Set([
  'invalid_trigger_id',
  'expired_trigger_id',
  // docs.slack.dev/reference/methods/views.open lists exchanged_trigger_id; the second name is kept
  // from before, in case an older client library reports it so.
  'exchanged_trigger_id',
  'trigger_exchanged',
]);

/** Slack's `error` name of a Web API call it refused (`not_found`, …), else undefined. */
export function slackErrorName(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; data?: { error?: unknown } };
  return e.code === 'slack_webapi_platform_error' && typeof e.data?.error === 'string'
    ? e.data.error
    : undefined;
}

/**
 * True when Slack refused to open a window because the click's trigger_id had lapsed: Slack
 * allows 3 s and one use, so a slow moment is enough. Clicking again gives a fresh one.
 */
export function isTriggerExpired(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; data?: { error?: unknown } };
  return (
    e.code === 'slack_webapi_platform_error' &&
    typeof e.data?.error === 'string' &&
    TRIGGER_ERRORS.has(e.data.error)
  );
}
