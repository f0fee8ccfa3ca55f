import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { App, HTTPReceiver, LogLevel, verifySlackRequest, webApi } from '@slack/bolt';
import { SlackRequestSender, SlackStandin } from '../../devkit/index.js';

const BOT_TOKEN = 'xoxb-standin-test';
const SIGNING_SECRET = 'standin-signing-secret';

/** The WebClient logs Slack's error details; the tests assert on them instead. */
const quietLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => webApi.LogLevel.ERROR,
  setName: () => {},
};

/** Wall time plus an offset the expiry tests move forward. */
let clockOffsetMs = 0;
const clock = { now: () => Date.now() + clockOffsetMs };

let slack: SlackStandin;
let client: webApi.WebClient;

before(async () => {
  slack = await SlackStandin.start({
    botToken: BOT_TOKEN,
    clock,
    users: [
      {
        id: 'U0ALICE',
        name: 'alice',
        real_name: 'Alice Doe',
        email: 'alice@example.com',
        tz: 'Europe/Berlin',
      },
      { id: 'U0BOB', name: 'bob', email: 'bob@example.com' },
      { id: 'U0GONE', name: 'gone', email: 'gone@example.com', deleted: true },
      { id: 'U0GUEST', name: 'guest', is_restricted: true },
    ],
    usergroups: [
      { id: 'S0ONCALL', handle: 'oncall', name: 'On-call', users: ['U0ALICE'] },
      { id: 'S0OLD', handle: 'old', users: ['U0BOB'], disabled: true },
    ],
    channels: [{ id: 'C0APPROVALS', name: 'approvals', members: ['U0ALICE'] }],
  });
  client = new webApi.WebClient(BOT_TOKEN, {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: quietLogger,
  });
});

after(async () => {
  await slack.stop();
});

beforeEach(() => {
  clockOffsetMs = 0;
  slack.reset();
});

/** The Slack error code of a failed WebClient call. */
async function slackError(call: Promise<unknown>): Promise<{ error: string; messages: string[] }> {
  try {
    await call;
  } catch (err) {
    const data = (err as { data?: { error: string; response_metadata?: { messages?: string[] } } }).data;
    assert.ok(data, `expected a Slack platform error, got ${String(err)}`);
    return { error: data.error, messages: data.response_metadata?.messages ?? [] };
  }
  assert.fail('expected the call to fail');
}

async function postJson(url: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('Web API auth and dispatch', () => {
  it('answers auth.test for the bot token, and refuses a wrong or missing token as Slack does', async () => {
    const me = await client.auth.test();
    assert.equal(me.user_id, slack.botUserId);
    assert.equal(me.team_id, slack.teamId);
    assert.equal(me.bot_id, slack.botId);

    const wrong = new webApi.WebClient('xoxb-wrong', {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
    });
    assert.equal((await slackError(wrong.auth.test())).error, 'invalid_auth');

    const res = await fetch(`${slack.apiUrl}auth.test`, { method: 'POST' });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: false, error: 'not_authed' });
  });

  it('accepts the token as a form field and answers unknown methods with unknown_method', async () => {
    const form = await fetch(`${slack.apiUrl}auth.test`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${BOT_TOKEN}`,
    });
    assert.equal(((await form.json()) as { ok: boolean }).ok, true);
    assert.equal((await slackError(client.apiCall('files.frobnicate'))).error, 'unknown_method');
  });

  it('records each call with parsed blocks and without the token', async () => {
    await client.chat.postMessage({ channel: 'C0GENERAL', text: 'hi', blocks: [section('hello')] });
    const [call] = slack.callsTo('chat.postMessage');
    assert.ok(call);
    assert.deepEqual(call.args['blocks'], [section('hello')]);
    assert.equal(call.args['token'], undefined);
    assert.equal(call.response['ok'], true);
    assert.equal(call.status, 200);
  });
});

describe('users and user groups', () => {
  it('describes a user like Slack, with the email in the profile', async () => {
    const { user } = await client.users.info({ user: 'U0ALICE' });
    assert.equal(user?.name, 'alice');
    assert.equal(user?.real_name, 'Alice Doe');
    assert.equal(user?.profile?.email, 'alice@example.com');
    assert.equal(user?.tz, 'Europe/Berlin');
    assert.equal(user?.deleted, false);
    assert.equal((await client.users.info({ user: 'U0GONE' })).user?.deleted, true);
    assert.equal((await client.users.info({ user: 'U0GUEST' })).user?.is_restricted, true);
    assert.equal((await slackError(client.users.info({ user: 'U0NOBODY' }))).error, 'user_not_found');
  });

  it('sees users changed by the test', async () => {
    slack.updateUser('U0BOB', { deleted: true });
    assert.equal((await client.users.info({ user: 'U0BOB' })).user?.deleted, true);
    slack.updateUser('U0BOB', { deleted: false });
  });

  it('says where a user belongs and whether the email is confirmed, with Slack’s field names', async () => {
    const { user } = await client.users.info({ user: 'U0ALICE' });
    assert.equal(user?.team_id, slack.teamId);
    assert.equal(user?.is_email_confirmed, true, 'top-level, beside profile.email');
    assert.equal(user?.is_stranger, undefined);
    assert.equal(user?.enterprise_user, undefined, 'not on Grid');
    slack.addUser({
      id: 'W0FAR',
      name: 'far',
      email: 'far@partner.example',
      team_id: 'T0PARTNER',
      is_stranger: true,
      is_email_confirmed: false,
      enterprise_user: { enterprise_id: 'E0PARTNER' },
    });
    const far = (await client.users.info({ user: 'W0FAR' })).user;
    assert.equal(far?.team_id, 'T0PARTNER');
    assert.equal(far?.is_stranger, true);
    assert.equal(far?.is_email_confirmed, false);
    assert.equal(far?.enterprise_user?.enterprise_id, 'E0PARTNER');
    assert.deepEqual(far?.enterprise_user?.teams, ['T0PARTNER']);
    assert.equal(
      (await client.users.info({ user: 'U0GUEST' })).user?.is_email_confirmed,
      undefined,
      'no email, no flag',
    );
  });

  it('sends user_change and team_join only once the app is subscribed, and only the subscribed ones', async () => {
    const events: Record<string, unknown>[] = [];
    slack.updateUser('U0BOB', { real_name: 'Bob before any subscription' });
    slack.deliverEventsTo(async (event) => events.push(event), ['user_change']);
    slack.updateUser('U0BOB', { deleted: true });
    slack.addUser({ id: 'U0NEW', name: 'new' });
    await slack.eventsDelivered();
    assert.deepEqual(
      events.map((e) => [
        e['type'],
        (e['user'] as { id: string; deleted: boolean }).id,
        (e['user'] as { deleted: boolean }).deleted,
      ]),
      [['user_change', 'U0BOB', true]],
      'no team_join: not subscribed',
    );
    slack.deliverEventsTo(async (event) => events.push(event), ['user_change', 'team_join']);
    slack.addUser({ id: 'U0NEWER', name: 'newer' });
    slack.updateUser('U0BOB', { deleted: false });
    await slack.eventsDelivered();
    assert.deepEqual(
      events.slice(1).map((e) => e['type']),
      ['team_join', 'user_change'],
    );
    assert.equal(typeof events[1]!['event_ts'], 'string');
  });

  it('reports the Enterprise Grid org in auth.test only when the workspace is in one', async () => {
    assert.equal((await client.auth.test()).enterprise_id, undefined);
    const grid = await SlackStandin.start({ botToken: BOT_TOKEN, enterpriseId: 'E0ORG' });
    try {
      const gridClient = new webApi.WebClient(BOT_TOKEN, { slackApiUrl: grid.apiUrl, logger: quietLogger });
      assert.equal((await gridClient.auth.test()).enterprise_id, 'E0ORG');
    } finally {
      await grid.stop();
    }
  });

  it('lists user groups with members only when asked, and disabled ones only when asked', async () => {
    const plain = await client.usergroups.list();
    assert.deepEqual(
      plain.usergroups?.map((g) => [g.handle, g.users]),
      [['oncall', undefined]],
    );
    const full = await client.usergroups.list({ include_users: true, include_disabled: true });
    assert.deepEqual(
      full.usergroups?.map((g) => [g.handle, g.users]),
      [
        ['oncall', ['U0ALICE']],
        ['old', ['U0BOB']],
      ],
    );
  });

  it('lists a group’s members and follows setUsergroupUsers', async () => {
    assert.deepEqual((await client.usergroups.users.list({ usergroup: 'S0ONCALL' })).users, ['U0ALICE']);
    slack.setUsergroupUsers('oncall', ['U0BOB']);
    assert.deepEqual((await client.usergroups.users.list({ usergroup: 'S0ONCALL' })).users, ['U0BOB']);
    slack.setUsergroupUsers('S0ONCALL', ['U0ALICE']);
    assert.equal(
      (await slackError(client.usergroups.users.list({ usergroup: 'S0NONE' }))).error,
      'no_such_subteam',
    );
  });
});

describe('messages', () => {
  it('keeps channel messages and updates them in place, keeping the old version', async () => {
    const posted = await client.chat.postMessage({
      channel: 'C0APPROVALS',
      text: 'pending',
      blocks: [section('pending')],
    });
    assert.equal(posted.channel, 'C0APPROVALS');
    assert.equal(posted.message?.text, 'pending');
    await client.chat.update({ channel: 'C0APPROVALS', ts: posted.ts!, text: 'approved' });

    const [message] = slack.channelMessages('C0APPROVALS');
    assert.equal(message?.text, 'approved');
    assert.deepEqual(message?.blocks, [section('pending')], 'chat.update keeps blocks it was not given');
    assert.equal(message?.history.length, 1);
    assert.equal(message?.history[0]?.text, 'pending');
  });

  it('refuses to update or delete what is not there or not the bot’s', async () => {
    const human = slack.addChannelMessage({ channel: 'C0APPROVALS', user: 'U0ALICE', text: 'hello' });
    assert.equal(
      (await slackError(client.chat.update({ ...human, text: 'x' }))).error,
      'cant_update_message',
    );
    assert.equal((await slackError(client.chat.delete(human))).error, 'cant_delete_message');
    const missing = { channel: 'C0APPROVALS', ts: '1.000001', text: 'x' };
    assert.equal((await slackError(client.chat.update(missing))).error, 'message_not_found');

    const posted = await client.chat.postMessage({ channel: 'C0APPROVALS', text: 'bye' });
    await client.chat.delete({ channel: 'C0APPROVALS', ts: posted.ts! });
    assert.deepEqual(
      slack.channelMessages('C0APPROVALS').map((m) => m.text),
      ['hello'],
    );
    assert.equal(slack.channelMessages('C0APPROVALS', { includeDeleted: true }).length, 2);
  });

  it('posts to a user id into that person’s DM, whose id conversations.open gives', async () => {
    const opened = await client.conversations.open({ users: 'U0BOB' });
    assert.equal(opened.channel?.id, slack.dmChannelFor('U0BOB'));
    assert.equal(
      (await client.conversations.open({ users: 'U0BOB' })).channel?.id,
      opened.channel?.id,
      'stable',
    );
    const posted = await client.chat.postMessage({ channel: 'U0BOB', text: 'a DM' });
    assert.equal(posted.channel, opened.channel?.id);
    assert.equal(slack.channelMessages(opened.channel!.id!)[0]?.text, 'a DM');
  });

  it('cannot update or delete an ephemeral message with chat.update / chat.delete', async () => {
    const posted = await client.chat.postEphemeral({
      channel: 'C0APPROVALS',
      user: 'U0ALICE',
      text: 'secret value',
    });
    const ts = posted.message_ts!;
    assert.equal(
      (await slackError(client.chat.update({ channel: 'C0APPROVALS', ts, text: 'hidden' }))).error,
      'message_not_found',
    );
    assert.equal(
      (await slackError(client.chat.delete({ channel: 'C0APPROVALS', ts }))).error,
      'message_not_found',
    );
    assert.match(slack.screenText('U0ALICE'), /secret value/, 'still on screen');
  });

  it('delivers ephemeral messages only to channel members; DMs are fine', async () => {
    const ok = await client.chat.postEphemeral({ channel: 'C0APPROVALS', user: 'U0ALICE', text: 'only you' });
    assert.ok(ok.message_ts);
    const refused = client.chat.postEphemeral({ channel: 'C0APPROVALS', user: 'U0BOB', text: 'only you' });
    assert.equal((await slackError(refused)).error, 'user_not_in_channel');
    await client.chat.postEphemeral({ channel: slack.dmChannelFor('U0BOB'), user: 'U0BOB', text: 'in a DM' });

    assert.deepEqual(
      slack.ephemeralMessages('U0ALICE').map((m) => [m.channel, m.text, m.postedVia]),
      [['C0APPROVALS', 'only you', 'chat.postEphemeral']],
    );
    assert.equal(slack.ephemeralMessages('U0BOB')[0]?.text, 'in a DM');
    assert.equal(slack.channelMessages().length, 0, 'ephemeral messages are not channel messages');
  });
});

describe('Block Kit limits', () => {
  const blocks = (n: number) => Array.from({ length: n }, (_, i) => section(`block ${i}`));
  const button = (fields: Record<string, string>) => ({
    type: 'actions',
    elements: [{ type: 'button', text: { type: 'plain_text', text: 'Go' }, action_id: 'go', ...fields }],
  });

  const cases: [string, Record<string, unknown>, string, string?][] = [
    [
      '51 blocks',
      { blocks: blocks(51) },
      'invalid_blocks',
      '[ERROR] no more than 50 items allowed [json-pointer:/blocks]',
    ],
    [
      'section text over 3000',
      { blocks: [section('x'.repeat(3001))] },
      'invalid_blocks',
      '[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]',
    ],
    [
      'header over 150',
      { blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] },
      'invalid_blocks',
      '[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]',
    ],
    [
      'button value over 2000',
      { blocks: [button({ value: 'v'.repeat(2001) })] },
      'invalid_blocks',
      '[ERROR] must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]',
    ],
    [
      'action_id over 255',
      { blocks: [button({ action_id: 'a'.repeat(256) })] },
      'invalid_blocks',
      '[ERROR] must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]',
    ],
    [
      'block_id over 255',
      { blocks: [{ ...section('x'), block_id: 'b'.repeat(256) }] },
      'invalid_blocks',
      '[ERROR] must be less than 256 characters [json-pointer:/blocks/0/block_id]',
    ],
    ['text over 40,000', { text: 't'.repeat(40_001) }, 'msg_too_long'],
    ['neither text nor blocks', {}, 'no_text'],
  ];
  for (const [name, content, error, message] of cases) {
    it(`refuses a message with ${name}: ${error}`, async () => {
      const failed = await slackError(
        client.apiCall('chat.postMessage', { channel: 'C0GENERAL', ...content }),
      );
      assert.equal(failed.error, error);
      if (message) assert.ok(failed.messages.includes(message), failed.messages.join('\n'));
      assert.equal(slack.channelMessages().length, 0, 'nothing was posted');
    });
  }

  it('accepts exactly 50 blocks, and JSON bodies as well as forms', async () => {
    await client.chat.postMessage({ channel: 'C0GENERAL', text: 'ok', blocks: blocks(50) });
    const res = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${BOT_TOKEN}` },
      body: JSON.stringify({ channel: 'C0GENERAL', blocks: blocks(51) }),
    });
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_blocks');
    assert.equal(slack.channelMessages('C0GENERAL').length, 1);
  });
});

describe('modals', () => {
  const modal = (callbackId: string, blockCount = 1) => ({
    type: 'modal' as const,
    callback_id: callbackId,
    title: { type: 'plain_text' as const, text: 'Rotate key' },
    blocks: Array.from({ length: blockCount }, () => section('step')),
  });

  it('opens a modal with a trigger id once; a reused one is exchanged_trigger_id, an unknown one invalid', async () => {
    const triggerId = slack.newTriggerId('U0ALICE');
    const opened = await client.views.open({ trigger_id: triggerId, view: modal('rotate') });
    assert.match(opened.view?.id ?? '', /^V/);
    assert.ok(opened.view?.hash);
    assert.deepEqual(
      slack.views().map((v) => [v.user, v.callbackId, v.closed]),
      [['U0ALICE', 'rotate', false]],
    );
    assert.equal(
      (await slackError(client.views.open({ trigger_id: triggerId, view: modal('rotate') }))).error,
      'exchanged_trigger_id',
    );
    assert.equal(
      (await slackError(client.views.open({ trigger_id: '1.2.3', view: modal('rotate') }))).error,
      'invalid_trigger_id',
    );
  });

  it('refuses a trigger id older than 3 seconds', async () => {
    const triggerId = slack.newTriggerId('U0ALICE');
    clockOffsetMs = 3001;
    assert.equal(
      (await slackError(client.views.open({ trigger_id: triggerId, view: modal('rotate') }))).error,
      'expired_trigger_id',
    );
  });

  it('refuses a modal over 100 blocks with invalid_arguments and the detail', async () => {
    const failed = await slackError(
      client.views.open({ trigger_id: slack.newTriggerId('U0ALICE'), view: modal('big', 101) }),
    );
    assert.equal(failed.error, 'invalid_arguments');
    assert.deepEqual(failed.messages, ['[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]']);
  });

  it('updates by view id with hash protection, and pushes onto the stack', async () => {
    const opened = await client.views.open({
      trigger_id: slack.newTriggerId('U0ALICE'),
      view: modal('rotate'),
    });
    const id = opened.view!.id!;
    const updated = await client.views.update({
      view_id: id,
      hash: opened.view!.hash!,
      view: modal('rotate-2'),
    });
    assert.notEqual(updated.view?.hash, opened.view?.hash);
    const stale = client.views.update({ view_id: id, hash: opened.view!.hash!, view: modal('rotate-3') });
    assert.equal((await slackError(stale)).error, 'hash_conflict');
    assert.equal(slack.view(id)?.callbackId, 'rotate-2');
    assert.equal(slack.view(id)?.history.length, 1);

    const pushed = await client.views.push({
      trigger_id: slack.newTriggerId('U0ALICE'),
      view: modal('confirm'),
    });
    assert.equal(pushed.view?.previous_view_id, id);
    assert.equal(pushed.view?.root_view_id, id);
    assert.equal(
      (await slackError(client.views.update({ view_id: 'V0NOPE', view: modal('x') }))).error,
      'not_found',
    );
  });

  it('refuses views.update of a view the person closed with not_found', async () => {
    const opened = await client.views.open({
      trigger_id: slack.newTriggerId('U0ALICE'),
      view: modal('reveal'),
    });
    slack.closeModal('U0ALICE');
    assert.equal(
      (await slackError(client.views.update({ view_id: opened.view!.id!, view: modal('hidden') }))).error,
      'not_found',
    );
  });

  it('closes the view in front: Close on a pushed view goes back to the one below, ✕ clears all', async () => {
    await client.views.open({ trigger_id: slack.newTriggerId('U0ALICE'), view: modal('reveal') });
    await client.views.push({ trigger_id: slack.newTriggerId('U0ALICE'), view: modal('edit') });
    assert.deepEqual(
      slack.screen('U0ALICE').modal.map((v) => v.callbackId),
      ['reveal', 'edit'],
      'the view below counts as on screen: it is one Back away',
    );
    const back = slack.closeModal('U0ALICE');
    assert.equal(back?.view.callbackId, 'edit');
    assert.equal(back?.cleared, false);
    assert.equal(back?.notify, false, 'no notify_on_close, no view_closed');
    assert.deepEqual(
      slack.screen('U0ALICE').modal.map((v) => v.callbackId),
      ['reveal'],
    );

    await client.views.push({
      trigger_id: slack.newTriggerId('U0ALICE'),
      view: { ...modal('edit'), notify_on_close: true },
    });
    const all = slack.closeModal('U0ALICE', { all: true });
    assert.equal(all?.cleared, true);
    assert.equal(all?.notify, true);
    assert.equal(all?.closedViewIds.length, 2);
    assert.deepEqual(slack.screen('U0ALICE').modal, []);
    assert.equal(slack.closeModal('U0ALICE'), undefined, 'nothing left to close');
  });

  it('publishes one Home tab per person', async () => {
    const home = { type: 'home' as const, blocks: [section('home')] };
    await client.views.publish({ user_id: 'U0BOB', view: home });
    await client.views.publish({ user_id: 'U0BOB', view: home });
    assert.equal(slack.views('U0BOB').length, 1);
    assert.equal(slack.views('U0BOB')[0]?.history.length, 1);
  });
});

describe('response_url', () => {
  it('is good for five posts; the sixth gets 404 used_url', async () => {
    const url = slack.newResponseUrl({ user: 'U0ALICE', channel: 'C0APPROVALS' });
    for (let i = 1; i <= 5; i++)
      assert.deepEqual(await postJson(url, { text: `reply ${i}` }), { status: 200, text: 'ok' });
    assert.deepEqual(await postJson(url, { text: 'reply 6' }), { status: 404, text: 'used_url' });
    assert.equal(slack.ephemeralMessages('U0ALICE').length, 5);
    assert.deepEqual(
      slack.responseUrlPosts.map((p) => p.status),
      [200, 200, 200, 200, 200, 404],
    );
  });

  it('expires after 30 minutes with 404 expired_url', async () => {
    const url = slack.newResponseUrl({ user: 'U0ALICE', channel: 'C0APPROVALS' });
    clockOffsetMs = 30 * 60 * 1000 + 1;
    assert.deepEqual(await postJson(url, { text: 'late' }), { status: 404, text: 'expired_url' });
    assert.equal(slack.ephemeralMessages().length, 0);
  });

  it('for a slash command: only adds messages; replace_original posts a new one and delete_original changes nothing', async () => {
    const url = slack.newResponseUrl({ user: 'U0ALICE', channel: 'C0APPROVALS' });
    await postJson(url, { text: 'secret value' });
    assert.deepEqual(await postJson(url, { replace_original: true, text: 'hidden' }), {
      status: 200,
      text: 'ok',
    });
    assert.deepEqual(await postJson(url, { delete_original: true }), { status: 200, text: 'ok' });
    assert.deepEqual(
      slack.ephemeralMessages('U0ALICE').map((m) => [m.text, m.deleted, m.replacedCount]),
      [
        ['secret value', false, 0],
        ['hidden', false, 0],
      ],
      'the first reply is still on screen',
    );
    assert.match(slack.screenText('U0ALICE'), /secret value/);
    assert.equal(slack.ephemeralMessages('U0BOB').length, 0, 'nobody else sees it');
  });

  it('for an interaction: replaces or deletes the ephemeral message the click came from', async () => {
    const commandUrl = slack.newResponseUrl({ user: 'U0ALICE', channel: 'C0APPROVALS' });
    await postJson(commandUrl, { text: 'secret value' });
    const [shown] = slack.ephemeralMessages('U0ALICE');
    const clickUrl = () =>
      slack.newResponseUrl({
        user: 'U0ALICE',
        channel: 'C0APPROVALS',
        sourceMessage: { channel: shown!.channel, ts: shown!.ts },
      });
    await postJson(clickUrl(), { replace_original: true, text: 'hidden' });
    const [message] = slack.ephemeralMessages('U0ALICE');
    assert.equal(message?.text, 'hidden');
    assert.equal(message?.replacedCount, 1);
    assert.equal(message?.history[0]?.text, 'secret value');
    assert.doesNotMatch(slack.screenText('U0ALICE'), /secret value/);

    await postJson(clickUrl(), { delete_original: true });
    assert.equal(slack.ephemeralMessages('U0ALICE')[0]?.deleted, true);
    assert.deepEqual(slack.screen('U0ALICE').ephemerals, []);
  });

  it('for an interaction: replaces the message it came from, even a channel message', async () => {
    const posted = await client.chat.postMessage({ channel: 'C0APPROVALS', text: 'Approve?' });
    const url = slack.newResponseUrl({
      user: 'U0ALICE',
      channel: 'C0APPROVALS',
      sourceMessage: { channel: 'C0APPROVALS', ts: posted.ts! },
    });
    await postJson(url, { replace_original: true, text: 'Approved by alice' });
    assert.deepEqual(
      slack.channelMessages('C0APPROVALS').map((m) => m.text),
      ['Approved by alice'],
    );
  });

  it('posts in_channel replies for everyone, and refuses an empty one with 400 no_text', async () => {
    const url = slack.newResponseUrl({ user: 'U0ALICE', channel: 'C0APPROVALS' });
    await postJson(url, { response_type: 'in_channel', text: 'for all' });
    assert.equal(slack.channelMessages('C0APPROVALS')[0]?.text, 'for all');
    assert.equal(slack.ephemeralMessages().length, 0);
    assert.deepEqual(await postJson(url, { response_type: 'ephemeral' }), { status: 400, text: 'no_text' });
  });
});

describe("a person's screen", () => {
  it('holds their ephemerals, their modal, their Home and their DM, and nobody else’s', async () => {
    await client.chat.postEphemeral({ channel: 'C0APPROVALS', user: 'U0ALICE', text: 'only alice' });
    await client.views.open({
      trigger_id: slack.newTriggerId('U0ALICE'),
      view: { type: 'modal', title: { type: 'plain_text', text: 'Secret' }, blocks: [section('in a modal')] },
    });
    await client.views.publish({ user_id: 'U0ALICE', view: { type: 'home', blocks: [section('at home')] } });
    await client.chat.postMessage({ channel: 'U0ALICE', text: 'a DM' });
    await client.chat.postMessage({ channel: 'C0APPROVALS', text: 'for the channel' });
    const screen = slack.screen('U0ALICE');
    assert.deepEqual(
      screen.ephemerals.map((m) => m.text),
      ['only alice'],
    );
    assert.equal(screen.modal.length, 1);
    assert.ok(screen.home);
    assert.deepEqual(
      screen.dm.map((m) => m.text),
      ['a DM'],
    );
    assert.deepEqual(
      screen.channels.map((m) => m.text),
      ['for the channel'],
    );
    for (const text of ['only alice', 'in a modal', 'at home', 'a DM', 'for the channel'])
      assert.ok(slack.screenText('U0ALICE').includes(text), text);
    const bob = slack.screenText('U0BOB');
    for (const text of ['only alice', 'in a modal', 'at home', 'a DM'])
      assert.ok(!bob.includes(text), `bob does not see "${text}"`);
    assert.ok(!bob.includes('for the channel'), 'bob is not in #approvals');
  });

  it('loses its ephemeral messages when the client reloads; everything else stays', async () => {
    await client.chat.postEphemeral({ channel: 'C0APPROVALS', user: 'U0ALICE', text: 'only alice' });
    await client.chat.postMessage({ channel: 'U0ALICE', text: 'a DM' });
    slack.reloadClient('U0ALICE');
    assert.deepEqual(slack.screen('U0ALICE').ephemerals, []);
    assert.equal(slack.screen('U0ALICE').dm.length, 1);
    await client.chat.postEphemeral({ channel: 'C0APPROVALS', user: 'U0ALICE', text: 'after' });
    assert.deepEqual(
      slack.screen('U0ALICE').ephemerals.map((m) => m.text),
      ['after'],
    );
  });
});

describe('injected failures and reset', () => {
  it('fails the next call of a method once with the given error', async () => {
    slack.failNext('chat.postMessage', 'channel_not_found');
    assert.equal(
      (await slackError(client.chat.postMessage({ channel: 'C0X', text: 'a' }))).error,
      'channel_not_found',
    );
    assert.equal((await client.chat.postMessage({ channel: 'C0X', text: 'b' })).ok, true);
  });

  it('rate limits the next call with HTTP 429 and Retry-After', async () => {
    slack.rateLimitNext('users.info', 7);
    await assert.rejects(
      client.users.info({ user: 'U0ALICE' }),
      (err: { code?: string; retryAfter?: number }) => {
        assert.equal(err.code, 'slack_webapi_rate_limited_error');
        assert.equal(err.retryAfter, 7);
        return true;
      },
    );
    assert.equal(slack.callsTo('users.info')[0]?.status, 429);
    assert.equal((await client.users.info({ user: 'U0ALICE' })).ok, true);
  });

  it('reset forgets calls and messages but keeps people', async () => {
    await client.chat.postMessage({ channel: 'C0X', text: 'a' });
    slack.reset();
    assert.equal(slack.calls.length, 0);
    assert.equal(slack.channelMessages().length, 0);
    assert.equal((await client.users.info({ user: 'U0ALICE' })).ok, true);
  });

  it('waitFor polls until a value appears and names the calls when it times out', async () => {
    setTimeout(() => void client.chat.postMessage({ channel: 'C0X', text: 'later' }), 30);
    const message = await slack.waitFor(() => slack.channelMessages('C0X')[0]);
    assert.equal(message.text, 'later');
    await assert.rejects(
      slack.waitFor(() => undefined, 50),
      /within 50 ms.*chat\.postMessage/,
    );
  });
});

describe('SlackRequestSender against a Bolt app', () => {
  let app: App;
  let sender: SlackRequestSender;
  const closedEvents: Array<{ view: { id: string }; is_cleared: boolean; user: { id: string } }> = [];

  const modalView = {
    type: 'modal' as const,
    callback_id: 'confirm',
    title: { type: 'plain_text' as const, text: 'Confirm' },
    submit: { type: 'plain_text' as const, text: 'Go' },
    blocks: [section('sure?')],
  };

  before(async () => {
    app = new App({
      token: BOT_TOKEN,
      receiver: new HTTPReceiver({ signingSecret: SIGNING_SECRET, logLevel: LogLevel.ERROR }),
      clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } },
      logLevel: LogLevel.ERROR,
    });
    app.command('/echo', async ({ ack, command, respond }) => {
      await ack();
      await respond({
        text: `echo ${command.text}`,
        blocks: [
          section(`echo ${command.text}`),
          {
            type: 'actions',
            block_id: 'controls',
            elements: [
              {
                type: 'button',
                action_id: 'hide',
                value: 'hide-me',
                text: { type: 'plain_text', text: 'Hide' },
              },
            ],
          },
        ],
      });
    });
    app.action('hide', async ({ ack, action, respond }) => {
      await ack();
      await respond({ replace_original: true, text: `hidden (${(action as { value: string }).value})` });
    });
    app.command('/retry', async ({ ack, context, respond }) => {
      await ack();
      await respond(`retry ${String(context.retryNum)} because ${String(context.retryReason)}`);
    });
    app.action('approve', async ({ ack, body, respond }) => {
      await ack();
      await respond({ replace_original: true, text: `approved by ${body.user.id}` });
    });
    app.command('/confirm', async ({ ack, body, client: bolt }) => {
      await ack();
      await bolt.views.open({ trigger_id: body.trigger_id, view: modalView });
    });
    app.view('confirm', async ({ ack }) => {
      await ack();
    });
    app.command('/window', async ({ ack, body, client: bolt }) => {
      await ack();
      await bolt.views.open({
        trigger_id: body.trigger_id,
        view: { ...modalView, callback_id: 'window', notify_on_close: true },
      });
    });
    app.view({ type: 'view_closed', callback_id: 'window' }, async ({ ack, body }) => {
      await ack();
      closedEvents.push(body as (typeof closedEvents)[number]);
    });
    const server = (await app.start(0)) as Server;
    const { port } = server.address() as AddressInfo;
    sender = new SlackRequestSender({
      url: `http://127.0.0.1:${port}/slack/events`,
      signingSecret: SIGNING_SECRET,
      standin: slack,
    });
  });

  after(async () => {
    await app.stop();
  });

  it('signs with Slack’s v0 scheme, which Bolt’s verifier accepts', () => {
    const body = 'token=x&team_id=T1&text=hello';
    const headers = sender.sign(body);
    assert.match(headers['x-slack-signature'], /^v0=[0-9a-f]{64}$/);
    verifySlackRequest({
      signingSecret: SIGNING_SECRET,
      body,
      headers: {
        'x-slack-signature': headers['x-slack-signature'],
        'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
      },
    });
  });

  it('runs a slash command end to end: the reply is ephemeral to the sender', async () => {
    const sent = await sender.slashCommand({ userId: 'U0ALICE', command: '/echo', text: 'hi' });
    assert.equal(sent.status, 200);
    assert.equal(sent.fields['channel_id'], slack.dmChannelFor('U0ALICE'));
    const reply = await slack.waitFor(() => slack.ephemeralMessages('U0ALICE')[0]);
    assert.equal(reply.text, 'echo hi');
    assert.equal(reply.responseUrl, sent.responseUrl);
  });

  it('clicks the button a person sees: the action carries its value and replaces the message', async () => {
    await sender.slashCommand({ userId: 'U0ALICE', command: '/echo', text: 'secret' });
    await slack.waitFor(() => slack.ephemeralMessages('U0ALICE')[0]);
    const click = await sender.blockActions({ userId: 'U0ALICE', actionId: 'hide' });
    assert.equal(click.status, 200);
    const actions = click.payload['actions'] as { value: string; block_id: string }[];
    assert.equal(actions[0]?.value, 'hide-me');
    assert.equal(actions[0]?.block_id, 'controls');
    assert.equal((click.payload['container'] as { is_ephemeral: boolean }).is_ephemeral, true);
    assert.equal(click.payload['message'], undefined, 'Slack sends no message for ephemeral sources');

    const hidden = await slack.waitFor(() =>
      slack.ephemeralMessages('U0ALICE').find((m) => m.replacedCount === 1),
    );
    assert.equal(hidden.text, 'hidden (hide-me)');
    assert.equal(slack.ephemeralMessages('U0ALICE').length, 1, 'replaced, not added');
    await assert.rejects(
      sender.blockActions({ userId: 'U0BOB', actionId: 'hide' }),
      /no message visible to U0BOB/,
    );
  });

  it('clicks a button in a channel message: the payload carries the message, the reply replaces it for all', async () => {
    const button = {
      type: 'button' as const,
      action_id: 'approve',
      value: 'req-1',
      text: { type: 'plain_text' as const, text: 'Approve' },
    };
    await client.chat.postMessage({
      channel: 'C0APPROVALS',
      text: 'Approve?',
      blocks: [{ type: 'actions', block_id: 'decide', elements: [button] }],
    });
    const click = await sender.blockActions({
      userId: 'U0ALICE',
      channelId: 'C0APPROVALS',
      actionId: 'approve',
    });
    assert.equal((click.payload['container'] as { is_ephemeral: boolean }).is_ephemeral, false);
    assert.equal((click.payload['message'] as { text: string }).text, 'Approve?');
    assert.deepEqual(click.payload['channel'], { id: 'C0APPROVALS', name: 'approvals' });
    const updated = await slack.waitFor(() =>
      slack.channelMessages('C0APPROVALS').find((m) => m.history.length > 0),
    );
    assert.equal(updated.text, 'approved by U0ALICE');
    await assert.rejects(
      sender.blockActions({ userId: 'U0BOB', channelId: 'C0APPROVALS', actionId: 'approve' }),
      /no message visible to U0BOB/,
      'bob is not in the channel, so he cannot click there',
    );
  });

  it('marks a request as Slack’s retry with X-Slack-Retry-Num and X-Slack-Retry-Reason', async () => {
    await sender.slashCommand({ userId: 'U0ALICE', command: 'retry', retryNum: 2 });
    const reply = await slack.waitFor(() => slack.ephemeralMessages('U0ALICE')[0]);
    assert.equal(reply.text, 'retry 2 because http_timeout');
  });

  it('opens a modal from a slash command and closes it on a bare ack to the submission', async () => {
    await sender.slashCommand({ userId: 'U0BOB', command: '/confirm' });
    const opened = await slack.waitFor(() => slack.openModalOf('U0BOB', 'confirm'));
    const submitted = await sender.viewSubmission({
      userId: 'U0BOB',
      view: { callback_id: 'confirm', state: { values: {} } },
    });
    assert.equal(submitted.status, 200);
    assert.equal(submitted.viewId, opened.id);
    assert.equal(slack.view(opened.id)?.closed, true);
  });

  it('closes a modal as the person would, and sends view_closed only to a view that asked', async () => {
    await sender.slashCommand({ userId: 'U0BOB', command: '/window' });
    const opened = await slack.waitFor(() => slack.openModalOf('U0BOB', 'window'));
    const result = await sender.closeModal({ userId: 'U0BOB' });
    assert.equal(result.sent?.status, 200);
    assert.deepEqual(
      closedEvents.map((e) => [e.view.id, e.is_cleared, e.user.id]),
      [[opened.id, true, 'U0BOB']],
    );
    assert.equal(slack.view(opened.id)?.closed, true);

    await sender.slashCommand({ userId: 'U0BOB', command: '/confirm' });
    await slack.waitFor(() => slack.openModalOf('U0BOB', 'confirm'));
    const quiet = await sender.closeModal({ userId: 'U0BOB' });
    assert.equal(quiet.closed?.notify, false);
    assert.equal(quiet.sent, undefined, 'no notify_on_close: Slack sends nothing');
    assert.equal(closedEvents.length, 1);
  });

  it('gets 401 for a bad signature or a stale timestamp, and the handler never runs', async () => {
    const bad = await sender.slashCommand({
      userId: 'U0ALICE',
      command: '/echo',
      text: 'x',
      badSignature: true,
    });
    assert.equal(bad.status, 401);
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    const old = await sender.slashCommand({
      userId: 'U0ALICE',
      command: '/echo',
      text: 'x',
      timestampSeconds: stale,
    });
    assert.equal(old.status, 401);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(slack.responseUrlPosts.length, 0);
  });
});
