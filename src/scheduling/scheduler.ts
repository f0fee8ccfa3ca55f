/**
 * Runs the periodic work that nobody clicks for: expiring approvals and grants, hiding
 * reveals whose time is up (and, later, rotation polls). Each job finds its due work in the
 * store, so a restart loses nothing. `tick()` runs every job once; tests call it directly
 * after moving the injected clock.
 */
import type { Logger } from 'pino';

export interface Job {
  name: string;
  /** Does the due work; returns how many items it handled (for logs). */
  run(): Promise<number>;
}

export interface Scheduler {
  tick(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export function createScheduler(jobs: Job[], logger: Logger, intervalMs = 5000): Scheduler {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function tick(): Promise<void> {
    for (const job of jobs) {
      try {
        const n = await job.run();
        if (n > 0) logger.debug({ job: job.name, handled: n }, 'scheduled job ran');
      } catch (err) {
        // One failing job must not stop the others, nor the next tick.
        logger.error({ job: job.name, err: { message: (err as Error).message } }, 'scheduled job failed');
      }
    }
  }

  return {
    tick,
    start() {
      if (timer || jobs.length === 0) return;
      const run = () => {
        if (running) return; // a slow tick is not overlapped by the next
        running = tick().finally(() => {
          running = undefined;
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
    },
  };
}
