/**
 * The App Home tab end to end over HTTP: signed `app_home_opened` events and clicks inside the
 * published Home, against the Slack stand-in and moto.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MotoServer } from '../../devkit/moto.js';
import type { StandinView } from '../../devkit/standin-types.js';
import { type Harness, startHarness } from '../support/app-harness.js';
import { config, seed, usergroups, users } from '../support/fixtures.js';
import { startTestMoto } from '../support/moto.js';

const APPROVALS = 'C0APPROVALS';
const OTHER_ACCOUNT_ROLE = 'arn:aws:iam::210987654321:role/locksmith-audit';
let now = Date.parse('2026-11-23T09:00:00Z');
const clock = { now: () => now };
let moto: MotoServer;

const homeConfig = {
  ...config,
  roles: { ...config.roles, audit: OTHER_ACCOUNT_ROLE },
  people: { ...config.people, U0BOB: ['nothing', '2ndline', 'audit'] },
};
const homeUsers = [...users, { id: 'U0DAVE', name: 'dave', email: 'dave@example.com' }];

before(async () => {
  moto = await startTestMoto();
});
after(async () => {
  await moto?.stop();
});

function text(value: unknown): string {
  return JSON.stringify(value);
}

/** The person's Home as the stand-in holds it now. */
function homeOf(h: Harness, user: string): StandinView | undefined {
  return h.slack.views(user).find((v) => v.type === 'home');
}

function publishesFor(h: Harness, user: string) {
  return h.slack.callsTo('views.publish').filter((c) => c.args['user_id'] === user && c.response['ok']);
}

/** Opens the Home tab and waits for the views.publish it causes. */
async function openHome(h: Harness, user: string): Promise<StandinView> {
  const before = publishesFor(h, user).length;
  const sent = await h.sender.appHomeOpened({ userId: user });
  assert.equal(sent.status, 200);
  await h.slack.waitFor(() => publishesFor(h, user).length > before);
  return homeOf(h, user)!;
}

describe('with approvals', () => {
  let h: Harness;

  before(async () => {
    h = await startHarness({
      moto,
      config: {
        ...homeConfig,
        approvals: {
          channel: APPROVALS,
          approvers: { people: ['U0BOB'], groups: ['leads'] },
          guarded_secrets: ['prod/*'],
          reveal_grant_minutes: 10,
        },
      },
      seed,
      users: homeUsers,
      usergroups: [...usergroups, { id: 'S0LEADS', handle: 'leads', name: 'Leads', users: ['U0DAVE'] }],
      clock,
    });
  });
  after(async () => {
    await h?.stop();
  });

  /** alice asks for prod/db: the reason modal, then the request in the approvals channel. */
  async function requestReveal(reason: string): Promise<{ ts: string; approvalId: string }> {
    await h.sender.slashCommand({ userId: 'U0ALICE', command: '/secret', text: 'get prod/db' });
    const modal = await h.slack.waitFor(() => h.slack.openModalOf('U0ALICE', 'approval_request_reason'));
    const before = h.slack.channelMessages(APPROVALS).length;
    await h.sender.viewSubmission({
      userId: 'U0ALICE',
      view: {
        id: modal.id,
        callback_id: 'approval_request_reason',
        state: { values: { approval_reason: { reason: { type: 'plain_text_input', value: reason } } } },
      },
    });
    const message = await h.slack.waitFor(() => h.slack.channelMessages(APPROVALS)[before]);
    const m = /"action_id":"approval_approve","value":"([^"]+)"/.exec(text(message.blocks));
    assert.ok(m, 'the request has an Approve button');
    return { ts: message.ts, approvalId: m[1]! };
  }

  function channelMessage(ts: string) {
    return h.slack.channelMessages(APPROVALS).find((m) => m.ts === ts)!;
  }

  it('publishes the Home with the person’s roles, account ids and default, without any AWS call', async () => {
    h.aws.clear();
    const sent = await h.sender.appHomeOpened({ userId: 'U0BOB' });
    assert.equal(sent.status, 200);
    assert.equal(sent.envelope['type'], 'event_callback');
    const call = await h.slack.waitFor(() => publishesFor(h, 'U0BOB')[0]);
    const view = call.args['view'] as { type: string; blocks: unknown[] };
    assert.equal(view.type, 'home');
    const shown = text(view.blocks);
    assert.match(shown, /`nothing` · account `123456789012` · _default_/);
    assert.match(shown, /`2ndline` · account `123456789012`/);
    assert.match(shown, /`audit` · account `210987654321`/);
    assert.match(shown, /\/secret get NAME/);
    assert.match(shown, /\/totp NAME/);
    assert.deepEqual(h.aws.calls, [], 'the Home costs no AWS call');
  });

  it('publishes nothing when the Messages tab is opened', async () => {
    const before = h.slack.callsTo('views.publish').length;
    const sent = await h.sender.appHomeOpened({ userId: 'U0CAROL', tab: 'messages' });
    assert.equal(sent.status, 200);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(h.slack.callsTo('views.publish').length, before);
  });

  it('shows a person without a role the friendly refusal, and makes no AWS call', async () => {
    h.aws.clear();
    const stranger = text((await openHome(h, 'U0STRANGER')).view);
    assert.match(stranger, /You have no locksmith role yet\. Ask #platform-help/);
    assert.doesNotMatch(stranger, /account `/);
    const guest = text((await openHome(h, 'U0GUEST')).view);
    assert.match(guest, /Guest and bot accounts can't use locksmith/);
    const gone = text((await openHome(h, 'U0GONE')).view);
    assert.match(gone, /deactivated/);
    assert.doesNotMatch(gone + guest, /approval_approve/);
    assert.deepEqual(h.aws.calls, []);
  });

  it('shows a requester their own pending request, with where it is and when it expires', async () => {
    const { approvalId } = await requestReveal('INC-7: need the DB password');
    const home = text((await openHome(h, 'U0ALICE')).view);
    assert.match(home, /Your open requests/);
    assert.match(home, /\*reveal a guarded secret\* `prod\/db`/);
    assert.match(home, /expires <!date\^/);
    assert.match(home, /in <#C0APPROVALS>/);
    assert.ok(!home.includes(`"value":"${approvalId}"`), 'no decision buttons on one’s own request');
    assert.doesNotMatch(home, /Waiting for your decision/, 'alice is not an approver');
  });

  it('lets an approver approve from the Home: the request is decided and the Home republished without it', async () => {
    const { ts, approvalId } = await requestReveal('INC-8: <!channel> rotate');
    const home = await openHome(h, 'U0BOB');
    const shown = text(home.view);
    assert.match(shown, /Waiting for your decision/);
    assert.match(shown, /<@U0ALICE> wants to \*reveal a guarded secret\* `prod\/db`/);
    assert.match(shown, /INC-8: &lt;!channel&gt; rotate/, 'the reason is escaped');
    assert.ok(shown.includes(`"value":"${approvalId}"`));

    const publishes = publishesFor(h, 'U0BOB').length;
    const dms = h.slack.channelMessages(h.slack.dmChannelFor('U0ALICE')).length;
    const click = await h.sender.blockActions({
      userId: 'U0BOB',
      actionId: 'approval_approve',
      view: { id: home.id },
      blockId: `home_decision_${approvalId}`,
    });
    assert.equal(click.status, 200);
    assert.equal(click.responseUrl, undefined, 'a Home click has no response_url');
    assert.deepEqual(click.payload['container'], { type: 'view', view_id: home.id });

    await h.slack.waitFor(() => /Approved by <@U0BOB>/.test(text(channelMessage(ts).blocks)));
    await h.slack.waitFor(() => publishesFor(h, 'U0BOB').length > publishes);
    const after = text(homeOf(h, 'U0BOB')!.view);
    assert.ok(!after.includes(approvalId), 'the decided request left the Home');
    await h.slack.waitFor(() =>
      h.slack
        .channelMessages(h.slack.dmChannelFor('U0ALICE'))
        .slice(dms)
        .find((m) => /approval_use_grant/.test(text(m.blocks))),
    );
    assert.ok(h.auditEvents().some((e) => e.action === 'approval.decided' && e.approval_id === approvalId));
  });

  it('lets an approver reject from the Home with a reason, then republishes the Home', async () => {
    const { ts, approvalId } = await requestReveal('INC-9');
    const home = await openHome(h, 'U0DAVE');
    assert.ok(text(home.view).includes(`"value":"${approvalId}"`));
    const publishes = publishesFor(h, 'U0DAVE').length;
    await h.sender.blockActions({
      userId: 'U0DAVE',
      actionId: 'approval_reject',
      view: { id: home.id },
      blockId: `home_decision_${approvalId}`,
    });
    const modal = await h.slack.waitFor(() => h.slack.openModalOf('U0DAVE', 'approval_decision_reason'));
    await h.sender.viewSubmission({
      userId: 'U0DAVE',
      view: {
        id: modal.id,
        callback_id: 'approval_decision_reason',
        state: {
          values: { approval_reason: { reason: { type: 'plain_text_input', value: 'use the runbook' } } },
        },
      },
    });
    await h.slack.waitFor(() => /Rejected by <@U0DAVE>/.test(text(channelMessage(ts).blocks)));
    await h.slack.waitFor(() => publishesFor(h, 'U0DAVE').length > publishes);
    assert.ok(!text(homeOf(h, 'U0DAVE')!.view).includes(approvalId));
  });

  it('tells the clicker by DM when a click from a stale Home is refused, and refreshes that Home', async () => {
    const { ts, approvalId } = await requestReveal('INC-10');
    const stale = await openHome(h, 'U0DAVE');
    // bob decides first, from the channel.
    await h.sender.blockActions({
      userId: 'U0BOB',
      actionId: 'approval_approve',
      channelId: APPROVALS,
      messageTs: ts,
    });
    await h.slack.waitFor(() => /Approved by <@U0BOB>/.test(text(channelMessage(ts).blocks)));
    const dms = h.slack.channelMessages(h.slack.dmChannelFor('U0DAVE')).length;
    const publishes = publishesFor(h, 'U0DAVE').length;
    await h.sender.blockActions({
      userId: 'U0DAVE',
      actionId: 'approval_approve',
      view: { id: stale.id },
      blockId: `home_decision_${approvalId}`,
    });
    const dm = await h.slack.waitFor(() => h.slack.channelMessages(h.slack.dmChannelFor('U0DAVE'))[dms]);
    assert.match(text(dm.blocks), /already approved by <@U0BOB>/);
    await h.slack.waitFor(() => publishesFor(h, 'U0DAVE').length > publishes);
    assert.ok(!text(homeOf(h, 'U0DAVE')!.view).includes(approvalId));
  });

  it('leaves requests past their expiry out, even before the scheduler marks them expired', async () => {
    const { approvalId } = await requestReveal('INC-11');
    now += 31 * 60_000;
    const home = text((await openHome(h, 'U0BOB')).view);
    assert.ok(!home.includes(approvalId));
  });
});

describe('without approvals in config', () => {
  let h: Harness;

  before(async () => {
    h = await startHarness({ moto, config: homeConfig, seed, users: homeUsers, usergroups, clock });
  });
  after(async () => {
    await h?.stop();
  });

  it('shows roles and how to use /secret and /totp, and no request lists', async () => {
    h.aws.clear();
    const home = text((await openHome(h, 'U0ALICE')).view);
    assert.match(home, /`2ndline` · account `123456789012` · _default_/);
    assert.match(home, /\/secret get NAME/);
    assert.match(home, /\/totp NAME/);
    assert.doesNotMatch(home, /open requests|Waiting for your decision|approval_approve/);
    assert.deepEqual(h.aws.calls, []);
  });
});

describe('with key rotations in progress', () => {
  let h: Harness;

  before(async () => {
    h = await startHarness({
      moto,
      config: {
        ...homeConfig,
        rotation: {
          notify_channel: 'C0SECONDLINE',
          approvals: {
            require_for_delete_extra: false,
            require_for_deactivate: false,
            require_for_delete: false,
          },
        },
      },
      seed,
      users: homeUsers,
      usergroups,
      clock,
    });
    const role = { name: '2ndline', arn: homeConfig.roles['2ndline'] };
    const records = [
      { id: 'rot_D0ALICE_1795414935.000100', user: 'svc-mail', state: 'switch-over', by: 'U0ALICE' },
      { id: 'rot_D0ALICE_1795414936.000100', user: 'svc-done', state: 'done', by: 'U0ALICE' },
      { id: 'rot_D0BOB_1795414937.000100', user: 'svc-bob', state: 'grace', by: 'U0BOB' },
    ];
    for (const r of records) {
      await h.deps.store.create(
        {
          kind: 'rotation',
          id: r.id,
          state: r.state,
          owner: r.by,
          data: {
            id: r.id,
            role,
            userName: r.user,
            requester: { slackId: r.by, teamId: 'T0TEAM' },
            state: r.state,
            createdAt: now - 3_600_000,
          },
        },
        now,
      );
    }
  });
  after(async () => {
    await h?.stop();
  });

  it('lists only the person’s own rotations that are not finished, with a link to the DM', async () => {
    h.aws.clear();
    const home = text((await openHome(h, 'U0ALICE')).view);
    assert.match(home, /Your key rotations in progress/);
    assert.match(home, /`svc-mail`: _waiting for the switch-over_ · role `2ndline`/);
    assert.match(home, /app_redirect\?channel=D0ALICE/);
    assert.doesNotMatch(home, /svc-done|svc-bob/);
    assert.deepEqual(h.aws.calls, []);
    const dave = text((await openHome(h, 'U0DAVE')).view);
    assert.doesNotMatch(dave, /key rotations in progress/, 'no roles, no rotations list');
  });
});
