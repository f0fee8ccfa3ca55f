/**
 * Two schedulers sharing one store, in one process: two replicas as far as the scheduler can
 * tell (each has its own owner id; only the store is shared). The clock is injected, so a
 * lease expires exactly when the test moves it. SQLite keeps this fast; the store contract
 * proves the same lease semantics for DynamoDB, and replicas.test.ts runs real processes on it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parseConfigFile } from '../../src/config.js';
import { createScheduler, type Job, type Scheduler } from '../../src/scheduling/scheduler.js';
import { leaseName } from '../../src/scheduling/lease.js';
import { hostname } from 'node:os';
import { createReplicaId, isGoneLocalProcess, parseReplicaId } from '../../src/scheduling/replica-id.js';
import { openSqliteStore, type Store } from '../../src/store/index.js';
import { config } from '../support/fixtures.js';
import { captureLogger } from '../support/log-capture.js';

const LEASE_MS = 30_000;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

let store: Store;
let now = T0;
const clock = { now: () => now };

/** A job that records which replica ran it, and can be made slow. */
function countingJob(name: string, runs: string[], replica: string, slowMs = 0): Job {
  return {
    name,
    async run() {
      runs.push(replica);
      if (slowMs) await delay(slowMs);
      return 1;
    },
  };
}

function replica(owner: string, jobs: Job[], leaseMs = LEASE_MS): { scheduler: Scheduler; logs: string[] } {
  const { logger, lines } = captureLogger('debug');
  return {
    scheduler: createScheduler(jobs, { logger, clock, leases: store, owner, intervalMs: 1000, leaseMs }),
    logs: lines,
  };
}

beforeEach(() => {
  now = T0;
  store = openSqliteStore({ dataDir: mkdtempSync(join(tmpdir(), 'locksmith-leases-')) });
});
afterEach(async () => {
  await store.close();
});

describe('scheduler leases across replicas', () => {
  it('only the replica holding a job’s lease runs it, tick after tick', async () => {
    const runs: string[] = [];
    const a = replica('replica-a', [countingJob('hides.secret', runs, 'a')]);
    const b = replica('replica-b', [countingJob('hides.secret', runs, 'b')]);
    for (let i = 0; i < 5; i++) {
      await a.scheduler.tick();
      await b.scheduler.tick();
      now += 5000; // well within the lease, which each of a's ticks renews
    }
    assert.deepEqual(runs, ['a', 'a', 'a', 'a', 'a']);
    assert.equal((await store.getLease(leaseName('hides.secret')))?.owner, 'replica-a');
  });

  it('each job has its own lease: a replica can run one job while another holds a different one', async () => {
    const runs: string[] = [];
    const a = replica('replica-a', [countingJob('approvals.expire', runs, 'a:approvals')]);
    const b = replica('replica-b', [
      countingJob('approvals.expire', runs, 'b:approvals'),
      countingJob('grants.expire', runs, 'b:grants'),
    ]);
    await a.scheduler.tick();
    await b.scheduler.tick();
    assert.deepEqual(runs, ['a:approvals', 'b:grants']);
  });

  it('a holder that died is taken over only once its lease has run out', async () => {
    const runs: string[] = [];
    const a = replica('replica-a', [countingJob('rotation.resume', runs, 'a')]);
    const b = replica('replica-b', [countingJob('rotation.resume', runs, 'b')]);
    await a.scheduler.tick();
    // a dies here: it neither ticks nor releases again.
    now += LEASE_MS - 1;
    await b.scheduler.tick();
    assert.deepEqual(runs, ['a'], 'not before the lease ends');
    now += 1;
    await b.scheduler.tick();
    assert.deepEqual(runs, ['a', 'b'], 'taken over when it ends');
    assert.ok(b.logs.some((l) => /"msg":"scheduler lease taken"/.test(l) && /rotation.resume/.test(l)));
  });

  it('a replica that stops gracefully releases its leases: another takes over at once', async () => {
    const runs: string[] = [];
    const a = replica('replica-a', [countingJob('grants.expire', runs, 'a')]);
    const b = replica('replica-b', [countingJob('grants.expire', runs, 'b')]);
    await a.scheduler.tick();
    await a.scheduler.stop();
    await b.scheduler.tick();
    assert.deepEqual(runs, ['a', 'b']);
  });

  it('runOnce (the Lambda tick) gives its leases back afterwards', async () => {
    const runs: string[] = [];
    const a = replica('replica-a', [countingJob('hides.secret', runs, 'a')]);
    const b = replica('replica-b', [countingJob('hides.secret', runs, 'b')]);
    await a.scheduler.runOnce();
    assert.equal(await store.getLease(leaseName('hides.secret')), undefined);
    await b.scheduler.runOnce();
    assert.deepEqual(runs, ['a', 'b']);
  });

  it('a run longer than the lease keeps it by renewing, so nobody else starts the job meanwhile', async () => {
    const runs: string[] = [];
    // A real-time clock here: renewals happen on a timer while the slow job runs.
    now = Date.now();
    const realClock = { now: () => Date.now() };
    const { logger } = captureLogger('debug');
    // The lease is long enough that its renewals (every third of it) still land in time when a
    // loaded machine runs timers late (with 300 ms, a 200 ms late renewal lost it); the job runs
    // for over twice the lease.
    const leaseMs = 1500;
    const slow = createScheduler([countingJob('rotation.resume', runs, 'a', 2 * leaseMs + 600)], {
      logger,
      clock: realClock,
      leases: store,
      owner: 'replica-a',
      intervalMs: 100,
      leaseMs,
    });
    const other = createScheduler([countingJob('rotation.resume', runs, 'b')], {
      logger,
      clock: realClock,
      leases: store,
      owner: 'replica-b',
      intervalMs: 100,
      leaseMs,
    });
    let finished = false;
    const running = slow.tick().finally(() => (finished = true));
    let othersTicks = 0;
    while (!finished) {
      await delay(100); // the other replica tries all along the run, past the lease twice over
      await other.tick();
      othersTicks++;
    }
    await running;
    assert.ok(othersTicks >= 2, `the other replica tried while the job ran (${othersTicks} times)`);
    assert.deepEqual(runs, ['a'], 'the other replica never ran the job while it was running');
    await delay(leaseMs + 50);
    await other.tick();
    assert.deepEqual(runs, ['a', 'b'], 'once renewals stop, the lease runs out');
  });

  it('a job that throws does not keep the other jobs from running', async () => {
    const runs: string[] = [];
    const { logger, lines } = captureLogger('debug');
    const s = createScheduler(
      [
        {
          name: 'broken',
          run: () => Promise.reject(new Error('boom')),
        },
        countingJob('fine', runs, 'a'),
      ],
      { logger, clock, leases: store, owner: 'replica-a', intervalMs: 1000, leaseMs: LEASE_MS },
    );
    await s.tick();
    assert.deepEqual(runs, ['a']);
    assert.ok(lines.some((l) => /scheduled job failed/.test(l) && /boom/.test(l)));
  });
});

describe('replica ids and gone local processes', () => {
  const me = 'web-1:42:mhz3k2a1.0badcafe';
  const self = { id: me, running: (pid: number) => pid === 42 || pid === 77 };

  it('an id names the host, the PID and the process start, and is unique per scheduler', () => {
    const a = createReplicaId();
    const b = createReplicaId();
    assert.notEqual(a, b);
    const parts = parseReplicaId(a);
    assert.equal(parts?.host, hostname());
    assert.equal(parts?.pid, process.pid);
    assert.equal(parts?.started, parseReplicaId(b)?.started, 'the same process start for both');
    assert.equal(parseReplicaId('replica-a'), undefined);
  });

  it('a holder is gone only when it was on this host and its PID runs no process, or is ours from an earlier start', () => {
    assert.equal(isGoneLocalProcess('web-1:99:mhz3k2a1.00000001', self), true, 'PID 99 runs nothing');
    assert.equal(
      isGoneLocalProcess('web-1:42:mhz1aaaa.00000001', self),
      true,
      'our PID, an earlier start: a restart',
    );
    assert.equal(
      isGoneLocalProcess('web-1:42:mhz3k2a1.00000002', self),
      false,
      'another scheduler in this process',
    );
    assert.equal(isGoneLocalProcess('web-1:77:mhz3k2a1.00000001', self), false, 'PID 77 runs');
    assert.equal(
      isGoneLocalProcess('web-2:99:mhz3k2a1.00000001', self),
      false,
      'another host: only its lease says',
    );
    assert.equal(isGoneLocalProcess('replica-b', self), false, 'not an id we can read');
    assert.equal(isGoneLocalProcess(me, self), false, 'never ourselves');
  });

  it('a restarted process takes its dead predecessor’s leases at once; with the takeover off it waits', async () => {
    // A PID above Linux's maximum: certainly no process.
    const dead = `${hostname()}:99999999:mhz1aaaa.0000dead`;
    await store.acquireLease(leaseName('hides.secret'), dead, T0 + LEASE_MS, T0);
    const runs: string[] = [];
    const { logger } = captureLogger('debug');
    const options = { logger, clock, leases: store, intervalMs: 1000, leaseMs: LEASE_MS };
    const waiting = createScheduler([countingJob('hides.secret', runs, 'lambda')], {
      ...options,
      owner: createReplicaId(),
      takeOverFromGoneLocalProcesses: false,
    });
    await waiting.tick();
    assert.deepEqual(runs, [], 'with the takeover off, the lease must run out');

    const { logger: restartedLogger, lines } = captureLogger('debug');
    const restarted = createScheduler([countingJob('hides.secret', runs, 'restarted')], {
      ...options,
      logger: restartedLogger,
      owner: createReplicaId(),
    });
    await restarted.tick();
    assert.deepEqual(runs, ['restarted']);
    assert.ok(lines.some((l) => /taken over from a process that is gone/.test(l) && l.includes(dead)));
  });
});

describe('scheduler config', () => {
  it('defaults to a 5 s tick and a 30 s lease; the example file parses; a lease shorter than two ticks is refused', () => {
    assert.deepEqual(parseConfigFile(config, 't').scheduler, { interval_ms: 5000, lease_ms: 30_000 });
    const example = parseYaml(readFileSync(join(import.meta.dirname, '../../locksmith.example.yml'), 'utf8'));
    assert.deepEqual(
      parseConfigFile({ ...example, scheduler: { interval_ms: 200, lease_ms: 1500 } }, 'ex').scheduler,
      {
        interval_ms: 200,
        lease_ms: 1500,
      },
    );
    assert.throws(
      () => parseConfigFile({ ...config, scheduler: { interval_ms: 5000, lease_ms: 6000 } }, 't'),
      /t: scheduler\.lease_ms: lease_ms must be at least twice interval_ms/,
    );
    assert.throws(
      () => parseConfigFile({ ...config, scheduler: { every: 5 } }, 't'),
      /unknown field\(s\) "every"/,
    );
  });
});
