/**
 * Slack failing while an approval request is posted in the approvals channel: the requester
 * is told, and no pending request is left in the store that no approver can ever see.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Harness } from '../support/app-harness.js';
import { APPROVALS, startFullHarness } from '../property/app-support.js';

/** @slack/web-api attempts: the first and web-client-options.ts's 3 retries. */
const ATTEMPTS = 4;

let h: Harness;

before(async () => {
  h = await startFullHarness({ slack: { user_cache_seconds: 60, api_timeout_ms: 300 } });
});
after(async () => {
  await h?.stop();
});

/** Alice asks to see prod/db with a reason; resolves with her command's response_url. */
async function askForProdDb(): Promise<string> {
  const sent = await h.sender.slashCommand({ userId: 'U0ALICE', command: '/secret', text: 'get prod/db' });
  assert.equal(sent.status, 200);
  const modal = await h.slack.waitFor(() => h.slack.openModalOf('U0ALICE', 'approval_request_reason'));
  const res = await h.sender.viewSubmission({
    userId: 'U0ALICE',
    view: {
      id: modal.id,
      callback_id: 'approval_request_reason',
      state: { values: { approval_reason: { reason: { type: 'plain_text_input', value: 'INC-9' } } } },
    },
  });
  assert.equal(res.status, 200);
  return sent.responseUrl;
}

describe('approval requests when Slack fails', () => {
  it('chat.postMessage failing on every attempt: the requester is told, and no invisible request stays pending', async () => {
    for (let i = 0; i < ATTEMPTS; i++) h.slack.serverErrorNext('chat.postMessage');
    const responseUrl = await askForProdDb();
    const reply = await h.slack.waitFor(
      () => h.slack.responseUrlPosts.find((p) => p.url === responseUrl),
      8000,
    );
    assert.match(JSON.stringify(reply.body), /Slack did not answer locksmith in time/);
    assert.equal(h.slack.channelMessages(APPROVALS).length, 0);
    const pending = await h.deps.store.query({ kind: 'approval', states: ['pending'] });
    assert.deepEqual(pending, [], 'a request nobody can see is not left pending');
  });

  it('once Slack answers again, the same request goes through', async () => {
    const responseUrl = await askForProdDb();
    const reply = await h.slack.waitFor(() => h.slack.responseUrlPosts.find((p) => p.url === responseUrl));
    assert.match(JSON.stringify(reply.body), /Asked for approval/);
    assert.equal(h.slack.channelMessages(APPROVALS).length, 1);
    assert.equal((await h.deps.store.query({ kind: 'approval', states: ['pending'] })).length, 1);
  });
});
