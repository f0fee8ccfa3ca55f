/**
 * Slack misbehaving under /secret: the Web API rate-limiting (429 with Retry-After), failing
 * with HTTP 500, or hanging; response_urls refused (used up, expired, unknown) or down. The
 * person still gets the reply after retries, or a clear sentence by another way, and a value
 * never goes where it could not hide itself. The Web API timeout comes from config, set low.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { type Harness, startHarness } from '../support/app-harness.js';
import { CANARY_PASSWORD, config, seed, usergroups, users } from '../support/fixtures.js';

const API_TIMEOUT_MS = 1000;
/** @slack/web-api attempts: the first and web-client-options.ts's 3 retries. */
const ATTEMPTS = 4;

let h: Harness;

before(async () => {
  h = await startHarness({
    config: {
      ...config,
      reveal: { ttl_seconds: 60 },
      // Every command asks Slack who the person is, so each test's fault is met.
      slack: { user_cache_seconds: 0, api_timeout_ms: API_TIMEOUT_MS },
    },
    seed,
    users,
    usergroups,
    enforceIam: true,
  });
});
after(async () => {
  await h?.stop();
});
beforeEach(() => {
  h.slack.reset();
  h.aws.clear();
});

/** Sends /secret; the HTTP answer, and a promise of the response_url post that answered it. */
async function sendSecret(userId: string, text: string) {
  const sent = await h.sender.slashCommand({ userId, command: '/secret', text });
  assert.equal(sent.status, 200, 'Slack got its answer');
  const post = h.slack.waitFor(
    () => h.slack.responseUrlPosts.find((p) => p.url === sent.responseUrl),
    10_000,
  );
  return { sent, post, reply: post.then((p) => JSON.stringify(p.body)) };
}

/** Web API calls of one method with their HTTP status, in order. */
function statuses(method: string): number[] {
  return h.slack.callsTo(method).map((c) => c.status);
}

describe('Slack Web API faults', () => {
  it('users.info rate-limited with Retry-After: the reply arrives after waiting as Slack asked', async () => {
    h.slack.rateLimitNext('users.info', 1);
    const { reply } = await sendSecret('U0ALICE', 'get 2ndline/fastly');
    assert.ok((await reply).includes(CANARY_PASSWORD));
    const [limited, retried] = h.slack.callsTo('users.info');
    assert.deepEqual(statuses('users.info'), [429, 200]);
    assert.ok(retried!.at - limited!.at >= 900, 'the retry waited for Retry-After (1 s)');
  });

  it('users.info HTTP 500 once: retried, and the reply arrives', async () => {
    h.slack.serverErrorNext('users.info');
    const { reply } = await sendSecret('U0ALICE', 'get 2ndline/fastly');
    assert.ok((await reply).includes(CANARY_PASSWORD));
    assert.deepEqual(statuses('users.info'), [500, 200]);
  });

  it('users.info HTTP 500 on every attempt: the person is told Slack did not answer, and no AWS call is made', async () => {
    for (let i = 0; i < ATTEMPTS; i++) h.slack.serverErrorNext('users.info');
    const { reply } = await sendSecret('U0ALICE', 'get 2ndline/fastly');
    const json = await reply;
    assert.match(
      json,
      /Slack did not answer locksmith in time, so this could not be done \(ref `[0-9a-f]{8}`\)/,
    );
    assert.doesNotMatch(json, /slack_webapi|statusCode|at .*\.js:\d+/);
    assert.equal(h.aws.calls.length, 0, 'nothing reached AWS for an unidentified person');
  });

  it("a hung users.info: the bot gives up on it, retries, and meanwhile Bob's command is answered", async () => {
    await (
      await sendSecret('U0BOB', 'get 2ndline/plain --role 2ndline')
    ).reply; // warm Bob's AWS session
    h.slack.hangNext('users.info');
    const alice = await sendSecret('U0ALICE', 'get 2ndline/fastly');
    await h.slack.waitFor(() => h.slack.hangingCalls === 1);
    const bob = await sendSecret('U0BOB', 'get 2ndline/plain --role 2ndline');
    assert.ok((await bob.reply).includes(CANARY_PASSWORD));
    assert.equal(h.slack.hangingCalls, 1, "…while Alice's users.info was still hanging");
    assert.ok((await alice.reply).includes(CANARY_PASSWORD), 'Alice got hers after the retry');
    assert.equal(h.slack.hangingCalls, 0, 'the bot abandoned the hung call');
  });
});

describe('response_url faults', () => {
  for (const failure of ['used_url', 'expired_url', 'no_service'] as const) {
    it(`a reveal whose response_url is refused (${failure}): no value elsewhere, a notice by chat.postEphemeral, nothing left to hide`, async () => {
      h.slack.failResponseUrlNext(failure);
      const { sent, post } = await sendSecret('U0ALICE', 'get 2ndline/fastly');
      assert.equal((await post).responseBody, failure);
      const notice = await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral')[0]);
      const json = JSON.stringify(notice.args);
      assert.equal(notice.args['user'], 'U0ALICE');
      assert.equal(notice.args['channel'], sent.fields['channel_id']);
      assert.match(json, /Slack refused the reply/);
      assert.match(json, /Run `\/secret get 2ndline\/fastly` again/);
      assert.ok(!json.includes(CANARY_PASSWORD), 'the value is not re-sent where it could not hide');
      for (const call of h.slack.calls) assert.ok(!JSON.stringify(call.args).includes(CANARY_PASSWORD));
      await delay(100); // a hide would be written right after the reply
      const hides = await h.deps.store.query<{ responseUrl: string }>({ kind: 'hide' });
      assert.ok(
        hides.every((r) => r.data.responseUrl !== sent.responseUrl),
        'no hide was scheduled for a message that was never shown',
      );
    });
  }

  it('/totp codes whose response_url is refused: the codes are not re-sent, a notice says to run it again', async () => {
    h.slack.failResponseUrlNext('used_url');
    const sent = await h.sender.slashCommand({ userId: 'U0ALICE', command: '/totp', text: '2ndline/fastly' });
    assert.equal(sent.status, 200);
    const refused = await h.slack.waitFor(() =>
      h.slack.responseUrlPosts.find((p) => p.url === sent.responseUrl),
    );
    const code = /```(\d{6,8})```/.exec(JSON.stringify(refused.body))?.[1];
    assert.ok(code, 'the refused reply held the code');
    const notice = await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral')[0]);
    assert.match(JSON.stringify(notice.args), /Run `\/totp 2ndline\/fastly` again/);
    for (const call of h.slack.calls)
      assert.ok(!JSON.stringify(call.args).includes(code), 'the code went nowhere else');
  });

  it('a /rotate-key reply whose response_url is refused arrives by chat.postEphemeral', async () => {
    h.slack.failResponseUrlNext('expired_url');
    await h.sender.slashCommand({ userId: 'U0ALICE', command: '/rotate-key', text: 'help' });
    const sent = await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral')[0]);
    assert.equal(sent.args['user'], 'U0ALICE');
    assert.match(JSON.stringify(sent.args), /rotat/i);
  });

  it('a response_url that never answers: the reply falls back to chat.postEphemeral after slack.api_timeout_ms', async () => {
    h.slack.failResponseUrlNext('hang');
    await sendSecret('U0ALICE', 'list');
    const sent = await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral')[0], 5000);
    assert.match(JSON.stringify(sent.args), /Secrets under|secrets? visible|No secrets/i);
    assert.equal(h.slack.hangingCalls, 0, 'the bot gave up on the hung response_url');
  });

  it('a help reply whose response_url is down (HTTP 500) arrives by chat.postEphemeral instead', async () => {
    h.slack.failResponseUrlNext({ status: 500, text: 'internal_error' });
    await sendSecret('U0ALICE', 'help');
    const sent = await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral')[0]);
    assert.match(JSON.stringify(sent.args), /\/secret get NAME/);
  });

  it('when chat.postEphemeral fails too, the notice (never the value) arrives as a DM', async () => {
    h.slack.failResponseUrlNext('used_url');
    h.slack.failNext('chat.postEphemeral', 'channel_not_found');
    await sendSecret('U0ALICE', 'get 2ndline/fastly');
    const dm = await h.slack.waitFor(() => h.slack.channelMessages('U0ALICE')[0]);
    const json = JSON.stringify(dm.blocks);
    assert.match(json, /Slack refused the reply/);
    assert.ok(!json.includes(CANARY_PASSWORD));
  });
});
