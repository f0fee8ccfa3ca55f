/**
 * The minimal shape of a request body Bolt can route without throwing. Slack's own requests
 * always have it; a body without it (a `payload` of `null`, a `user` that is a number, an
 * `actions` that is no list) would make Bolt throw while routing: for `null`, outside any
 * handler, as an unhandled rejection that left the HTTP request open forever.
 */

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An optional object field: absent, or an object. */
function optionalObject(value: unknown): boolean {
  return value === undefined || isObject(value);
}

/** Payload types Bolt routes by the person who acted (it reads `user` to find the team). */
const INTERACTION_TYPES = new Set([
  'block_actions',
  'block_suggestion',
  'view_submission',
  'view_closed',
  'shortcut',
  'message_action',
  'interactive_message',
  'dialog_submission',
]);

/**
 * Why a parsed request body is not one Bolt can route, or undefined when it is. Checks only
 * what Bolt itself reads before any listener runs; listeners validate their own fields.
 */
export function malformedBodyReason(body: unknown): string | undefined {
  if (!isObject(body)) return 'the body is not an object';
  const type = body['type'];
  const interaction = typeof type === 'string' && INTERACTION_TYPES.has(type);
  if (
    (interaction || body['user'] !== undefined) &&
    !(isObject(body['user']) && typeof body['user']['id'] === 'string')
  ) {
    return '`user` is not a user';
  }
  if ((type === 'view_submission' || type === 'view_closed') && !isObject(body['view'])) {
    return '`view` is missing';
  }
  // Slack sends `team` and `enterprise` as null outside Enterprise Grid; Bolt copes with that.
  for (const field of ['team', 'enterprise']) {
    if (!(body[field] === null || optionalObject(body[field]))) return `\`${field}\` is not an object`;
  }
  for (const field of ['channel', 'view', 'event', 'container', 'message']) {
    if (!optionalObject(body[field])) return `\`${field}\` is not an object`;
  }
  const actions = body['actions'];
  const isAction = (a: unknown) => isObject(a) && typeof a['action_id'] === 'string';
  if (actions !== undefined && !(Array.isArray(actions) && actions.every(isAction))) {
    return '`actions` is not a list of actions';
  }
  for (const field of ['authorizations', 'response_urls']) {
    if (body[field] !== undefined && !Array.isArray(body[field])) return `\`${field}\` is not a list`;
  }
  if (body['response_url'] !== undefined && typeof body['response_url'] !== 'string') {
    return '`response_url` is not a URL';
  }
  return undefined;
}
