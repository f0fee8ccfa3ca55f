import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  replayKeyOfEnvelope,
  replayKeyOfSignature,
  verifySlackSignature,
} from '../../../src/slack/request-signature.js';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const NOW = Date.UTC(2025, 0, 6, 9, 0, 0);
const nowSeconds = NOW / 1000;

function sign(body: string, timestamp: number, secret = SECRET) {
  const digest = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${digest}` };
}

describe('verifySlackSignature', () => {
  const body = 'token=x&command=%2Fsecret&text=get+a';

  it('accepts a correct signature within five minutes either way', () => {
    for (const skew of [0, -300, 300]) {
      const verdict = verifySlackSignature(SECRET, sign(body, nowSeconds + skew), body, NOW);
      assert.equal(verdict.ok, true, `skew ${skew}`);
    }
    assert.equal(verifySlackSignature(SECRET, sign(body, nowSeconds), Buffer.from(body), NOW).ok, true);
  });

  it('refuses the past and the future beyond five minutes, saying which', () => {
    assert.deepEqual(verifySlackSignature(SECRET, sign(body, nowSeconds - 301), body, NOW), {
      ok: false,
      reason: 'the timestamp is too old',
    });
    assert.deepEqual(verifySlackSignature(SECRET, sign(body, nowSeconds + 301), body, NOW), {
      ok: false,
      reason: 'the timestamp is in the future',
    });
  });

  it('refuses a wrong secret, a changed body, missing or doubled headers and odd timestamps', () => {
    const headers = sign(body, nowSeconds);
    const refused = (h: Record<string, string | string[] | undefined>, b = body) =>
      verifySlackSignature(SECRET, h, b, NOW).ok === false;
    assert.ok(refused(sign(body, nowSeconds, 'another-secret')));
    assert.ok(refused(headers, `${body}&x=1`));
    assert.ok(refused({ 'x-slack-signature': headers['x-slack-signature'] }));
    assert.ok(refused({ 'x-slack-request-timestamp': headers['x-slack-request-timestamp'] }));
    assert.ok(refused({ ...headers, 'x-slack-signature': [headers['x-slack-signature'], 'v0=00'] }));
    assert.ok(refused({ ...headers, 'x-slack-request-timestamp': '1e9' }));
    assert.ok(refused({ ...headers, 'x-slack-signature': 'v0=short' }));
  });
});

describe('replay keys', () => {
  it('a signature is remembered until its window has closed, and keys do not show the input', () => {
    const key = replayKeyOfSignature('v0=abc', nowSeconds);
    assert.equal(key.until, NOW + 300_000 + 60_000);
    assert.ok(!key.key.includes('abc'));
    assert.notEqual(key.key, replayKeyOfSignature('v0=abd', nowSeconds).key);
    const envelope = replayKeyOfEnvelope('5a1c-envelope', NOW);
    assert.ok(envelope.key.startsWith('env:') && envelope.until > NOW);
    assert.notEqual(envelope.key, replayKeyOfSignature('5a1c-envelope', nowSeconds).key);
  });
});
