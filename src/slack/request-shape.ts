/**
 * The shape of a request body Slack always sends, checked before Bolt routes it. A body
 * without it would make Bolt throw while routing (for a `payload` of `null`: outside any
 * handler, as an unhandled rejection that left the HTTP request open forever), or a listener
 * throw on a field of the wrong type. Only types are checked (a `value` is a string, a view
 * has `state.values`), never contents: those are each listener's to judge.
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
 * Why a parsed request body is not shaped like Slack's requests, or undefined when it is.
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
  return interaction ? malformedInteractionReason(body, type) : undefined;
}

const optionalString = (value: unknown): boolean => value === undefined || typeof value === 'string';
const optionalList = (value: unknown): boolean => value === undefined || Array.isArray(value);
const isStateObject = (value: unknown): boolean => isObject(value) && isObject(value['values']);

/** The fields of an interaction payload whose types Slack fixes. */
function malformedInteractionReason(body: Record<string, unknown>, type: string): string | undefined {
  if (!optionalString(body['trigger_id'])) return '`trigger_id` is not a string';
  const view = body['view'];
  if (isObject(view)) {
    for (const field of ['id', 'callback_id', 'private_metadata', 'hash', 'type']) {
      if (!optionalString(view[field])) return `\`view.${field}\` is not a string`;
    }
    const submitted = type === 'view_submission';
    if (!(submitted ? Array.isArray(view['blocks']) : optionalList(view['blocks']))) {
      return '`view.blocks` is not a list';
    }
    const needsState = submitted;
    if ((needsState || view['state'] !== undefined) && !isStateObject(view['state'])) {
      return '`view.state.values` is missing';
    }
  }
  if (body['state'] !== undefined && !isStateObject(body['state'])) return '`state.values` is missing';
  for (const action of (body['actions'] as unknown[] | undefined) ?? []) {
    const a = action as Record<string, unknown>;
    if (!optionalString(a['value']) || !optionalString(a['block_id']))
      return 'an action field is not a string';
    if (!(
      a['selected_option'] === undefined ||
      a['selected_option'] === null ||
      isObject(a['selected_option'])
    )) {
      return '`selected_option` is not an option';
    }
    const options = a['selected_options'];
    if (options !== undefined && !(Array.isArray(options) && options.every(isObject))) {
      return '`selected_options` is not a list of options';
    }
  }
  if (type === 'block_suggestion') {
    if (typeof body['action_id'] !== 'string' || !optionalString(body['value'])) {
      return 'a suggestion request without its action_id or value';
    }
  }
  return undefined;
}
