import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { capTarget, createAuditLog, MAX_AUDIT_TARGET } from '../../../src/audit/audit-events.js';
import { outcomeOf } from '../../../src/audit/audited.js';
import { UserError } from '../../../src/core/errors.js';

describe('audit events', () => {
  it('a refusal because of what the secret holds is "refused", not "error"', () => {
    for (const code of ['no_seed', 'bad_seed', 'binary_secret', 'too_large'] as const) {
      assert.equal(outcomeOf(new UserError(code, 'x')), 'refused', code);
    }
    assert.equal(outcomeOf(new UserError('aws_unavailable', 'x')), 'error');
    assert.equal(outcomeOf(new Error('boom')), 'error');
  });

  it('caps a long target, saying how much was left out', () => {
    assert.equal(capTarget('2ndline/fastly'), '2ndline/fastly');
    const long = 'x'.repeat(5000);
    const capped = capTarget(long);
    assert.equal(capped, `${'x'.repeat(MAX_AUDIT_TARGET)}…(${5000 - MAX_AUDIT_TARGET} more characters)`);
  });

  it('writes the capped target into the log line', () => {
    const lines: string[] = [];
    const logger = pino({ base: undefined }, { write: (l: string) => lines.push(l) });
    createAuditLog(logger).record({
      action: 'otp.code',
      outcome: 'not_found',
      person: { slack_id: 'U1' },
      target: 'y'.repeat(5000),
    });
    const target = (JSON.parse(lines[0]!) as { audit: { target: string } }).audit.target;
    assert.ok(target.length < MAX_AUDIT_TARGET + 40);
  });
});
