/** Request labels come from fixed sets: people's input never becomes a label value. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandLabel, interactionLabel, requestLabels } from '../../src/features.js';

describe('command labels', () => {
  it('keep a known subcommand word and drop what follows it', () => {
    assert.equal(commandLabel('/secret', 'get prod/db --role ops'), '/secret get');
    assert.equal(commandLabel('/secret', '  LIST  team/'), '/secret list');
    assert.equal(commandLabel('/secret', 'who prod/db --days 7'), '/secret who');
    assert.equal(commandLabel('/secret', ''), '/secret help');
    assert.equal(commandLabel('/rotate-key', 'due'), '/rotate-key due');
  });

  it('never use a word that is not a fixed subcommand (a secret or IAM user name)', () => {
    assert.equal(commandLabel('/secret', 'prod/db'), '/secret unknown');
    assert.equal(commandLabel('/totp', '2ndline/fastly github'), '/totp');
    assert.equal(commandLabel('/rotate-key', 'ci-deploy --role ops'), '/rotate-key');
  });

  it('count a command the bot does not define as other', () => {
    assert.equal(commandLabel('/evil', 'get x'), 'other');
    assert.equal(commandLabel('constructor', ''), 'other');
    assert.equal(commandLabel(undefined, 'get'), 'other');
  });
});

describe('interaction labels', () => {
  it('keep the bot’s own action and callback ids, without their per-item index', () => {
    assert.equal(interactionLabel('approval_approve'), 'approval_approve');
    assert.equal(interactionLabel('secret_edit'), 'secret_edit');
    assert.equal(interactionLabel('rotation_tick_place:3'), 'rotation_tick_place');
    assert.equal(interactionLabel('rotation_due_start:12'), 'rotation_due_start');
    assert.equal(interactionLabel('totp_pick:2'), 'totp_pick');
    assert.equal(interactionLabel('rotation_smtp_create'), 'rotation_smtp_create');
  });

  it('count a forged or unknown id as other', () => {
    for (const id of [
      'approval_approve_x',
      'U0ALICE',
      'prod/db',
      'approval_approve:abc',
      '',
      42,
      undefined,
    ]) {
      assert.equal(interactionLabel(id), 'other', String(id));
    }
  });
});

describe('requestLabels', () => {
  it('name each kind of Slack request from its body', () => {
    assert.deepEqual(requestLabels({ command: '/totp', text: 'x' }), { kind: 'command', name: '/totp' });
    assert.deepEqual(requestLabels({ type: 'block_actions', actions: [{ action_id: 'reveal_hide' }] }), {
      kind: 'action',
      name: 'reveal_hide',
    });
    assert.deepEqual(requestLabels({ type: 'view_closed', view: { callback_id: 'reveal_window' } }), {
      kind: 'view_closed',
      name: 'reveal_window',
    });
    assert.deepEqual(requestLabels({ type: 'view_submission', view: { callback_id: 'rotation_places' } }), {
      kind: 'view_submission',
      name: 'rotation_places',
    });
    assert.deepEqual(requestLabels({ type: 'block_suggestion', action_id: 'rotation_pick_user_select' }), {
      kind: 'options',
      name: 'rotation_pick_user_select',
    });
    assert.deepEqual(requestLabels({ type: 'event_callback', event: { type: 'app_home_opened' } }), {
      kind: 'event',
      name: 'app_home_opened',
    });
    assert.deepEqual(requestLabels({ type: 'event_callback', event: { type: 'message' } }), {
      kind: 'event',
      name: 'other',
    });
    assert.deepEqual(requestLabels(null), { kind: 'other', name: 'other' });
  });
});
