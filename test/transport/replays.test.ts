/**
 * Requests are fresh and unique (DESIGN.md invariant 9; issue 14, item 9): a timestamp more
 * than five minutes away is refused either way, and a request seen before (the same signed
 * HTTP request, the same Socket Mode envelope) is answered without a second effect. Slack's
 * own retries, signed anew, still reach the listeners (test/faults/slack-retries.test.ts shows
 * they repeat no effect).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Harness } from '../support/app-harness.js';
import { shownIn } from '../support/windows.js';
import { startHarness } from '../support/app-harness.js';
import { CANARY_PASSWORD, config, seed, usergroups, users } from '../support/fixtures.js';
import { APPROVALS, startFullHarness } from '../property/app-support.js';

/** Posts exactly the same bytes with exactly the same headers again: a captured request. */
async function replay(h: Harness, raw: string, headers: Record<string, string>) {
  return h.sender.post(raw, headers);
}

const quiet = (ms = 300) => new Promise((r) => setTimeout(r, ms));

describe('HTTP: timestamps and replays', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ config, seed, users, usergroups, enforceIam: true });
  });
  after(async () => {
    await h?.stop();
  });

  it('answers 401 to a timestamp more than 5 minutes in the future and runs no handler', async () => {
    h.aws.clear();
    const future = Math.floor(Date.now() / 1000) + 6 * 60;
    const res = await h.sender.slashCommand({
      userId: 'U0ALICE',
      command: '/secret',
      text: 'get 2ndline/fastly',
      timestampSeconds: future,
    });
    assert.equal(res.status, 401);
    await quiet();
    assert.equal(h.slack.responseUrlPosts.filter((p) => p.url === res.responseUrl).length, 0);
    assert.equal(h.aws.calls.length, 0);
  });

  it('still serves a timestamp a little ahead or behind (clocks differ by seconds)', async () => {
    for (const skew of [-4 * 60, 4 * 60]) {
      const res = await h.sender.slashCommand({
        userId: 'U0ALICE',
        command: '/secret',
        text: 'help',
        timestampSeconds: Math.floor(Date.now() / 1000) + skew,
      });
      assert.equal(res.status, 200, `skew ${skew} s`);
      await h.slack.waitFor(() => h.slack.responseUrlPosts.find((p) => p.url === res.responseUrl));
    }
  });

  it('answers a replayed signed request with 200 and no second effect: one read, one reveal, one audit event', async () => {
    h.aws.clear();
    const sent = await h.sender.slashCommand({
      userId: 'U0ALICE',
      command: '/secret',
      text: 'get 2ndline/fastly',
    });
    assert.equal(sent.status, 200);
    await shownIn(h.slack, sent.triggerId);
    const raw = new URLSearchParams(sent.fields).toString();
    // The attacker has the body and the headers exactly as Slack sent them. (A second later than
    // the original, so this first one is a new signature even when the window came at once.)
    const timestamp = Math.floor(Date.now() / 1000) + 1;
    const headers = { ...h.sender.sign(raw, timestamp) };
    const first = await replay(h, raw, headers);
    assert.equal(first.status, 200, 'that one is new: same body, new signature');
    // Served, but its trigger_id was used once already: Slack opens no second window, and the
    // person is offered an "Open" button (no value) through the command's response_url.
    await h.slack.waitFor(() => h.slack.responseUrlPosts.find((p) => p.url === sent.responseUrl));
    await h.slack.waitFor(
      () =>
        h.auditEvents().some((e) => e.action === 'secret.reveal' && e.reason === 'not_shown') || undefined,
    );
    const reads = h.aws.callsOf('GetSecretValue').length;
    const reveals = h.auditEvents().filter((e) => e.action === 'secret.reveal').length;
    const opens = h.slack.callsTo('views.open').length;
    for (let i = 0; i < 3; i++) {
      const again = await replay(h, raw, headers);
      assert.equal(again.status, 200, 'a replay is answered');
      assert.equal(again.body, '', 'with a bare acknowledgement');
    }
    await quiet(500);
    assert.equal(h.aws.callsOf('GetSecretValue').length, reads, 'no second read');
    assert.equal(h.slack.callsTo('views.open').length, opens, 'no second window');
    assert.equal(
      h.slack.responseUrlPosts.filter((p) => p.url === sent.responseUrl).length,
      1,
      'no second reply',
    );
    assert.equal(h.auditEvents().filter((e) => e.action === 'secret.reveal').length, reveals);
    assert.ok(h.logs.some((l) => l.includes('replayed request answered without effect')));
  });

  it('answers concurrent copies of one signed request once', async () => {
    h.aws.clear();
    const fields = {
      token: 'standin-verification-token',
      team_id: h.slack.teamId,
      channel_id: h.slack.dmChannelFor('U0ALICE'),
      user_id: 'U0ALICE',
      command: '/secret',
      text: 'get 2ndline/plain',
      response_url: h.slack.newResponseUrl({ user: 'U0ALICE', channel: h.slack.dmChannelFor('U0ALICE') }),
      trigger_id: h.slack.newTriggerId('U0ALICE'),
    };
    const raw = new URLSearchParams(fields).toString();
    const headers = { ...h.sender.sign(raw) };
    const answers = await Promise.all(Array.from({ length: 6 }, () => replay(h, raw, headers)));
    for (const a of answers) assert.equal(a.status, 200);
    const shown = await shownIn(h.slack, fields.trigger_id);
    await quiet(500);
    assert.equal(h.aws.callsOf('GetSecretValue').length, 1);
    assert.equal(
      h.slack.callsTo('views.open').filter((c) => c.args['trigger_id'] === fields.trigger_id).length,
      1,
      'one window',
    );
    assert.ok(shown.json.includes(CANARY_PASSWORD));
    assert.equal(h.slack.responseUrlPosts.filter((p) => p.url === fields.response_url).length, 0);
  });

  it('serves a Slack retry that is signed anew (X-Slack-Retry-Num), as Slack sends them', async () => {
    const sent = await h.sender.slashCommand({ userId: 'U0ALICE', command: '/secret', text: 'help' });
    const raw = new URLSearchParams(sent.fields).toString();
    const retry = await h.sender.post(raw, {
      ...h.sender.sign(raw, Math.floor(Date.now() / 1000) + 1),
      'x-slack-retry-num': '1',
      'x-slack-retry-reason': 'http_timeout',
    });
    assert.equal(retry.status, 200);
    await h.slack.waitFor(() =>
      h.slack.responseUrlPosts.filter((p) => p.url === sent.responseUrl).length >= 2 ? true : undefined,
    );
  });
});

describe('approval requests are idempotent on the view that submitted them', () => {
  let h: Harness;
  before(async () => {
    h = await startFullHarness();
  });
  after(async () => {
    await h?.stop();
  });

  it('a reason form submitted twice (a double click, a copy signed anew) posts one request', async () => {
    const ask = await h.sender.slashCommand({ userId: 'U0ALICE', command: '/secret', text: 'get prod/db' });
    assert.equal(ask.status, 200);
    const modal = await h.slack.waitFor(() => h.slack.openModalOf('U0ALICE', 'approval_request_reason'));
    const submission = {
      userId: 'U0ALICE',
      view: {
        id: modal.id,
        callback_id: 'approval_request_reason',
        ...(modal.privateMetadata !== undefined ? { private_metadata: modal.privateMetadata } : {}),
        state: { values: { approval_reason: { reason: { type: 'plain_text_input', value: 'INC-9' } } } },
      },
    };
    const both = await Promise.all([
      h.sender.viewSubmission(submission),
      h.sender.viewSubmission(submission),
    ]);
    for (const s of both) assert.equal(s.status, 200);
    const late = await h.sender.viewSubmission(submission);
    assert.equal(late.status, 200);
    await h.slack.waitFor(() => h.slack.channelMessages(APPROVALS)[0]);
    await quiet(500);
    assert.equal(h.slack.channelMessages(APPROVALS).length, 1, 'one request in the approvals channel');
    const requested = h.auditEvents().filter((e) => e.action === 'approval.requested');
    assert.equal(requested.length, 1);
    assert.equal((await h.deps.approvals!.pending()).length, 1);
  });
});

describe('Socket Mode: a repeated envelope', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ config, seed, users, usergroups, enforceIam: true, socketMode: true });
  });
  after(async () => {
    await h?.stop();
  });

  it('is acknowledged and has no second effect', async () => {
    h.aws.clear();
    const sent = await h.slack.socketMode.sendSlashCommand({
      userId: 'U0ALICE',
      command: '/secret',
      text: 'get 2ndline/fastly',
    });
    await shownIn(h.slack, sent.triggerId);
    assert.equal(h.aws.callsOf('GetSecretValue').length, 1);
    const opens = h.slack.callsTo('views.open').length;
    const again = await h.slack.socketMode.resend(sent.ack.envelope);
    assert.equal(again.envelopeId, sent.ack.envelopeId, 'the same envelope was acknowledged');
    await quiet(500);
    assert.equal(h.aws.callsOf('GetSecretValue').length, 1, 'no second read');
    assert.equal(h.slack.callsTo('views.open').length, opens, 'no second window');
    assert.equal(h.slack.responseUrlPosts.filter((p) => p.url === sent.responseUrl).length, 0, 'no reply');
  });

  it('an event retried by Slack in a new envelope (retry_attempt 1) is still handled', async () => {
    const first = await h.slack.socketMode.sendAppHomeOpened({ userId: 'U0ALICE' });
    const home = () => h.slack.callsTo('views.publish').filter((c) => c.args['user_id'] === 'U0ALICE').length;
    await h.slack.waitFor(() => (home() >= 1 ? true : undefined));
    const before = home();
    await h.slack.socketMode.sendAppHomeOpened({
      userId: 'U0ALICE',
      eventId: String(first.envelope['event_id']),
      retryNum: 1,
    });
    await h.slack.waitFor(() => (home() > before ? true : undefined));
  });
});
