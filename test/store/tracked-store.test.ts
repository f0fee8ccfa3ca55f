/**
 * trackStore: the Lambda entry waits for `settled()` before an invocation returns, so a write
 * a listener started in the background (an auto-hide's get-then-create) is not frozen halfway.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { openSqliteStore, type Store } from '../../src/store/index.js';
import { trackStore } from '../../src/store/tracked-store.js';

/** A real store whose every call takes `ms` longer, like a network round trip. */
function slowStore(inner: Store, ms: number): Store {
  const slow =
    <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      await delay(ms);
      return fn(...a);
    };
  return {
    create: slow(inner.create.bind(inner)) as Store['create'],
    get: slow(inner.get.bind(inner)) as Store['get'],
    update: slow(inner.update.bind(inner)) as Store['update'],
    delete: slow(inner.delete.bind(inner)),
    query: slow(inner.query.bind(inner)) as Store['query'],
    acquireLease: slow(inner.acquireLease.bind(inner)),
    releaseLease: slow(inner.releaseLease.bind(inner)),
    getLease: slow(inner.getLease.bind(inner)),
    rememberOnce: slow(inner.rememberOnce.bind(inner)),
    close: () => inner.close(),
  };
}

describe('trackStore', () => {
  it('settled() waits for a background read-then-write chain to finish, not just the call in flight', async () => {
    const inner = openSqliteStore({ dataDir: mkdtempSync(join(tmpdir(), 'locksmith-tracked-')) });
    const { store, settled } = trackStore(slowStore(inner, 30));
    try {
      // What auto-hide does after a reveal, without the listener awaiting it.
      void store.get('hide', 'h1').then(async (existing) => {
        if (!existing) await store.create({ kind: 'hide', id: 'h1', state: 'pending', data: {} }, 1);
      });
      await settled();
      assert.equal((await inner.get('hide', 'h1'))?.version, 1, 'the write had landed');
    } finally {
      await inner.close();
    }
  });

  it('settled() resolves at once when nothing is in flight, and calls pass through unchanged', async () => {
    const inner = openSqliteStore({ dataDir: mkdtempSync(join(tmpdir(), 'locksmith-tracked-')) });
    const { store, settled } = trackStore(inner);
    try {
      await settled();
      await store.create({ kind: 'grant', id: 'g', state: 'open', data: { a: 1 } }, 5);
      assert.deepEqual((await store.get('grant', 'g'))?.data, { a: 1 });
      assert.equal(await store.acquireLease('l', 'me', 10, 0), true);
      assert.equal((await store.getLease('l'))?.owner, 'me');
      await settled();
    } finally {
      await inner.close();
    }
  });
});
