import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyFacts, lastUseOf, verdictFor } from '../../src/rotation/core/key-facts.js';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 5, 1, 12);
const daysAgo = (n: number) => new Date(NOW - n * DAY);

describe('key facts', () => {
  it('reads a never-used key (moto and AWS report ServiceName "N/A" and no date) as never', () => {
    assert.equal(lastUseOf({ ServiceName: 'N/A', Region: 'N/A' }), 'never');
    assert.equal(lastUseOf(undefined), 'never');
    assert.deepEqual(lastUseOf({ LastUsedDate: daysAgo(1), ServiceName: 'sts', Region: 'eu-west-1' }), {
      at: NOW - DAY,
      service: 'sts',
      region: 'eu-west-1',
    });
  });

  it('lists each key with status, creation, whole days of age and last use, oldest first', () => {
    const facts = keyFacts(
      [
        { AccessKeyId: 'AKIANEW', Status: 'Active', CreateDate: daysAgo(3) },
        { AccessKeyId: 'AKIAOLD', Status: 'Inactive', CreateDate: new Date(NOW - 100 * DAY - 5000) },
        { Status: 'Active' },
      ],
      {
        AKIAOLD: { LastUsedDate: daysAgo(2), ServiceName: 's3', Region: 'us-east-1' },
        AKIANEW: { ServiceName: 'N/A', Region: 'N/A' },
      },
      NOW,
      { maxKeyAgeDays: 90 },
    );
    assert.deepEqual(facts, [
      {
        id: 'AKIAOLD',
        status: 'Inactive',
        createdAt: NOW - 100 * DAY - 5000,
        ageDays: 100,
        lastUsed: { at: NOW - 2 * DAY, service: 's3', region: 'us-east-1' },
        verdict: 'overdue',
      },
      {
        id: 'AKIANEW',
        status: 'Active',
        createdAt: NOW - 3 * DAY,
        ageDays: 3,
        lastUsed: 'never',
        verdict: 'ok',
      },
    ]);
  });

  it('judges age against max_key_age_days: ok, due within 14 days, overdue at the maximum', () => {
    const used = { at: NOW, service: 'sts', region: 'eu-west-1' };
    const opts = { maxKeyAgeDays: 90 };
    assert.equal(verdictFor(75 * DAY - 1, used, opts), 'ok');
    assert.equal(verdictFor(76 * DAY, used, opts), 'due');
    assert.equal(verdictFor(89 * DAY, used, opts), 'due');
    assert.equal(verdictFor(90 * DAY, used, opts), 'overdue');
    assert.equal(verdictFor(30 * DAY, used, { maxKeyAgeDays: 30, dueSoonDays: 5 }), 'overdue');
    assert.equal(verdictFor(26 * DAY, used, { maxKeyAgeDays: 30, dueSoonDays: 5 }), 'due');
  });

  it('calls a never-used key older than 7 days unused-old, before any age verdict', () => {
    const opts = { maxKeyAgeDays: 90 };
    assert.equal(verdictFor(7 * DAY, 'never', opts), 'ok');
    assert.equal(verdictFor(7 * DAY + 1, 'never', opts), 'unused-old');
    assert.equal(verdictFor(200 * DAY, 'never', opts), 'unused-old');
    assert.equal(verdictFor(10 * DAY, 'never', { maxKeyAgeDays: 90, unusedAfterDays: 30 }), 'ok');
  });

  it('treats a key "created in the future" (clock skew with AWS) as 0 days old', () => {
    const [fact] = keyFacts([{ AccessKeyId: 'AKIA1', CreateDate: new Date(NOW + 60_000) }], {}, NOW, {
      maxKeyAgeDays: 90,
    });
    assert.equal(fact?.ageDays, 0);
    assert.equal(fact?.status, 'Active');
  });
});
