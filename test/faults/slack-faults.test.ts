/**
 * Slack misbehaving under /secret: the Web API rate-limiting (429 with Retry-After), failing
 * with HTTP 500, or hanging; a reveal window Slack will not open; response_urls refused (used
 * up, expired, unknown) or down. The person still gets the value after retries, or a clear
 * sentence (or an "Open" button) by another way, and a value never goes where it could not
 * hide itself. The Web API timeout comes from config, set low.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type Harness, startHarness } from '../support/app-harness.js';
import { shownIn } from '../support/windows.js';
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
beforeEach(async () => {
  await h.aws.quiet();
  h.slack.reset();
  h.aws.clear();
});

/**
 * Sends /secret; the HTTP answer, and a promise of the answer: what the reveal window showed for
 * `get NAME`, the response_url post for anything else.
 */
async function sendSecret(userId: string, text: string) {
  const sent = await h.sender.slashCommand({ userId, command: '/secret', text });
  assert.equal(sent.status, 200, 'Slack got its answer');
  const reply = /^get \S/.test(text)
    ? shownIn(h.slack, sent.triggerId, 10_000).then((w) => w.json)
    : h.slack
        .waitFor(() => h.slack.responseUrlPosts.find((p) => p.url === sent.responseUrl), 10_000)
        .then((p) => JSON.stringify(p.body));
  // Tests that look elsewhere never await it: its timeout must not become an unhandled rejection.
  reply.catch(() => undefined);
  return { sent, reply };
}

/** Every place a person could see something, for "the value went nowhere else" checks. */
function everywhereButWindows(): string {
  const isModal = (c: { args: Record<string, unknown> }) =>
    (c.args['view'] as { type?: string } | undefined)?.type === 'modal';
  return JSON.stringify([
    h.slack.calls.filter((c) => !(/^views\.(open|push|update)$/.test(c.method) && isModal(c))),
    h.slack.responseUrlPosts,
  ]);
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

describe('a reveal window Slack will not open', () => {
  it('views.open rate-limited with Retry-After: the window opens after waiting as Slack asked', async () => {
    h.slack.rateLimitNext('views.open', 1);
    const { reply } = await sendSecret('U0ALICE', 'get 2ndline/fastly');
    assert.ok((await reply).includes(CANARY_PASSWORD));
    assert.deepEqual(statuses('views.open'), [429, 200]);
  });

  for (const failure of ['used_url', 'expired_url', 'no_service'] as const) {
    it(`views.open failing, and the command's response_url refused (${failure}): an Open button (no value) by chat.postEphemeral`, async () => {
      for (let i = 0; i < ATTEMPTS; i++) h.slack.serverErrorNext('views.open');
      h.slack.failResponseUrlNext(failure);
      const { sent } = await sendSecret('U0ALICE', 'get 2ndline/fastly');
      const offer = await h.slack.waitFor(() => h.slack.callsTo('chat.postEphemeral')[0]);
      const json = JSON.stringify(offer.args);
      assert.equal(offer.args['user'], 'U0ALICE');
      assert.equal(offer.args['channel'], sent.fields['channel_id']);
      assert.match(json, /secret_reveal_open/, 'a button that opens the window from a fresh trigger');
      assert.ok(!everywhereButWindows().includes(CANARY_PASSWORD), 'the value went nowhere else');
    });
  }

  it('/totp whose window will not open: an Open button, the code nowhere', async () => {
    for (let i = 0; i < ATTEMPTS; i++) h.slack.serverErrorNext('views.open');
    const sent = await h.sender.slashCommand({ userId: 'U0ALICE', command: '/totp', text: '2ndline/fastly' });
    assert.equal(sent.status, 200);
    const offer = await h.slack.waitFor(() =>
      h.slack.ephemeralMessages('U0ALICE').find((m) => /totp_open/.test(JSON.stringify(m.blocks))),
    );
    assert.equal(offer.responseUrl, sent.responseUrl);
    assert.doesNotMatch(JSON.stringify(offer.blocks), /\d{3} ?\d{3}/, 'no code in the offer');
    assert.doesNotMatch(everywhereButWindows(), /```\d{6}```/, 'no code anywhere outside a window');
  });

  it('when the response_url and chat.postEphemeral both fail, the Open button (never the value) arrives as a DM', async () => {
    for (let i = 0; i < ATTEMPTS; i++) h.slack.serverErrorNext('views.open');
    h.slack.failResponseUrlNext('used_url');
    h.slack.failNext('chat.postEphemeral', 'channel_not_found');
    await sendSecret('U0ALICE', 'get 2ndline/fastly');
    const dm = await h.slack.waitFor(() => h.slack.channelMessages('U0ALICE')[0]);
    const json = JSON.stringify(dm.blocks);
    assert.match(json, /secret_reveal_open/);
    assert.ok(!json.includes(CANARY_PASSWORD));
  });
});

describe('response_url faults', () => {
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

  it('when chat.postEphemeral fails too, a refusal arrives as a DM', async () => {
    h.slack.failResponseUrlNext('used_url');
    h.slack.failNext('chat.postEphemeral', 'channel_not_found');
    await sendSecret('U0ALICE', 'get');
    const dm = await h.slack.waitFor(() => h.slack.channelMessages('U0ALICE')[0]);
    assert.match(JSON.stringify(dm.blocks), /Which secret\?/);
  });
});
