import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { every, ordinal, plural } from '../../../src/core/text.js';

describe('wording helpers', () => {
  it('plural: singular for exactly one, plural otherwise', () => {
    assert.equal(plural(1, 'hour'), '1 hour');
    assert.equal(plural(0, 'hour'), '0 hours');
    assert.equal(plural(24, 'hour'), '24 hours');
    assert.equal(plural(1, 'access', 'accesses'), '1 access');
    assert.equal(plural(2, 'access', 'accesses'), '2 accesses');
    assert.equal(plural(1200, 'secret'), '1,200 secrets');
  });

  it('every: "every minute", never "every 1 minutes"', () => {
    assert.equal(every(1, 'minute'), 'every minute');
    assert.equal(every(15, 'minute'), 'every 15 minutes');
  });

  it('ordinal: 1st 2nd 3rd 4th, 11th-13th, 21st 22nd 23rd, 101st 111th', () => {
    const got = [1, 2, 3, 4, 10, 11, 12, 13, 21, 22, 23, 101, 111, 112].map(ordinal);
    assert.deepEqual(got, [
      '1st',
      '2nd',
      '3rd',
      '4th',
      '10th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '23rd',
      '101st',
      '111th',
      '112th',
    ]);
  });
});
