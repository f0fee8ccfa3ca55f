import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLimiter } from '../../../src/scheduling/limiter.js';

/** A task that finishes when told to, and records when it started. */
function held(started: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    task: async () => {
      started.push(name);
      await done;
      return name;
    },
    finish: () => finish(),
  };
}

describe('createLimiter', () => {
  it('runs at most `limit` tasks at once, the others in arrival order as slots free', async () => {
    const limit = createLimiter(2);
    const started: string[] = [];
    const tasks = ['a', 'b', 'c', 'd'].map((n) => held(started, n));
    const results = tasks.map((t) => limit(t.task));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, ['a', 'b']);
    tasks[1]!.finish();
    await results[1];
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, ['a', 'b', 'c']);
    for (const t of tasks) t.finish();
    assert.deepEqual(await Promise.all(results), ['a', 'b', 'c', 'd']);
  });

  it('frees the slot of a task that fails, or throws before its first await', async () => {
    const limit = createLimiter(1);
    await assert.rejects(
      limit(() => Promise.reject(new Error('rejected'))),
      /rejected/,
    );
    await assert.rejects(
      limit(() => {
        throw new Error('thrown');
      }),
      /thrown/,
    );
    assert.equal(await limit(async () => 'still running'), 'still running');
  });

  it('refuses a limit that would run nothing', () => {
    assert.throws(() => createLimiter(0), RangeError);
    assert.throws(() => createLimiter(1.5), RangeError);
  });
});
