/**
 * The auto-hider under a burst: every /totp reply of one code period hides at the same instant,
 * so hides must queue (a few posts at a time) without losing one or hiding a refreshed reveal
 * on its old schedule.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { systemClock } from '../../../src/clock.js';
import { createAutoHider, HIDES_AT_ONCE } from '../../../src/secrets/auto-hide.js';
import { openSqliteStore, type SqliteStore } from '../../../src/store/index.js';

let store: SqliteStore;
beforeEach(() => {
  store = openSqliteStore({ dataDir: mkdtempSync(join(tmpdir(), 'locksmith-hide-')) });
});
afterEach(() => store.close());

/** A response_url poster that records every post and how many were in flight at once. */
function recordingPoster(delayMs: () => Promise<void>) {
  const posted: Array<{ url: string; body: Record<string, unknown> }> = [];
  let inFlight = 0;
  let mostAtOnce = 0;
  return {
    posted,
    get mostAtOnce() {
      return mostAtOnce;
    },
    post: async (url: string, body: Record<string, unknown>) => {
      inFlight++;
      mostAtOnce = Math.max(mostAtOnce, inFlight);
      try {
        await delayMs();
        posted.push({ url, body });
      } finally {
        inFlight--;
      }
    },
  };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('auto-hide under a burst', () => {
  it(`hides every reveal that came due at once, at most ${HIDES_AT_ONCE} posts at a time, each once`, async () => {
    const poster = recordingPoster(() => new Promise((r) => setTimeout(r, 3)));
    const hider = createAutoHider(
      { store, clock: systemClock, postToResponseUrl: poster.post, logger: pino({ level: 'silent' }) },
      'secret',
    );
    const n = 60;
    for (let i = 0; i < n; i++) hider.schedule(`r${i}`, `https://hooks.example/r${i}`, 'shared/db', 20);
    await until(() => poster.posted.length === n, `${n} hides`);
    assert.equal(new Set(poster.posted.map((p) => p.url)).size, n);
    assert.ok(poster.mostAtOnce <= HIDES_AT_ONCE, `${poster.mostAtOnce} posts in flight at once`);
    assert.ok(poster.mostAtOnce > 1, 'hides in a burst still go out side by side');
    assert.equal(hider.pending, 0);
    // Every stored hide was claimed: a restart would not hide anything twice.
    assert.deepEqual(await store.query({ kind: 'hide' }), []);
  });

  it('does not hide a reveal refreshed while its old hide waited in the queue', async () => {
    const releases: Array<() => void> = [];
    const poster = recordingPoster(() => new Promise<void>((r) => releases.push(r)));
    const hider = createAutoHider(
      { store, clock: systemClock, postToResponseUrl: poster.post, logger: pino({ level: 'silent' }) },
      'secret',
    );
    // Fill every slot with a hide whose post hangs, then let one more come due: it queues.
    for (let i = 0; i < HIDES_AT_ONCE; i++)
      hider.schedule(`busy${i}`, `https://hooks.example/busy${i}`, 'a', 1);
    hider.schedule('refreshed', 'https://hooks.example/old', 'a', 1);
    await until(() => releases.length === HIDES_AT_ONCE, 'the slots to fill');
    await new Promise((r) => setTimeout(r, 20));
    // The person refreshes the reveal: a new response_url, a new minute.
    hider.schedule('refreshed', 'https://hooks.example/new', 'a', 60_000);
    for (const release of releases) release();
    await until(() => poster.posted.length === HIDES_AT_ONCE, 'the busy hides');
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(
      poster.posted.filter((p) => p.url.includes('hooks.example/old') || p.url.includes('/new')),
      [],
    );
    assert.equal(hider.pending, 1);
    assert.equal(hider.cancel('refreshed'), 'a');
  });
});
