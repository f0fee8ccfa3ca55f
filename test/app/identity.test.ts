/**
 * Identities that can't be borrowed (issue 14, item 3). Refused before any AWS call: users of
 * another workspace or org (by what users.info says, compared with auth.test), Slack's
 * `is_stranger` users, and email entries of the policy (people and approvers) when Slack has not
 * confirmed the email. A `user_change` event takes a deactivated user's access away at once,
 * whatever `slack.user_cache_seconds` says.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { StandinUser } from '../../devkit/standin-types.js';
import { type Harness, startHarness } from '../support/app-harness.js';
import { answered } from '../support/windows.js';
import { CANARY_PASSWORD, config, seed } from '../support/fixtures.js';

const APPROVALS = 'C0APPROVALS';

/** Everyone here is mapped to 2ndline: only who Slack says they are decides. */
const people: StandinUser[] = [
  { id: 'U0ALICE', name: 'alice', email: 'alice@example.com' },
  { id: 'U0BOB', name: 'bob', email: 'bob@example.com' },
  // A member of another workspace, e.g. through a Slack Connect channel.
  { id: 'U0OTHER', name: 'other', email: 'other@partner.example', team_id: 'T0PARTNER' },
  // Another workspace's user the app only sees through a shared channel.
  { id: 'U0STRANGE', name: 'strange', email: 'strange@example.com', is_stranger: true },
  // Mapped by an email Slack has not confirmed.
  { id: 'U0MALLORY', name: 'mallory', email: 'mallory@example.com', is_email_confirmed: false },
  // An approver listed by email, unconfirmed.
  { id: 'U0TRENT', name: 'trent', email: 'trent@example.com', is_email_confirmed: false },
  // Mapped by Slack ID, with an unconfirmed email: may use locksmith, but not as that email.
  { id: 'U0PEGGY', name: 'peggy', email: 'peggy@example.com', is_email_confirmed: false },
  // The same person as mallory, confirmed: the email entry works.
  { id: 'U0VICTOR', name: 'victor', email: 'victor@example.com' },
];

const identityConfig = {
  ...config,
  people: {
    U0ALICE: ['2ndline'],
    U0OTHER: ['2ndline'],
    U0STRANGE: ['2ndline'],
    'mallory@example.com': ['2ndline'],
    U0PEGGY: ['2ndline'],
    'victor@example.com': ['2ndline'],
  },
  groups: {},
  reveal: { ttl_seconds: 60 },
  // Long, so that only an event can take a cached person's access away at once.
  slack: { user_cache_seconds: 3600 },
  approvals: {
    channel: APPROVALS,
    approvers: { people: ['U0BOB', 'trent@example.com'] },
    guarded_secrets: ['prod/*'],
  },
};

let h: Harness;

before(async () => {
  h = await startHarness({ config: identityConfig, seed, users: people, enforceIam: true });
});
after(async () => {
  await h?.stop();
});

/** /secret get as `userId`; what its window showed (the value, or the refusal). */
async function get(userId: string, name = '2ndline/plain') {
  const sent = await h.sender.slashCommand({ userId, command: '/secret', text: `get ${name}` });
  assert.equal(sent.status, 200);
  return answered(h.slack, sent);
}

/** Until no AWS call has come for a while: work a reply started after it was sent (notify-on-view). */
async function awsQuiet(quietMs = 300): Promise<void> {
  let seen = -1;
  while (h.aws.calls.length !== seen) {
    seen = h.aws.calls.length;
    await new Promise((r) => setTimeout(r, quietMs));
  }
}

describe('who may act', () => {
  it('refuses a member of another workspace (users.info team_id is not auth.test team_id), with no AWS call', async () => {
    await awsQuiet();
    h.aws.clear();
    const reply = await get('U0OTHER');
    assert.match(reply, /only acts for members of the workspace it is installed in/);
    assert.ok(!reply.includes(CANARY_PASSWORD));
    assert.equal(h.aws.calls.length, 0);
    // A reveal's audit event is written once the window answered (reveal/reveal-flow.ts).
    const refused = await h.slack.waitFor(
      () => h.auditEvents().find((e) => e.reason === 'foreign_user'),
      5_000,
    );
    assert.equal(refused.outcome, 'refused', 'audited as refused');
  });

  it('refuses a user Slack marks is_stranger, with no AWS call', async () => {
    await awsQuiet();
    h.aws.clear();
    const reply = await get('U0STRANGE');
    assert.match(reply, /only acts for members of the workspace it is installed in/);
    assert.equal(h.aws.calls.length, 0);
  });

  it('does not match an email entry of the policy to an unconfirmed email, and says why; no AWS call', async () => {
    await awsQuiet();
    h.aws.clear();
    const reply = await get('U0MALLORY');
    assert.match(reply, /Slack has not confirmed your email address/);
    assert.ok(!reply.includes(CANARY_PASSWORD));
    assert.equal(h.aws.calls.length, 0);
    // The same kind of entry, confirmed: served.
    assert.ok((await get('U0VICTOR')).includes(CANARY_PASSWORD));
  });

  it('uses an unconfirmed email neither as the STS SourceIdentity nor in the audit trail', async () => {
    h.aws.clear();
    assert.ok((await get('U0PEGGY')).includes(CANARY_PASSWORD), 'mapped by Slack ID: served');
    const [assume] = h.aws.callsOf('AssumeRole');
    assert.ok(assume);
    assert.equal(assume.params.SourceIdentity, 'U0PEGGY', 'the Slack ID, not the unconfirmed email');
    const reveal = h.auditEvents().findLast((e) => e.action === 'secret.reveal');
    assert.ok(!JSON.stringify(reveal).includes('peggy@example.com'));
  });

  it('does not take an approver listed by an unconfirmed email as an approver', async () => {
    const sent = await h.sender.slashCommand({ userId: 'U0ALICE', command: '/secret', text: 'get prod/db' });
    assert.equal(sent.status, 200);
    const modal = await h.slack.waitFor(() => h.slack.openModalOf('U0ALICE', 'approval_request_reason'));
    await h.sender.viewSubmission({
      userId: 'U0ALICE',
      view: {
        id: modal.id,
        callback_id: 'approval_request_reason',
        state: { values: { approval_reason: { reason: { type: 'plain_text_input', value: 'INC-1' } } } },
      },
    });
    const message = await h.slack.waitFor(() => h.slack.channelMessages(APPROVALS)[0]);
    const click = await h.sender.blockActions({
      userId: 'U0TRENT',
      actionId: 'approval_approve',
      channelId: APPROVALS,
      messageTs: message.ts,
    });
    assert.equal(click.status, 200);
    const refusal = await h.slack.waitFor(() =>
      h.slack.responseUrlPosts.find((p) => p.url === click.responseUrl && p.status === 200),
    );
    assert.match(JSON.stringify(refusal.body), /Only approvers/);
    const after = h.slack.channelMessages(APPROVALS).find((m) => m.ts === message.ts)!;
    assert.match(JSON.stringify(after.blocks), /approval_approve/, 'still open: no decision was made');
    assert.doesNotMatch(JSON.stringify(after.blocks), /Approved by/);
  });

  it('takes a deactivated user’s access away at once on user_change, not after the cache time', async () => {
    assert.ok((await get('U0ALICE')).includes(CANARY_PASSWORD), 'served, and now cached for an hour');
    await awsQuiet();
    h.slack.updateUser('U0ALICE', { deleted: true });
    await h.slack.eventsDelivered();
    h.aws.clear();
    const reply = await get('U0ALICE');
    assert.match(reply, /deactivated/);
    assert.ok(!reply.includes(CANARY_PASSWORD));
    assert.equal(h.aws.calls.length, 0, 'no AWS call for a deactivated user');
    h.slack.updateUser('U0ALICE', { deleted: false });
    await h.slack.eventsDelivered();
  });

  it('drops a person on team_join too (an account joining again is looked up afresh)', async () => {
    const before = h.slack.callsTo('users.info').filter((c) => c.args['user'] === 'U0NEWBIE').length;
    h.slack.addUser({ id: 'U0NEWBIE', name: 'newbie', email: 'newbie@example.com' });
    await h.slack.eventsDelivered();
    assert.match(await get('U0NEWBIE'), /no locksmith role yet/);
    assert.ok(h.slack.callsTo('users.info').filter((c) => c.args['user'] === 'U0NEWBIE').length > before);
  });
});

describe('Enterprise Grid', () => {
  const ORG = 'E0ORG';
  const gridPeople: StandinUser[] = [
    // Home workspace elsewhere in the org, but also a member of the installed workspace.
    {
      id: 'W0IN',
      name: 'inside',
      email: 'in@example.com',
      team_id: 'T0SISTER',
      enterprise_user: { enterprise_id: ORG, teams: ['T0SISTER', 'T0STANDIN'] },
    },
    // Another workspace of the same org only.
    {
      id: 'W0SISTER',
      name: 'sister',
      email: 'sister@example.com',
      team_id: 'T0SISTER',
      enterprise_user: { enterprise_id: ORG, teams: ['T0SISTER'] },
    },
    // Another org altogether.
    {
      id: 'W0OUT',
      name: 'outside',
      email: 'out@example.com',
      team_id: 'T0ELSE',
      enterprise_user: { enterprise_id: 'E0ELSE', teams: ['T0ELSE'] },
    },
  ];
  const gridConfig = (orgId?: string) => ({
    ...config,
    people: { W0IN: ['2ndline'], W0SISTER: ['2ndline'], W0OUT: ['2ndline'] },
    groups: {},
    access: { contact: '#platform-help', ...(orgId ? { enterprise_id: orgId } : {}) },
  });

  async function replyTo(g: Harness, userId: string): Promise<string> {
    const sent = await g.sender.slashCommand({ userId, command: '/secret', text: 'get 2ndline/plain' });
    return answered(g.slack, sent);
  }

  it('without access.enterprise_id: members of the installed workspace only', async () => {
    const g = await startHarness({
      config: gridConfig(),
      seed,
      users: gridPeople,
      enterpriseId: ORG,
      moto: h.moto,
    });
    try {
      assert.ok((await replyTo(g, 'W0IN')).includes(CANARY_PASSWORD));
      assert.match(await replyTo(g, 'W0SISTER'), /only acts for members of the workspace/);
      assert.match(await replyTo(g, 'W0OUT'), /only acts for members of the workspace/);
    } finally {
      await g.stop();
    }
  });

  it('with access.enterprise_id: every member of that org, and still nobody else', async () => {
    const g = await startHarness({
      config: gridConfig(ORG),
      seed,
      users: gridPeople,
      enterpriseId: ORG,
      moto: h.moto,
    });
    try {
      assert.ok((await replyTo(g, 'W0SISTER')).includes(CANARY_PASSWORD));
      assert.match(await replyTo(g, 'W0OUT'), /only acts for members of the workspace/);
    } finally {
      await g.stop();
    }
  });
});
