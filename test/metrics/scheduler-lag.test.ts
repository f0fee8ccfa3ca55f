/** The scheduler's metrics hook reports how late each tick started and how long it ran. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { createScheduler } from '../../src/scheduling/scheduler.js';

/** Leases that are always granted: one process, nothing to share. */
const leases = {
  acquireLease: async () => true,
  releaseLease: async () => true,
  getLease: async () => undefined,
};

describe('scheduler lag hook', () => {
  it('reports a tick delayed by a slow one before it as late', async () => {
    const ticks: { lateMs: number; durationMs: number }[] = [];
    let runs = 0;
    const scheduler = createScheduler(
      [
        {
          name: 'slow',
          // The first run takes 4 intervals: the ticks due meanwhile are skipped, so the next is late.
          run: async () => {
            runs += 1;
            if (runs === 1) await new Promise((r) => setTimeout(r, 120));
            return 0;
          },
        },
      ],
      {
        logger: pino({ level: 'silent' }),
        clock: { now: () => Date.now() },
        leases,
        owner: 'test',
        intervalMs: 30,
        leaseMs: 1000,
        takeOverFromGoneLocalProcesses: false,
        onTick: (t) => ticks.push(t),
      },
    );
    scheduler.start();
    while (ticks.length < 2) await new Promise((r) => setTimeout(r, 10));
    await scheduler.stop();
    assert.ok(ticks[0]!.lateMs < 30, `the catch-up tick at start is on time (${ticks[0]!.lateMs} ms)`);
    assert.ok(
      ticks[0]!.durationMs >= 100,
      `the slow tick's duration is measured (${ticks[0]!.durationMs} ms)`,
    );
    assert.ok(ticks[1]!.lateMs >= 60, `the next tick started late (${ticks[1]!.lateMs} ms)`);
  });
});
