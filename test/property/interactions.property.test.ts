/**
 * Forged but correctly signed interaction payloads, sent over HTTP to the running bot: missing
 * fields, wrong types, forged action ids and button values, somebody else's view and
 * private_metadata. Slack never sends these, but a bug in Slack, a replayed payload or a
 * leaked signing secret could; the bot must answer each within 3 seconds, change nothing it
 * should not, crash nowhere, and never ping a channel or log a value.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import {
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { Harness } from '../support/app-harness.js';
import {
  APPROVALS,
  assertCleanOutput,
  editorClient,
  mark,
  postPayload,
  postSigned,
  settle,
  startFullHarness,
  unexpectedErrors,
  watchCrashes,
} from './app-support.js';
import { NASTY_PIECES, nastyText, propertyRuns } from './support.js';

const RUNS = propertyRuns(40);

let h: Harness;
let inspector: SecretsManagerClient;
const crashes = watchCrashes();

before(async () => {
  h = await startFullHarness();
  inspector = await editorClient(h);
});
after(async () => {
  crashes.stop();
  await h?.stop();
});

/** Every action id and callback id the bot listens for, and near misses of them. */
const KNOWN_ACTIONS = [
  'reveal_hide',
  'secret_reveal_open',
  'totp_open',
  'secret_edit_open',
  'secret_edit_undo',
  'totp_refresh',
  'totp_pick:0',
  'totp_pick:99999999999999999999',
  'approval_approve',
  'approval_reject',
  'approval_break_glass',
  'approval_use_grant',
  'rotation_confirm_places',
  'rotation_confirm_places:3',
  'rotation_cancel',
  'rotation_retry',
  'rotation_confirm_delete',
  'rotation_reactivate',
  'rotation_delete_extra:0',
  'rotation_due_start',
  'rotation_due_start:1',
  'rotation_due_open:2',
  'rotation_smtp_create',
  'rotation_smtp_cancel',
  'rotation_pick_user_select',
  'not_a_listener',
  '',
];
const KNOWN_VIEWS = [
  'secret_edit',
  'reveal_window',
  'approval_decision_reason',
  'approval_request_reason',
  'approval_grant_view',
  'rotation_places',
  'rotation_proceed',
  'rotation_pick_user',
  'rotation_info',
  'locksmith_home',
  'not_a_view',
];
const PEOPLE = ['U0ALICE', 'U0BOB', 'U0CAROL', 'U0DAVE', 'U0GUEST', 'U0GONE', 'U0STRANGER', 'U0NOBODY'];

/** Anything at all where a field of a given type is expected. */
const wrongType = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);

/** Button values: forged JSON in the shapes the bot's buttons use, ids, and hostile text. */
const forgedValue = fc.oneof(
  nastyText(8),
  fc.constantFrom(...NASTY_PIECES),
  fc
    .record(
      {
        r: fc.oneof(fc.constantFrom('rot_C0DM_1.1', 'rot_x', ''), nastyText(3)),
        v: fc.oneof(fc.integer(), fc.constant(Number.MAX_SAFE_INTEGER)),
        k: fc.oneof(fc.constantFrom('AKIAEXAMPLE', ''), nastyText(2)),
        p: nastyText(2),
        s: fc.oneof(fc.constantFrom('2ndline/fastly', 'edit/app', 'prod/db'), nastyText(2)),
        u: fc.constantFrom('U0ALICE', 'U0BOB', 'ci-deploy', '<!channel>'),
        id: fc.uuid(),
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
  fc.uuid(),
  fc.string({ unit: 'binary', maxLength: 2100 }),
);

/** private_metadata: another person's edit form, forged approval ids, hostile text, JSON junk. */
const forgedMetadata = fc.oneof(
  nastyText(6),
  fc
    .record(
      {
        s: fc.constantFrom('2ndline/fastly', 'edit/app', 'prod/db', '<!channel>'),
        r: fc.constantFrom('editor', '2ndline', 'forbidden', 'nope'),
        b: fc.oneof(fc.uuid(), fc.constant('')),
        p: fc.constantFrom(...PEOPLE),
        a: fc.oneof(fc.uuid(), nastyText(2)),
        u: fc.oneof(fc.constant('http://127.0.0.1:1/x'), nastyText(2)),
        c: fc.constantFrom('C0APPROVALS', 'D0X', '<!here>'),
        id: fc.uuid(),
        kind: fc.constantFrom('reveal', 'edit', 'deactivate'),
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
);

const stateValues = fc.oneof(
  fc.constant({}),
  fc.dictionary(
    fc.constantFrom(
      'secret_edit_field:0',
      'secret_edit_new_name',
      'secret_edit_new_value',
      'approval_reason',
      'rotation_proceed_reason',
      'rotation_pick_role',
      'rotation_pick_user_block',
      'x',
    ),
    fc.dictionary(
      fc.constantFrom('value', 'name', 'reason', 'role', 'places', 'x'),
      fc.oneof(
        fc.record({
          type: fc.constant('plain_text_input'),
          value: fc.oneof(nastyText(6), fc.constant(null)),
        }),
        fc.record({
          type: fc.constant('static_select'),
          selected_option: fc.oneof(fc.constant(null), fc.record({ value: nastyText(3) })),
        }),
        fc.record({
          type: fc.constant('checkboxes'),
          selected_options: fc.array(fc.record({ value: nastyText(3) }), { maxLength: 3 }),
        }),
        wrongType,
      ),
      { maxKeys: 2 },
    ),
    { maxKeys: 3 },
  ),
  wrongType,
);

function userObject(id: string) {
  return { id, username: id.toLowerCase(), name: id.toLowerCase(), team_id: 'T0STANDIN' };
}

/** A block_actions payload with forged parts; `responseUrl` is a real one on the stand-in. */
function blockActions(responseUrl: string) {
  return fc.record(
    {
      type: fc.constant('block_actions'),
      user: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...PEOPLE).map(userObject) }, wrongType),
      team: fc.oneof(fc.constant({ id: 'T0STANDIN', domain: 'standin' }), wrongType),
      api_app_id: fc.constant('A0LOCKSMITH'),
      trigger_id: fc.oneof(fc.constant('1.2.forged'), wrongType),
      response_url: fc.oneof(
        { weight: 4, arbitrary: fc.constant(responseUrl) },
        fc.constant('not a url'),
        wrongType,
      ),
      container: fc.oneof(
        fc.record({
          type: fc.constant('message'),
          message_ts: fc.constant('1.000001'),
          channel_id: fc.constantFrom('C0APPROVALS', 'D0FORGED'),
        }),
        fc.record({ type: fc.constant('view'), view_id: fc.constant('V0FORGED') }),
        wrongType,
      ),
      channel: fc.oneof(
        fc.record({ id: fc.constantFrom(APPROVALS, 'D0FORGED'), name: fc.constant('x') }),
        wrongType,
      ),
      message: fc.oneof(
        fc.record({
          ts: fc.constant('1.000001'),
          text: nastyText(3),
          blocks: fc.oneof(fc.constant([]), wrongType),
        }),
        wrongType,
      ),
      view: fc.oneof(
        fc.record({
          id: fc.constant('V0FORGED'),
          callback_id: fc.constantFrom(...KNOWN_VIEWS),
          private_metadata: forgedMetadata,
          state: fc.record({ values: stateValues }),
          blocks: fc.constant([]),
        }),
        wrongType,
      ),
      state: fc.oneof(fc.record({ values: stateValues }), wrongType),
      actions: fc.oneof(
        {
          weight: 6,
          arbitrary: fc.array(
            fc.record(
              {
                action_id: fc.oneof(
                  { weight: 5, arbitrary: fc.constantFrom(...KNOWN_ACTIONS) },
                  nastyText(3),
                  wrongType,
                ),
                block_id: fc.oneof(fc.constant('b'), nastyText(2), wrongType),
                type: fc.constantFrom('button', 'static_select', 'checkboxes', 'external_select', 'overflow'),
                value: fc.oneof({ weight: 5, arbitrary: forgedValue }, wrongType),
                selected_option: fc.oneof(fc.record({ value: forgedValue }), wrongType),
                selected_options: fc.oneof(
                  fc.array(fc.record({ value: forgedValue }), { maxLength: 3 }),
                  wrongType,
                ),
                action_ts: fc.constant('1.1'),
              },
              { requiredKeys: ['action_id'] },
            ),
            { minLength: 1, maxLength: 2 },
          ),
        },
        wrongType,
      ),
    },
    { requiredKeys: ['type', 'actions', 'api_app_id'] },
  );
}

/** A view_submission (or view_closed) of a view that isn't the sender's, or isn't at all. */
const viewSubmission = fc.record(
  {
    type: fc.constantFrom('view_submission', 'view_closed'),
    user: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...PEOPLE).map(userObject) }, wrongType),
    team: fc.oneof(fc.constant({ id: 'T0STANDIN', domain: 'standin' }), wrongType),
    api_app_id: fc.constant('A0LOCKSMITH'),
    trigger_id: fc.oneof(fc.constant('1.2.forged'), wrongType),
    view: fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record(
          {
            id: fc.oneof(fc.constant('V0FORGED'), wrongType),
            type: fc.constant('modal'),
            callback_id: fc.oneof(
              { weight: 5, arbitrary: fc.constantFrom(...KNOWN_VIEWS) },
              nastyText(2),
              wrongType,
            ),
            private_metadata: fc.oneof({ weight: 4, arbitrary: forgedMetadata }, wrongType),
            state: fc.oneof(fc.record({ values: stateValues }), wrongType),
            blocks: fc.oneof(
              fc.constant([{ type: 'input', block_id: 'secret_edit_field:0' }]),
              fc.constant([]),
              wrongType,
            ),
            hash: fc.constant('1.x'),
          },
          { requiredKeys: ['callback_id'] },
        ),
      },
      wrongType,
    ),
    response_urls: fc.oneof(fc.constant([]), wrongType),
  },
  { requiredKeys: ['type', 'view', 'api_app_id'] },
);

/** block_suggestion, shortcuts and things that are no interaction at all. */
const otherPayloads = fc.oneof(
  fc.record({
    type: fc.constant('block_suggestion'),
    user: fc.constantFrom(...PEOPLE).map(userObject),
    team: fc.constant({ id: 'T0STANDIN', domain: 'standin' }),
    api_app_id: fc.constant('A0LOCKSMITH'),
    action_id: fc.oneof(fc.constant('rotation_pick_user_select'), nastyText(2)),
    block_id: fc.constant('rotation_pick_user_block'),
    value: fc.oneof(nastyText(5), wrongType),
    view: fc.oneof(
      fc.record({
        id: fc.constant('V0FORGED'),
        callback_id: fc.constant('rotation_pick_user'),
        private_metadata: forgedMetadata,
        state: fc.record({ values: stateValues }),
      }),
      wrongType,
    ),
  }),
  fc.record({
    type: fc.constantFrom(
      'shortcut',
      'message_action',
      'interactive_message',
      'dialog_submission',
      'nonsense',
    ),
    callback_id: nastyText(2),
    user: fc.constantFrom(...PEOPLE).map(userObject),
    team: fc.constant({ id: 'T0STANDIN', domain: 'standin' }),
    api_app_id: fc.constant('A0LOCKSMITH'),
  }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Runs one forged payload and checks the bot's answer. */
async function sendForged(payload: unknown): Promise<void> {
  const res = await postPayload(h, payload);
  // An answer, within 3 s: a plain ack, a view response, or a refusal of a body that is no request.
  assert.ok([200, 400].includes(res.status), `answered ${res.status}: ${res.body.slice(0, 200)}`);
  assert.doesNotMatch(res.body, /at .*\.(js|ts):\d+/, 'no stack trace in the answer');
  if (res.body) assert.equal(/<!(channel|here|everyone)/.test(res.body), false, 'no ping in the answer');
}

async function versionsOf(name: string): Promise<number> {
  const out = await inspector.send(
    new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }),
  );
  return out.Versions?.length ?? 0;
}

describe('forged interaction payloads over HTTP (property)', () => {
  it('answers every forged button click within 3 s, with no crash, ping, leak or write', async () => {
    const from = mark(h);
    const versionsBefore = await versionsOf('edit/app');
    const responseUrl = h.slack.newResponseUrl({ user: 'U0BOB', channel: h.slack.dmChannelFor('U0BOB') });
    await fc.assert(fc.asyncProperty(blockActions(responseUrl), sendForged), { numRuns: RUNS });
    await settle(h);
    assert.deepEqual(crashes.problems, []);
    assert.deepEqual(unexpectedErrors(h, from), []);
    assertCleanOutput(h, from);
    assert.equal(await versionsOf('edit/app'), versionsBefore, 'no forged click wrote a secret');
    assert.equal(h.slack.channelMessages(APPROVALS).length, 0, 'no forged click posted an approval');
  });

  it('answers every forged view submission within 3 s, with no crash, ping, leak or write', async () => {
    const from = mark(h);
    const versionsBefore = await versionsOf('edit/app');
    await fc.assert(fc.asyncProperty(viewSubmission, sendForged), { numRuns: RUNS });
    await settle(h);
    assert.deepEqual(crashes.problems, []);
    assert.deepEqual(unexpectedErrors(h, from), []);
    assertCleanOutput(h, from);
    assert.equal(await versionsOf('edit/app'), versionsBefore, 'no forged submission wrote a secret');
  });

  it('answers suggestions, shortcuts and payloads of no known type within 3 s', async () => {
    const from = mark(h);
    await fc.assert(fc.asyncProperty(otherPayloads, sendForged), { numRuns: RUNS });
    await settle(h);
    assert.deepEqual(crashes.problems, []);
    assert.deepEqual(unexpectedErrors(h, from), []);
    assertCleanOutput(h, from);
  });

  it('answers a payload that is not JSON, or no payload at all, without running a listener', async () => {
    for (const body of ['payload=%7Bnot json', 'payload=', 'nothing=here', '']) {
      const res = await postSigned(h, body);
      assert.ok(res.status >= 200 && res.status < 500, `answered ${res.status}`);
    }
    assert.deepEqual(crashes.problems, []);
  });

  it('refuses a view submission without blocks or state (Slack always sends both) with 400', async () => {
    const from = mark(h);
    for (const view of [
      { id: 'V1', callback_id: 'secret_edit', state: { values: {} } },
      { id: 'V1', callback_id: 'approval_decision_reason', blocks: [] },
    ]) {
      const res = await postPayload(h, {
        type: 'view_submission',
        user: userObject('U0ALICE'),
        team: { id: 'T0STANDIN', domain: 'standin' },
        api_app_id: 'A0LOCKSMITH',
        view,
      });
      assert.equal(res.status, 400);
    }
    await settle(h);
    assert.deepEqual(unexpectedErrors(h, from), []);
  });

  it('refuses a payload that is JSON but no object (null, a number, a list) with 400, at once', async () => {
    // `payload=null` used to throw inside Bolt's receiver: an unhandled rejection, and an HTTP
    // request left open forever.
    for (const payload of ['null', '5', '"text"', '[]', '[{"type":"block_actions"}]']) {
      const res = await postSigned(h, new URLSearchParams({ payload }).toString());
      assert.equal(res.status, 400, `payload=${payload}`);
    }
    const json = await postSigned(h, 'null', 'application/json');
    assert.equal(json.status, 400);
    await settle(h);
    assert.deepEqual(crashes.problems, []);
  });
});

describe('errors in a listener reach the person', () => {
  it('a Reject click whose window Slack refuses to open (trigger expired) tells the clicker to click again', async () => {
    const responseUrl = h.slack.newResponseUrl({ user: 'U0BOB', channel: APPROVALS });
    const from = mark(h);
    const res = await postPayload(h, {
      type: 'block_actions',
      user: userObject('U0BOB'),
      team: { id: 'T0STANDIN', domain: 'standin' },
      api_app_id: 'A0LOCKSMITH',
      trigger_id: 'expired.trigger.id', // Slack answers views.open with invalid_trigger_id
      response_url: responseUrl,
      channel: { id: APPROVALS, name: 'approvals' },
      container: { type: 'message', message_ts: '1.000001', channel_id: APPROVALS },
      state: { values: {} },
      actions: [
        { action_id: 'approval_reject', block_id: 'b', type: 'button', value: 'some-id', action_ts: '1.1' },
      ],
    });
    assert.equal(res.status, 200);
    const told = await h.slack.waitFor(() => h.slack.responseUrlPosts.find((p) => p.url === responseUrl));
    assert.match(JSON.stringify(told.body), /Slack did not let locksmith open the window in time/);
    assert.deepEqual(unexpectedErrors(h, from), [], 'an expired trigger is no incident');
  });
});

describe("another person's view", () => {
  it("refuses Bob's submission of Alice's edit form and writes nothing", async () => {
    const sent = await h.sender.slashCommand({
      userId: 'U0ALICE',
      command: '/secret',
      text: 'edit edit/app',
    });
    assert.equal(sent.status, 200);
    const form = await h.slack.waitFor(() => h.slack.openModalOf('U0ALICE', 'secret_edit'));
    const before = await versionsOf('edit/app');
    const res = await postPayload(h, {
      type: 'view_submission',
      user: userObject('U0BOB'),
      team: { id: 'T0STANDIN', domain: 'standin' },
      api_app_id: 'A0LOCKSMITH',
      trigger_id: h.slack.newTriggerId('U0BOB'),
      view: {
        id: form.id,
        type: 'modal',
        callback_id: 'secret_edit',
        private_metadata: form.privateMetadata,
        blocks: form.view['blocks'],
        state: {
          values: {
            'secret_edit_field:0': { value: { type: 'plain_text_input', value: 'CANARY-bob-wrote-this' } },
          },
        },
        hash: form.hash,
      },
      response_urls: [],
    });
    assert.equal(res.status, 200);
    assert.match(res.body, /"response_action":"errors"/, 'the form shows an error');
    await settle(h);
    assert.equal(await versionsOf('edit/app'), before, 'nothing was written');
    const value = await inspector.send(new GetSecretValueCommand({ SecretId: 'edit/app' }));
    assert.ok(!value.SecretString?.includes('CANARY-bob-wrote-this'));
  });
});
