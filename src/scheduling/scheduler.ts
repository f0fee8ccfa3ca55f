/**
 * Runs the periodic work that nobody clicks for: expiring approvals and grants, hiding
 * reveals whose time is up, rotation polls, the keys-due report. Each job finds its due work
 * in the store, so a restart loses nothing. `tick()` runs every job once; tests call it
 * directly after moving the injected clock.
 *
 * With several replicas sharing a store, each job runs under a lease (see {@link JobLeases}):
 * only the replica holding a job's lease runs it, so due work is not picked up by two
 * replicas at once (two polls of AWS, two Slack posts racing to the compare-and-set). The
 * jobs still act on each item through a compare-and-set, so even a lease lost mid-run (a
 * replica paused past its lease) cannot apply an item twice; the lease keeps the side
 * effects before that compare-and-set from happening twice.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { createJobLeases, type LeaseStore } from './lease.js';

export interface Job {
  name: string;
  /** Does the due work; returns how many items it handled (for logs). */
  run(): Promise<number>;
}

export interface Scheduler {
  /** Runs every job whose lease this process holds or can take, once. */
  tick(): Promise<void>;
  /**
   * One tick, then gives up every lease taken, for a process that runs one tick per
   * invocation (AWS Lambda's scheduled handler): the next invocation may be another process.
   */
  runOnce(): Promise<void>;
  start(): void;
  /** Stops ticking, waits for a running tick, and releases the leases so others take over at once. */
  stop(): Promise<void>;
}

/** Options for {@link createScheduler}. */
export interface SchedulerOptions {
  logger: Logger;
  clock: Clock;
  /** Where leases live (the state store). Every replica sharing it must pass the same store. */
  leases: LeaseStore;
  /** This process's owner id for leases (scheduling/replica-id.ts). */
  owner: string;
  /** Time between ticks (config `scheduler.interval_ms`). */
  intervalMs: number;
  /** How long a lease lasts without renewal (config `scheduler.lease_ms`); > intervalMs. */
  leaseMs: number;
  /** Take leases over at once from gone processes on this host (lease.ts); default true. */
  takeOverFromGoneLocalProcesses?: boolean;
  /**
   * Metrics hook: told of every timer-driven tick, how late it started after its due time (a
   * slow previous tick or a blocked event loop) and how long it ran.
   */
  onTick?: (tick: { lateMs: number; durationMs: number }) => void;
}

export function createScheduler(jobs: Job[], options: SchedulerOptions): Scheduler {
  const { logger, intervalMs } = options;
  const leases = createJobLeases(options);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function runJob(job: Job): Promise<void> {
    const held = await leases.hold(job.name, async () => {
      const n = await job.run();
      if (n > 0) logger.debug({ job: job.name, handled: n }, 'scheduled job ran');
    });
    if (!held) logger.trace({ job: job.name }, 'scheduled job skipped: another replica holds its lease');
  }

  async function tick(): Promise<void> {
    for (const job of jobs) {
      try {
        await runJob(job);
      } catch (err) {
        // One failing job must not stop the others, nor the next tick.
        logger.error({ job: job.name, err: { message: (err as Error).message } }, 'scheduled job failed');
      }
    }
  }

  return {
    tick,
    async runOnce() {
      try {
        await tick();
      } finally {
        await leases.releaseAll();
      }
    },
    start() {
      if (timer || jobs.length === 0) return;
      let dueAt = performance.now();
      const run = () => {
        if (running) return; // a slow tick is not overlapped by the next
        const started = performance.now();
        const lateMs = Math.max(0, started - dueAt);
        dueAt = started + intervalMs;
        running = tick().finally(() => {
          running = undefined;
          options.onTick?.({ lateMs, durationMs: performance.now() - started });
        });
      };
      timer = setInterval(run, intervalMs);
      timer.unref();
      // Catch up at once on what came due while no process was running (e.g. hides after a crash).
      run();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
      await leases.releaseAll();
    },
  };
}

/** What a feature hands back from `register`: work to finish before the process exits. */
export interface FeatureHandle {
  shutdown?(): Promise<void>;
  /** Periodic work the scheduler runs. */
  jobs?: Job[];
}
