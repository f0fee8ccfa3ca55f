/**
 * AWS misbehaving under /secret get, with the recording proxy between the bot and moto:
 * 500s, throttling, slow and hung answers, dropped connections, on Secrets Manager and on STS.
 * In every case Slack gets its answer at once, the person gets the value (after the SDK's
 * retries) or a clear sentence, and other people are served meanwhile. The bot's AWS timeouts
 * come from config, set low here so hung calls take about a second, not the default ~9 s.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { internalError, throttling } from '../../devkit/aws-faults.js';
import type { RecordedAwsCall } from '../../devkit/aws-recorder.js';
import { type Harness, startHarness } from '../support/app-harness.js';
import { shownIn, windowIdFrom } from '../support/windows.js';
import { CANARY_PASSWORD, config, seed, usergroups, users } from '../support/fixtures.js';

// Wide enough that a loaded CI machine (moto and the recording proxy slow by a few hundred ms) still
// tells "slow" from "past the timeout".
const REQUEST_TIMEOUT_MS = 1000;
const MAX_ATTEMPTS = 2;

/** People mapped to the 2ndline role, one per test that needs a fresh (uncached) session. */
const FRESH = ['U0ERIN', 'U0FRANK', 'U0GRACE', 'U0HEIDI'];

let h: Harness;

before(async () => {
  h = await startHarness({
    config: {
      ...config,
      people: { ...config.people, ...Object.fromEntries(FRESH.map((id) => [id, ['2ndline']])) },
      reveal: { ttl_seconds: 60 },
      aws: { request_timeout_ms: REQUEST_TIMEOUT_MS, connect_timeout_ms: 500, max_attempts: MAX_ATTEMPTS },
    },
    seed,
    users: [
      ...users,
      ...FRESH.map((id) => ({ id, name: id.slice(2).toLowerCase(), email: `${id}@example.com` })),
    ],
    usergroups,
    enforceIam: true,
  });
});
after(async () => {
  await h?.stop();
});

/**
 * Sends /secret get; returns the HTTP answer and, separately, a promise of what its window
 * showed once AWS answered (the value, or the sentence saying why not).
 */
async function sendSecret(userId: string, text: string) {
  const sent = await h.sender.slashCommand({ userId, command: '/secret', text });
  const repliedBeforeAck = windowIdFrom(h.slack, sent.triggerId) !== undefined;
  const reply = shownIn(h.slack, sent.triggerId, 8000).then((w) => w.json);
  return { sent, repliedBeforeAck, reply };
}

const readOf =
  (name: string) =>
  (c: Omit<RecordedAwsCall, 'status'>): boolean =>
    c.operation === 'GetSecretValue' && c.params['SecretId'] === name;

function assertNoTrace(json: string): void {
  assert.doesNotMatch(json, /at .*\.(js|ts):\d+/, 'no stack trace');
  assert.doesNotMatch(json, /TimeoutError|ECONNRESET|socket hang up|InternalServiceError/, 'no library text');
}

describe('AWS faults under /secret get', () => {
  it('a hung Secrets Manager: the ack is at once, Bob is served meanwhile, Alice hears AWS did not answer in time', async () => {
    h.aws.clear();
    // Warm both sessions, so the hang hits only Alice's read and Bob's request is quick.
    await (
      await sendSecret('U0ALICE', 'get 2ndline/plain')
    ).reply;
    await (
      await sendSecret('U0BOB', 'get 2ndline/plain --role 2ndline')
    ).reply;
    h.aws.failWhere(readOf('2ndline/fastly'), { kind: 'hang' }, MAX_ATTEMPTS);

    const alice = await sendSecret('U0ALICE', 'get 2ndline/fastly');
    assert.equal(alice.sent.status, 200, 'Slack got its answer');
    assert.equal(alice.repliedBeforeAck, false, 'the ack did not wait for AWS');
    await h.slack.waitFor(() => h.aws.hangingCalls === 1);

    const bob = await sendSecret('U0BOB', 'get 2ndline/plain --role 2ndline');
    const bobReply = await bob.reply;
    assert.ok(bobReply.includes(CANARY_PASSWORD), 'Bob got his secret');
    assert.ok(h.aws.hangingCalls >= 1, "…while Alice's call was still hanging");

    const aliceReply = await alice.reply;
    assert.match(aliceReply, /AWS Secrets Manager did not answer in time\. Try again in a minute\./);
    assert.ok(!aliceReply.includes(CANARY_PASSWORD));
    assertNoTrace(aliceReply);
    assert.equal(h.aws.calls.filter(readOf('2ndline/fastly')).length, MAX_ATTEMPTS, 'retried, then gave up');
    assert.equal(h.aws.hangingCalls, 0, 'the bot abandoned the hung calls');
    const audit = await h.slack.waitFor(() =>
      h.auditEvents().findLast((e) => e.action === 'secret.reveal' && e.target === '2ndline/fastly'),
    );
    assert.equal(audit.outcome, 'error');
  });

  it('a slow Secrets Manager (answering within the timeout): the value arrives once AWS answers', async () => {
    h.aws.clear();
    h.aws.failWhere(readOf('2ndline/fastly'), { kind: 'delay', ms: REQUEST_TIMEOUT_MS / 5 });
    const alice = await sendSecret('U0ALICE', 'get 2ndline/fastly');
    assert.equal(alice.sent.status, 200);
    assert.equal(alice.repliedBeforeAck, false);
    assert.ok((await alice.reply).includes(CANARY_PASSWORD));
    assert.equal(h.aws.calls.filter(readOf('2ndline/fastly')).length, 1, 'one call, no retry');
  });

  it('a slower Secrets Manager (past the timeout once): the retry gets the value', async () => {
    h.aws.clear();
    h.aws.failWhere(readOf('2ndline/fastly'), { kind: 'delay', ms: REQUEST_TIMEOUT_MS * 3 });
    const alice = await sendSecret('U0ALICE', 'get 2ndline/fastly');
    assert.ok((await alice.reply).includes(CANARY_PASSWORD));
  });

  it('one HTTP 500 is retried: the value arrives', async () => {
    h.aws.clear();
    h.aws.failWhere(readOf('2ndline/fastly'), internalError('json'));
    const alice = await sendSecret('U0ALICE', 'get 2ndline/fastly');
    assert.ok((await alice.reply).includes(CANARY_PASSWORD));
    assert.deepEqual(
      h.aws.calls.filter(readOf('2ndline/fastly')).map((c) => c.status),
      [500, 200],
    );
  });

  it('HTTP 500 on every attempt: a clear message, no library text', async () => {
    h.aws.clear();
    h.aws.failWhere(readOf('2ndline/fastly'), internalError('json'), MAX_ATTEMPTS);
    const reply = await (await sendSecret('U0ALICE', 'get 2ndline/fastly')).reply;
    assert.match(reply, /AWS Secrets Manager could not be reached\. Try again in a minute\./);
    assertNoTrace(reply);
  });

  it('throttling on every attempt: the person is told AWS is throttling', async () => {
    h.aws.clear();
    h.aws.failWhere(readOf('2ndline/fastly'), throttling('json'), MAX_ATTEMPTS);
    const reply = await (await sendSecret('U0ALICE', 'get 2ndline/fastly')).reply;
    assert.match(reply, /AWS Secrets Manager is throttling requests right now\. Try again in a minute\./);
    assertNoTrace(reply);
  });

  it('a dropped connection is retried: the value arrives', async () => {
    h.aws.clear();
    h.aws.failWhere(readOf('2ndline/fastly'), { kind: 'reset' });
    const reply = await (await sendSecret('U0ALICE', 'get 2ndline/fastly')).reply;
    assert.ok(reply.includes(CANARY_PASSWORD));
    assert.equal(h.aws.calls.filter(readOf('2ndline/fastly')).length, 2);
  });

  it('a connection dropped on every attempt: AWS could not be reached', async () => {
    h.aws.clear();
    h.aws.failWhere(readOf('2ndline/fastly'), { kind: 'reset' }, MAX_ATTEMPTS);
    const reply = await (await sendSecret('U0ALICE', 'get 2ndline/fastly')).reply;
    assert.match(reply, /AWS Secrets Manager could not be reached/);
    assertNoTrace(reply);
  });
});

describe('AWS faults while assuming the person role (STS)', () => {
  it('a hung AssumeRole: "AWS (STS) did not answer in time", no session is kept, and the next request works', async () => {
    h.aws.clear();
    h.aws.failNext('AssumeRole', { kind: 'hang' }, MAX_ATTEMPTS);
    const first = await sendSecret('U0ERIN', 'get 2ndline/fastly');
    assert.equal(first.sent.status, 200);
    const reply = await first.reply;
    assert.match(reply, /AWS \(STS\) did not answer in time/);
    assertNoTrace(reply);
    assert.equal(h.aws.callsOf('GetSecretValue').length, 0, 'no read without a session');

    const second = await sendSecret('U0ERIN', 'get 2ndline/fastly');
    assert.ok((await second.reply).includes(CANARY_PASSWORD), 'a failed AssumeRole was not cached');
    assert.equal(h.aws.callsOf('AssumeRole').length, MAX_ATTEMPTS + 1);
  });

  it('STS throttling on every attempt: the person is told AWS is throttling', async () => {
    h.aws.clear();
    h.aws.failNext('AssumeRole', throttling('query'), MAX_ATTEMPTS);
    const reply = await (await sendSecret('U0FRANK', 'get 2ndline/fastly')).reply;
    assert.match(reply, /AWS is throttling requests right now/);
  });

  it('one STS 500 is retried: the value arrives', async () => {
    h.aws.clear();
    h.aws.failNext('AssumeRole', internalError('query'));
    const reply = await (await sendSecret('U0GRACE', 'get 2ndline/fastly')).reply;
    assert.ok(reply.includes(CANARY_PASSWORD));
  });
});
