import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPacer } from '../../../src/scheduling/pacer.js';

describe('createPacer', () => {
  it('spaces calls to the rate, in the order they ask, and lets a call through at once after a pause', async () => {
    let now = 0;
    const slept: number[] = [];
    const pacer = createPacer(20, {
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    await Promise.all([pacer.wait(), pacer.wait(), pacer.wait()]);
    assert.deepEqual(slept, [50, 100], 'the second waits one gap, the third two');
    now = 1000;
    slept.length = 0;
    await pacer.wait();
    assert.deepEqual(slept, [], 'after a quiet spell the next call goes at once');
  });

  it('refuses a rate that is not positive', () => {
    assert.throws(() => createPacer(0), RangeError);
  });
});
