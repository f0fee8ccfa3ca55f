import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTrailRateLimiter } from '../../../src/trail/rate-limit.js';

/** Virtual time: sleeping moves the clock, so the tests are instant and exact. */
function virtualTime() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

describe('the CloudTrail rate limiter', () => {
  it('spaces requests of one bucket so that no second holds more than two', async () => {
    const time = virtualTime();
    const limiter = createTrailRateLimiter({ requestsPerSecond: 2, marginMs: 50, ...time });
    const starts: number[] = [];
    for (let i = 0; i < 6; i++) {
      assert.equal(await limiter.acquire('123/eu-west-1', Infinity), true);
      starts.push(time.now());
    }
    assert.deepEqual(starts, [0, 550, 1100, 1650, 2200, 2750]);
    for (let i = 2; i < starts.length; i++) assert.ok(starts[i]! - starts[i - 2]! > 1000);
  });

  it('keeps buckets apart: another Region or account has its own allowance', async () => {
    const time = virtualTime();
    const limiter = createTrailRateLimiter({ requestsPerSecond: 2, ...time });
    await limiter.acquire('123/eu-west-1', Infinity);
    await limiter.acquire('123/us-east-1', Infinity);
    await limiter.acquire('456/eu-west-1', Infinity);
    assert.equal(time.now(), 0);
  });

  it('refuses at once a slot past the deadline, reserving nothing', async () => {
    const time = virtualTime();
    const limiter = createTrailRateLimiter({ requestsPerSecond: 2, marginMs: 0, ...time });
    await limiter.acquire('b', 100);
    assert.equal(await limiter.acquire('b', 400), false, 'the next slot is at 500');
    assert.equal(time.now(), 0, 'no wait for a refused slot');
    assert.equal(await limiter.acquire('b', 500), true);
  });

  it('hands out slots in the order they are asked for, across concurrent callers', async () => {
    let t = 0;
    const waits: Array<{ until: number; resolve: () => void }> = [];
    const limiter = createTrailRateLimiter({
      requestsPerSecond: 2,
      marginMs: 0,
      now: () => t,
      sleep: (ms) => new Promise<void>((resolve) => waits.push({ until: t + ms, resolve })),
    });
    const order: string[] = [];
    const asks = ['a', 'b', 'c'].map(async (who) => {
      await limiter.acquire('bucket', Infinity);
      order.push(who);
    });
    await new Promise((r) => setImmediate(r));
    for (const w of waits.sort((x, y) => x.until - y.until)) {
      t = w.until;
      w.resolve();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(asks);
    assert.deepEqual(order, ['a', 'b', 'c']);
  });

  it('backs a bucket off after AWS throttled it anyway', async () => {
    const time = virtualTime();
    const limiter = createTrailRateLimiter({ requestsPerSecond: 2, ...time });
    limiter.backOff('b', 1000);
    await limiter.acquire('b', Infinity);
    assert.equal(time.now(), 1000);
  });
});
