/**
 * Approvals and guarded reveals end to end over HTTP, against the Slack stand-in and moto.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Harness, startHarness } from '../support/app-harness.js';
import { hiddenWindow, shownIn } from '../support/windows.js';
import { CANARY_PASSWORD, config, seed, usergroups, users } from '../support/fixtures.js';

const APPROVALS = 'C0APPROVALS';
let now = Date.parse('2026-11-23T09:00:00Z');
const clock = { now: () => now };
let h: Harness;

before(async () => {
  h = await startHarness({
    config: {
      ...config,
      approvals: {
        channel: APPROVALS,
        approvers: { people: ['U0BOB', 'carol@example.com'], groups: ['leads'] },
        guarded_secrets: ['prod/*'],
        break_glass: true,
        reveal_grant_minutes: 10,
      },
    },
    seed: {
      ...seed,
      secrets: [
        ...(seed.secrets ?? []),
        {
          name: 'prod/otp',
          value: { '2fa-seed': 'otpauth://totp/Vendor:ops?secret=JBSWY3DPEHPK3PXP&issuer=Vendor' },
        },
      ],
    },
    users: [
      ...users,
      { id: 'U0DAVE', name: 'dave', email: 'dave@example.com' },
      { id: 'U0ERIN', name: 'erin', email: 'erin@example.com' },
    ],
    usergroups: [
      ...usergroups,
      { id: 'S0LEADS', handle: 'leads', name: 'Leads', users: ['U0DAVE', 'U0ERIN'] },
    ],
    clock,
  });
});
after(async () => {
  await h?.stop();
});

/** alice asks for prod/db: the command opens the reason modal, the submission posts the request. */
async function requestReveal(reason = 'INC-42: the DB is down') {
  const sent = await h.sender.slashCommand({ userId: 'U0ALICE', command: '/secret', text: 'get prod/db' });
  assert.equal(sent.status, 200);
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
  const confirm = await h.slack.waitFor(() =>
    h.slack.responseUrlPosts.find((p) => p.url === sent.responseUrl),
  );
  return { message, confirm, approvalId: approvalIdOf(message) };
}

function approvalIdOf(message: { blocks?: unknown[] }): string {
  const m = /"action_id":"approval_approve","value":"([^"]+)"/.exec(JSON.stringify(message.blocks));
  assert.ok(m, 'the request has an Approve button');
  return m[1]!;
}

async function click(userId: string, actionId: string, messageTs: string, channelId = APPROVALS) {
  const res = await h.sender.blockActions({ userId, actionId, channelId, messageTs });
  assert.equal(res.status, 200);
  return res;
}

function channelMessage(ts: string) {
  return h.slack.channelMessages(APPROVALS).find((m) => m.ts === ts)!;
}

function dmsTo(user: string) {
  return h.slack.channelMessages(h.slack.dmChannelFor(user));
}

async function ephemeralReplyTo(res: { responseUrl?: string }) {
  return h.slack.waitFor(() =>
    h.slack.responseUrlPosts.find((p) => p.url === res.responseUrl && p.status === 200),
  );
}

describe('guarded reveal', () => {
  it('goes request → channel message → approval → DM with a button (no value) → modal with the value, once', async () => {
    h.aws.clear();
    const { message, confirm } = await requestReveal();
    assert.equal(h.aws.callsOf('GetSecretValue').length, 0, 'nothing is read before approval');
    const posted = JSON.stringify(message.blocks);
    assert.match(posted, /<@U0ALICE>/);
    assert.match(posted, /reveal a guarded secret/);
    assert.match(posted, /prod\/db/);
    assert.match(posted, /INC-42: the DB is down/);
    assert.match(JSON.stringify(confirm.body), /Asked for approval in <#C0APPROVALS>/);

    // The requester cannot approve their own request.
    const self = await click('U0ALICE', 'approval_approve', message.ts);
    assert.match(JSON.stringify((await ephemeralReplyTo(self)).body), /cannot approve your own request/);
    // Nor can someone who is not an approver.
    const stranger = await click('U0STRANGER', 'approval_approve', message.ts);
    assert.match(JSON.stringify((await ephemeralReplyTo(stranger)).body), /Only approvers/);
    assert.match(JSON.stringify(channelMessage(message.ts).blocks), /approval_approve/, 'still open');

    await click('U0BOB', 'approval_approve', message.ts);
    const updated = await h.slack.waitFor(() => {
      const m = channelMessage(message.ts);
      return /Approved by <@U0BOB>/.test(JSON.stringify(m.blocks)) ? m : undefined;
    });
    assert.doesNotMatch(JSON.stringify(updated.blocks), /approval_approve/, 'the buttons are gone');

    const dm = await h.slack.waitFor(() =>
      dmsTo('U0ALICE').find((m) => /approval_use_grant/.test(JSON.stringify(m.blocks))),
    );
    assert.ok(!JSON.stringify(dm).includes(CANARY_PASSWORD), 'the DM holds no value');

    const use = await h.sender.blockActions({
      userId: 'U0ALICE',
      actionId: 'approval_use_grant',
      channelId: dm.channel,
      messageTs: dm.ts,
    });
    const shown = await shownIn(h.slack, use.triggerId);
    assert.ok(shown.json.includes(CANARY_PASSWORD), 'the window shows the value');
    assert.match(shown.json, /approved by <@U0BOB>/);
    assert.match(shown.json, /"notify_on_close":true/);
    // It hides itself like any reveal window: nothing on alice's screen holds the value after.
    await hiddenWindow(h.slack, shown.viewId);
    assert.ok(!h.slack.screenText('U0ALICE').includes(CANARY_PASSWORD));
    await h.slack.waitFor(() =>
      h.auditEvents().find((e) => e.action === 'secret.hide' && e.target === 'prod/db' && e.outcome === 'ok'),
    );
    const read = h.aws.callsOf('GetSecretValue');
    assert.equal(read.length, 1, 'read once, at the click');
    assert.notEqual(
      read[0]!.accessKeyId,
      h.seeded.botCredentials!.accessKeyId,
      'under the requester session',
    );
    await h.slack.waitFor(() =>
      /used/.test(JSON.stringify(dmsTo('U0ALICE').find((m) => m.ts === dm.ts)?.blocks)) ? true : undefined,
    );

    // The button works once.
    const viewsBefore = h.slack.views('U0ALICE').length;
    await h.sender.blockActions({
      userId: 'U0ALICE',
      actionId: 'approval_use_grant',
      channelId: dm.channel,
      messageTs: dm.ts,
      value: JSON.parse(JSON.stringify(dm.blocks)).find((b: { type: string }) => b.type === 'actions')
        ?.elements?.[0]?.value,
    });
    const second = await h.slack.waitFor(() => {
      const v = h.slack
        .views('U0ALICE')
        .slice(viewsBefore)
        .find((x) => /already been used/.test(JSON.stringify(x.view)));
      return v;
    });
    assert.ok(!JSON.stringify(second.view).includes(CANARY_PASSWORD));
    assert.equal(h.aws.callsOf('GetSecretValue').length, 1);

    const events = h.auditEvents();
    assert.ok(events.some((e) => e.action === 'approval.requested' && e.note === 'INC-42: the DB is down'));
    assert.ok(
      events.some(
        (e) =>
          e.action === 'approval.decided' &&
          e.outcome === 'approved' &&
          (e.person as { slack_id: string }).slack_id === 'U0BOB',
      ),
    );
    assert.ok(
      events.some(
        (e) => e.action === 'secret.reveal' && e.outcome === 'ok' && typeof e.approval_id === 'string',
      ),
    );
  });

  it('/totp on a guarded secret asks for approval too, and the approved window shows the code', async () => {
    h.aws.clear();
    const sent = await h.sender.slashCommand({ userId: 'U0ALICE', command: '/totp', text: 'prod/otp' });
    assert.equal(sent.status, 200);
    const modal = await h.slack.waitFor(() => h.slack.openModalOf('U0ALICE', 'approval_request_reason'));
    assert.equal(h.aws.callsOf('GetSecretValue').length, 0);
    const before = h.slack.channelMessages(APPROVALS).length;
    await h.sender.viewSubmission({
      userId: 'U0ALICE',
      view: {
        id: modal.id,
        callback_id: 'approval_request_reason',
        state: {
          values: { approval_reason: { reason: { type: 'plain_text_input', value: 'vendor login' } } },
        },
      },
    });
    const message = await h.slack.waitFor(() => h.slack.channelMessages(APPROVALS)[before]);
    await click('U0DAVE', 'approval_approve', message.ts);
    const dm = await h.slack.waitFor(() =>
      dmsTo('U0ALICE').findLast(
        (m) =>
          /approval_use_grant/.test(JSON.stringify(m.blocks)) && /prod\/otp/.test(JSON.stringify(m.blocks)),
      ),
    );
    const use = await h.sender.blockActions({
      userId: 'U0ALICE',
      actionId: 'approval_use_grant',
      channelId: dm.channel,
      messageTs: dm.ts,
    });
    const shown = await shownIn(h.slack, use.triggerId);
    assert.match(shown.json, /next code/);
    assert.ok(!shown.json.includes('JBSWY3DPEHPK3PXP'), 'the seed is never shown');
    assert.doesNotMatch(shown.json, /totp_refresh/, 'an approved one-off has no Refresh');
    // A forged Refresh in that window (any non-approved read) refuses the guarded secret.
    await h.sender.blockActions({
      userId: 'U0ALICE',
      actionId: 'totp_refresh',
      view: { id: shown.viewId },
      value: JSON.stringify({ s: 'prod/otp' }),
    });
    await h.slack.waitFor(() =>
      /guarded/.test(JSON.stringify(h.slack.view(shown.viewId)?.view)) ? true : undefined,
    );
  });
});

describe('approval rules at the moment of the click', () => {
  it('two approvers racing (and a double click) give exactly one decision', async () => {
    const { message, approvalId } = await requestReveal('race');
    const clicks = await Promise.all([
      click('U0BOB', 'approval_approve', message.ts),
      click('U0DAVE', 'approval_approve', message.ts),
      click('U0BOB', 'approval_approve', message.ts),
    ]);
    const final = await h.slack.waitFor(() => {
      const m = channelMessage(message.ts);
      return /Approved by/.test(JSON.stringify(m.blocks)) ? m : undefined;
    });
    await new Promise((r) => setTimeout(r, 300));
    const decided = h
      .auditEvents()
      .filter(
        (e) => e.action === 'approval.decided' && e.approval_id === approvalId && e.outcome === 'approved',
      );
    assert.equal(decided.length, 1, 'one decision recorded');
    const refusals = await Promise.all(
      clicks.map((c) =>
        h.slack
          .waitFor(() => h.slack.responseUrlPosts.find((p) => p.url === c.responseUrl))
          .catch(() => undefined),
      ),
    );
    assert.equal(refusals.filter(Boolean).length, 2, 'the two losers are told');
    const grants = dmsTo('U0ALICE').filter(
      (m) =>
        JSON.stringify(m.blocks).includes('approval_use_grant') &&
        JSON.stringify(m.blocks).includes(final.ts) === false,
    );
    assert.ok(grants.length >= 1);
  });

  it('refuses an approver removed from the group between request and click', async () => {
    const { message } = await requestReveal('erin leaves');
    h.slack.setUsergroupUsers('leads', ['U0DAVE']);
    try {
      const res = await click('U0ERIN', 'approval_approve', message.ts);
      assert.match(JSON.stringify((await ephemeralReplyTo(res)).body), /Only approvers/);
      assert.match(JSON.stringify(channelMessage(message.ts).blocks), /approval_approve/, 'still open');
    } finally {
      h.slack.setUsergroupUsers('leads', ['U0DAVE', 'U0ERIN']);
    }
  });

  it('accepts an approver named by email', async () => {
    const { message } = await requestReveal('carol by email');
    await click('U0CAROL', 'approval_approve', message.ts);
    await h.slack.waitFor(() =>
      /Approved by <@U0CAROL>/.test(JSON.stringify(channelMessage(message.ts).blocks)) ? true : undefined,
    );
  });

  it('rejects with a reason, shown in the channel and told to the requester', async () => {
    const { message } = await requestReveal('please');
    const dmBefore = dmsTo('U0ALICE').length;
    const res = await click('U0DAVE', 'approval_reject', message.ts);
    assert.equal(res.status, 200);
    const modal = await h.slack.waitFor(() => h.slack.openModalOf('U0DAVE', 'approval_decision_reason'));
    await h.sender.viewSubmission({
      userId: 'U0DAVE',
      view: {
        id: modal.id,
        callback_id: 'approval_decision_reason',
        state: {
          values: {
            approval_reason: { reason: { type: 'plain_text_input', value: 'use the runbook <!channel>' } },
          },
        },
      },
    });
    const m = await h.slack.waitFor(() => {
      const x = channelMessage(message.ts);
      return /Rejected by <@U0DAVE>/.test(JSON.stringify(x.blocks)) ? x : undefined;
    });
    const text = JSON.stringify(m.blocks);
    assert.match(text, /use the runbook &lt;!channel&gt;/, 'the reason is escaped');
    assert.doesNotMatch(text, /<!channel>/);
    await h.slack.waitFor(() => (dmsTo('U0ALICE').length > dmBefore ? true : undefined));
    assert.match(JSON.stringify(dmsTo('U0ALICE').at(-1)?.blocks), /Rejected/);
  });

  it('expires unanswered requests: the scheduler updates the message, and a late click is refused', async () => {
    const { message, approvalId } = await requestReveal('slow');
    now += 31 * 60_000;
    await h.app.scheduler.tick();
    const m = channelMessage(message.ts);
    assert.match(JSON.stringify(m.blocks), /Expired/);
    assert.doesNotMatch(JSON.stringify(m.blocks), /approval_approve/, 'the buttons are gone');
    // A click on the old request (a stale client, a forged payload) is refused.
    const res = await h.sender.blockActions({
      userId: 'U0BOB',
      actionId: 'approval_approve',
      channelId: APPROVALS,
      messageTs: message.ts,
      value: approvalId,
    });
    assert.match(JSON.stringify((await ephemeralReplyTo(res)).body), /already expired/);
  });

  it('expiry is enforced at the click even before the scheduler runs', async () => {
    const { message } = await requestReveal('slow 2');
    now += 31 * 60_000;
    const res = await click('U0BOB', 'approval_approve', message.ts);
    assert.match(JSON.stringify((await ephemeralReplyTo(res)).body), /expired/);
    await h.slack.waitFor(() =>
      /Expired/.test(JSON.stringify(channelMessage(message.ts).blocks)) ? true : undefined,
    );
  });

  it('break-glass: the requester approves with a mandatory reason and every approver is told at once', async () => {
    const { message } = await requestReveal('3am outage');
    await click('U0ALICE', 'approval_break_glass', message.ts);
    const modal = await h.slack.waitFor(() => h.slack.openModalOf('U0ALICE', 'approval_decision_reason'));
    const empty = await h.sender.viewSubmission({
      userId: 'U0ALICE',
      view: {
        id: modal.id,
        callback_id: 'approval_decision_reason',
        state: { values: { approval_reason: { reason: { type: 'plain_text_input', value: '' } } } },
      },
    });
    assert.match(empty.body, /needs a reason/);
    const dmCounts = ['U0BOB', 'U0DAVE', 'U0ERIN', 'U0CAROL'].map((u) => dmsTo(u).length);
    await h.sender.viewSubmission({
      userId: 'U0ALICE',
      view: {
        id: modal.id,
        callback_id: 'approval_decision_reason',
        state: {
          values: {
            approval_reason: { reason: { type: 'plain_text_input', value: 'prod down, nobody awake' } },
          },
        },
      },
    });
    await h.slack.waitFor(() =>
      /break-glass by <@U0ALICE>/.test(JSON.stringify(channelMessage(message.ts).blocks)) ? true : undefined,
    );
    for (const [i, u] of ['U0BOB', 'U0DAVE', 'U0ERIN', 'U0CAROL'].entries()) {
      const dm = await h.slack.waitFor(() => dmsTo(u)[dmCounts[i]!]);
      assert.match(JSON.stringify(dm.blocks), /Break-glass.*prod down, nobody awake/s, u);
    }
    const ev = h.auditEvents().findLast((e) => e.action === 'approval.decided' && e.break_glass === true);
    assert.ok(ev);
  });
});

describe('leak check with approvals', () => {
  it('no canary in the SQLite files, the approvals channel, DMs or logs', () => {
    for (const f of readdirSync(h.dataDir)) {
      const bytes = readFileSync(join(h.dataDir, f));
      assert.ok(!bytes.includes(CANARY_PASSWORD), `${f} holds a canary`);
    }
    const visible = h.slack.calls.filter(
      (c) => c.method.startsWith('chat.') && c.method !== 'chat.postEphemeral',
    );
    assert.ok(visible.length > 5);
    assert.ok(!JSON.stringify(visible).includes(CANARY_PASSWORD));
    assert.ok(!h.logs.join('\n').includes(CANARY_PASSWORD));
  });
});
