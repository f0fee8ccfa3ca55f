/** Approvals and rotations by state: read from the store at scrape time, capped and cached. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordQuery, StoredRecord } from '../../src/store/store.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { COUNTED_STATES, createStateCounter } from '../../src/metrics/store-states.js';
import { valueOf } from './exposition.js';

/** A store holding `n` records per kind and state, that counts the queries it answers. */
function fakeStore(counts: Record<string, number>) {
  const queries: RecordQuery[] = [];
  return {
    queries,
    async query<T>(q: RecordQuery): Promise<StoredRecord<T>[]> {
      queries.push(q);
      const n = counts[`${q.kind}:${q.states?.[0]}`] ?? 0;
      return Array.from({ length: Math.min(n, q.limit ?? n) }, () => ({}) as StoredRecord<T>);
    },
  };
}

describe('state counts', () => {
  it('count every approval and rotation state, stopping at the cap', async () => {
    const store = fakeStore({ 'approval:pending': 3, 'rotation:switch-over': 5000, 'rotation:done': 2 });
    const counts = await createStateCounter(store, { cap: 1000 })();
    assert.equal(counts?.approval.get('pending'), 3);
    assert.equal(counts?.approval.get('expired'), 0);
    assert.equal(counts?.rotation.get('switch-over'), 1000);
    assert.equal(counts?.rotation.get('done'), 2);
    assert.ok(
      store.queries.every((q) => q.limit === 1000),
      'every query is bounded',
    );
    assert.equal(store.queries.length, COUNTED_STATES.approval.length + COUNTED_STATES.rotation.length);
  });

  it('are reused within the cache period, so frequent scrapes cost one round of queries', async () => {
    const store = fakeStore({});
    const counter = createStateCounter(store, { cacheMs: 60_000 });
    await Promise.all([counter(), counter()]);
    await counter();
    assert.equal(store.queries.length, COUNTED_STATES.approval.length + COUNTED_STATES.rotation.length);
  });

  it('leave the gauges out, and the rest of /metrics working, when the store fails', async () => {
    const metrics = createMetrics({
      defaultMetrics: false,
      store: {
        async query() {
          throw new Error('store down');
        },
      },
    });
    metrics.observeSchedulerTick({ lateMs: 0, durationMs: 1 });
    const { body } = await metrics.render();
    assert.equal(valueOf(body, 'locksmith_approvals', { state: 'pending' }), undefined);
    assert.equal(valueOf(body, 'locksmith_scheduler_tick_duration_seconds_count'), 1);
  });
});
