/**
 * AWS slower than Slack's 3 seconds, with the bot's default AWS settings (3 s per attempt, 3
 * attempts): Slack's answer does not wait for AWS, and the person still gets the value once an
 * attempt is answered. The one test here takes about 3.5 s, on purpose.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RecordedAwsCall } from '../../devkit/aws-recorder.js';
import { type Harness, startHarness } from '../support/app-harness.js';
import { shownIn, viewsSentTo } from '../support/windows.js';
import { CANARY_PASSWORD, config, seed, usergroups, users } from '../support/fixtures.js';

const SLOW_MS = 3500;

let h: Harness;

before(async () => {
  h = await startHarness({ config: { ...config, reveal: { ttl_seconds: 60 } }, seed, users, usergroups });
});
after(async () => {
  await h?.stop();
});

const readOfFastly = (c: Omit<RecordedAwsCall, 'status'>): boolean =>
  c.operation === 'GetSecretValue' && c.params['SecretId'] === '2ndline/fastly';

describe('AWS slower than Slack waits', () => {
  it('GetSecretValue taking 3.5 s: Slack is answered at once; the value arrives after the SDK retries the slow attempt', async () => {
    assert.equal(h.deps.config.aws.request_timeout_ms, 3000, 'the default per-attempt timeout');
    h.aws.failWhere(readOfFastly, { kind: 'delay', ms: SLOW_MS });
    const started = Date.now();
    const sent = await h.sender.slashCommand({
      userId: 'U0ALICE',
      command: '/secret',
      text: 'get 2ndline/fastly',
    });
    const ackedAfter = Date.now() - started;
    assert.equal(sent.status, 200);
    // Generous bound, far from flaky: the ack needs no AWS call at all.
    assert.ok(ackedAfter < SLOW_MS, `acked after ${ackedAfter} ms, before the slow AWS call could end`);
    assert.ok(
      !JSON.stringify(h.slack.callsTo('views.open')).includes(CANARY_PASSWORD),
      'no value yet when Slack got its answer',
    );
    // The window opened within the trigger's 3 s, saying what it reads, and the value came later.
    const shown = await shownIn(h.slack, sent.triggerId, 10_000);
    assert.ok(shown.json.includes(CANARY_PASSWORD));
    const [opening] = viewsSentTo(h.slack, shown.viewId);
    assert.match(JSON.stringify(opening), /Reading `2ndline\/fastly`/);
    assert.ok(h.aws.calls.filter(readOfFastly).length >= 1);
    assert.equal(h.slack.responseUrlPosts.filter((p) => p.url === sent.responseUrl).length, 0, 'no message');
  });
});
