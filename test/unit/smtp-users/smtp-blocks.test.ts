/** The SES SMTP replacement's button value (smtp-users/slack/smtp-blocks.ts): forged or odd text is refused. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeSmtpValue, encodeSmtpValue } from '../../../src/smtp-users/slack/smtp-blocks.js';

const V = { o: 'mailer', n: 'mailer.20261206', r: 'ops', q: 'U1', t: 'T1' };

describe('SMTP replacement button value', () => {
  it('round-trips; a missing or odd team counts as unknown', () => {
    assert.deepEqual(decodeSmtpValue(encodeSmtpValue(V)), V);
    const { t: _t, ...noTeam } = V;
    assert.deepEqual(decodeSmtpValue(JSON.stringify(noTeam)), { ...V, t: '' });
    assert.deepEqual(decodeSmtpValue(JSON.stringify({ ...V, t: 5 })), { ...V, t: '' });
  });

  it('is undefined for a malformed, misshapen or oversized value', () => {
    for (const raw of [
      undefined,
      '',
      '{',
      'null',
      '[]',
      JSON.stringify({ ...V, o: '' }),
      JSON.stringify({ ...V, q: 5 }),
      JSON.stringify({ o: 'a', n: 'b', r: 'c' }),
      JSON.stringify({ ...V, pad: 'x'.repeat(2001) }),
    ])
      assert.equal(decodeSmtpValue(raw), undefined, String(raw));
  });
});
