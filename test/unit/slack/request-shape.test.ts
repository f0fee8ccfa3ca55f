import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { malformedBodyReason } from '../../../src/slack/request-shape.js';

const user = { id: 'U0ALICE', username: 'alice', name: 'alice', team_id: 'T0' };
const team = { id: 'T0', domain: 'acme' };

/** Bodies shaped as Slack sends them (from Slack's payload reference), trimmed. */
const SLACK_BODIES: Record<string, unknown> = {
  'slash command (form fields)': {
    token: 't',
    team_id: 'T0',
    channel_id: 'D0',
    user_id: 'U0ALICE',
    command: '/secret',
    text: 'get x',
    response_url: 'https://hooks.slack.com/commands/T0/1/x',
    trigger_id: '1.2.3',
  },
  ssl_check: { ssl_check: '1', token: 't' },
  url_verification: { type: 'url_verification', challenge: 'c', token: 't' },
  event_callback: {
    type: 'event_callback',
    team_id: 'T0',
    event: { type: 'app_home_opened', user: 'U0ALICE', tab: 'home' },
    authorizations: [{ enterprise_id: null, team_id: 'T0', user_id: 'U0BOT', is_bot: true }],
  },
  'block_actions in a message': {
    type: 'block_actions',
    user,
    team,
    enterprise: null,
    api_app_id: 'A0',
    trigger_id: '1.2.3',
    container: { type: 'message', message_ts: '1.1', channel_id: 'C0', is_ephemeral: true },
    channel: { id: 'C0', name: 'general' },
    state: { values: {} },
    response_url: 'https://hooks.slack.com/actions/T0/1/x',
    actions: [{ action_id: 'secret_hide', block_id: 'b', type: 'button', value: 'v', action_ts: '1.1' }],
  },
  'block_actions with a select cleared': {
    type: 'block_actions',
    user,
    team,
    actions: [{ action_id: 'pick', block_id: 'b', type: 'static_select', selected_option: null }],
  },
  'block_actions in a modal': {
    type: 'block_actions',
    user,
    team,
    container: { type: 'view', view_id: 'V0' },
    view: {
      id: 'V0',
      type: 'modal',
      callback_id: 'secret_edit',
      private_metadata: '{}',
      blocks: [],
      state: { values: { b: { a: { type: 'checkboxes', selected_options: [{ value: 's0' }] } } } },
      hash: '1.x',
    },
    actions: [{ action_id: 'x', block_id: 'b', type: 'checkboxes', selected_options: [{ value: 's0' }] }],
  },
  view_submission: {
    type: 'view_submission',
    user,
    team,
    view: {
      id: 'V0',
      type: 'modal',
      callback_id: 'secret_edit',
      private_metadata: '',
      blocks: [],
      state: { values: {} },
    },
    response_urls: [],
  },
  block_suggestion: {
    type: 'block_suggestion',
    user,
    team,
    action_id: 'rotation_pick_user_select',
    block_id: 'b',
    value: 'ci-',
    view: { id: 'V0', type: 'modal', state: { values: {} } },
  },
};

const MALFORMED: Record<string, unknown> = {
  'null payload': null,
  'a number': 5,
  'a list': [{ type: 'block_actions' }],
  'an interaction without a user': { type: 'block_actions', actions: [{ action_id: 'x' }] },
  'a user that is a string': { type: 'block_actions', user: 'U0', actions: [] },
  'actions that are no list': { type: 'block_actions', user, actions: 5 },
  'an action without an action_id': { type: 'block_actions', user, actions: [{ value: 'v' }] },
  'a value that is no string': { type: 'block_actions', user, actions: [{ action_id: 'x', value: {} }] },
  'a channel of null': { type: 'block_actions', user, channel: null, actions: [] },
  'a view_submission without a view': { type: 'view_submission', user },
  'a view_submission without state': {
    type: 'view_submission',
    user,
    view: { callback_id: 'x', blocks: [] },
  },
  'a view_submission without blocks': {
    type: 'view_submission',
    user,
    view: { callback_id: 'x', state: { values: {} } },
  },
  'private_metadata that is no string': {
    type: 'view_submission',
    user,
    view: { callback_id: 'x', private_metadata: 5, blocks: [], state: { values: {} } },
  },
  'response_urls of null': {
    type: 'view_submission',
    user,
    view: { blocks: [], state: { values: {} } },
    response_urls: null,
  },
  'a response_url that is no string': { type: 'block_actions', user, actions: [], response_url: 5 },
  'a suggestion without its value type': { type: 'block_suggestion', user, action_id: 'x', value: 5 },
};

describe('malformedBodyReason', () => {
  for (const [name, body] of Object.entries(SLACK_BODIES)) {
    it(`lets through what Slack sends: ${name}`, () => {
      assert.equal(malformedBodyReason(body), undefined);
    });
  }
  it('names why each malformed body is refused', () => {
    for (const [name, body] of Object.entries(MALFORMED)) {
      assert.equal(typeof malformedBodyReason(body), 'string', name);
    }
  });
});
