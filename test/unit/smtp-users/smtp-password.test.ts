/**
 * The SES SMTP password derivation. AWS documents the algorithm (and a Python script) but
 * publishes no example input/output pair, so the vectors below were computed with an
 * independent implementation of AWS's documented Python script (hmac/hashlib/base64), from
 * AWS's documentation example secret key; the rest checks format, determinism and scoping.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  SMTP_PASSWORD_VERSION,
  sesSmtpEndpoint,
  sesSmtpPassword,
} from '../../../src/smtp-users/smtp-password.js';

/** AWS's documentation example secret access key (not a real key). */
const EXAMPLE_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe('SES SMTP password', () => {
  it('matches the documented algorithm (vectors from an independent run of AWS’s Python script)', () => {
    assert.equal(
      sesSmtpPassword(EXAMPLE_SECRET, 'eu-west-1'),
      'BMW5RDrXmmVs0lV7GpI4oLkHXpZ4stDsk6q91z1g38Pk',
    );
    assert.equal(
      sesSmtpPassword(EXAMPLE_SECRET, 'us-east-1'),
      'BLBM/9hSUELfq8Gw+rU1YcBjkOxGbhT2XG763xVLGWL9',
    );
  });

  it('is the version byte 0x04 and an HMAC-SHA256, base64: 44 characters', () => {
    const password = sesSmtpPassword(EXAMPLE_SECRET, 'eu-central-1');
    assert.match(password, /^[A-Za-z0-9+/]{44}$/);
    const bytes = Buffer.from(password, 'base64');
    assert.equal(bytes.length, 33);
    assert.equal(bytes[0], SMTP_PASSWORD_VERSION);
    assert.equal(SMTP_PASSWORD_VERSION, 4);
  });

  it('is deterministic, and differs by region and by key', () => {
    assert.equal(sesSmtpPassword(EXAMPLE_SECRET, 'eu-west-1'), sesSmtpPassword(EXAMPLE_SECRET, 'eu-west-1'));
    assert.notEqual(
      sesSmtpPassword(EXAMPLE_SECRET, 'eu-west-1'),
      sesSmtpPassword(EXAMPLE_SECRET, 'eu-west-2'),
    );
    assert.notEqual(
      sesSmtpPassword(EXAMPLE_SECRET, 'eu-west-1'),
      sesSmtpPassword(`${EXAMPLE_SECRET.slice(0, -1)}X`, 'eu-west-1'),
    );
    assert.ok(!sesSmtpPassword(EXAMPLE_SECRET, 'eu-west-1').includes(EXAMPLE_SECRET));
  });

  it('refuses what is not a region or a key, and names the endpoint', () => {
    assert.throws(() => sesSmtpPassword(EXAMPLE_SECRET, 'Ireland'), /not an AWS region/);
    assert.throws(() => sesSmtpPassword('', 'eu-west-1'), /no secret access key/);
    assert.equal(sesSmtpEndpoint('eu-west-1'), 'email-smtp.eu-west-1.amazonaws.com');
  });
});
