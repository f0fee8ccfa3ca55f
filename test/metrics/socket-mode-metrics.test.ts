/** In Socket Mode there is no events endpoint: /metrics is served on the health port. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Harness, startHarness } from '../support/app-harness.js';
import { shownIn } from '../support/windows.js';
import { CANARY_PASSWORD, config, seed, usergroups, users } from '../support/fixtures.js';
import { valueOf } from './exposition.js';

let h: Harness;

before(async () => {
  h = await startHarness({ config, seed, users, usergroups, socketMode: true });
});
after(async () => {
  await h?.stop();
});

describe('GET /metrics in Socket Mode', () => {
  it('answers on the health port and counts commands that came over the WebSocket', async () => {
    const sent = await h.slack.socketMode.sendSlashCommand({
      userId: 'U0ALICE',
      command: '/secret',
      text: 'get 2ndline/fastly',
    });
    await shownIn(h.slack, sent.triggerId);

    const url = h.healthUrl.replace('/healthz', '/metrics');
    const labels = { kind: 'command', name: '/secret get', outcome: 'ok' };
    let text = '';
    for (let i = 0; i < 100 && valueOf(text, 'locksmith_slack_requests_total', labels) !== 1; i++) {
      const res = await fetch(url);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      text = await res.text();
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(valueOf(text, 'locksmith_slack_requests_total', labels), 1);
    assert.equal(
      valueOf(text, 'locksmith_aws_calls_total', {
        service: 'secretsmanager',
        operation: 'GetSecretValue',
        outcome: 'success',
      }),
      1,
    );
    assert.ok(!text.includes(CANARY_PASSWORD));
    assert.ok(!text.includes('2ndline/fastly'));

    // The health server still answers only its two routes.
    assert.equal((await fetch(url.replace('/metrics', '/metricsx'))).status, 404);
    assert.equal((await fetch(url, { method: 'POST' })).status, 404);
  });
});
