/**
 * Job leases: "only the replica holding `scheduler:<job>` runs that job". A lease lasts
 * `leaseMs` from its last renewal, by the injected clock. The holder renews it at every tick
 * (ticks come every `intervalMs` < `leaseMs`) and every `leaseMs / 3` while a job runs, so a
 * live holder keeps it; a holder that dies (SIGKILL, a lost host, a frozen Lambda) stops
 * renewing, and another replica takes the lease over once `until` has passed.
 *
 * Leases are sticky on purpose: the holder keeps a job until it stops, instead of replicas
 * taking turns. That keeps one replica's in-process timers (auto-hides) and the job on the
 * same side most of the time, and costs one conditional write per job per tick.
 *
 * Clocks: `until` is written with the holder's clock and compared with the taker's, so the
 * replicas' clocks must agree to well within `leaseMs` (NTP-synchronised hosts do).
 *
 * A restart need not wait for its own dead predecessor's leases: a holder that was a process
 * on this host and is gone (replica-id.ts) is taken over at once. That is what keeps the one
 * container with SQLite catching up on hides right after a crash, as it did before leases.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/store.js';
import { isGoneLocalProcess, pidRunning } from './replica-id.js';

/** The part of the store leases need. */
export type LeaseStore = Pick<Store, 'acquireLease' | 'releaseLease' | 'getLease'>;

/** What {@link createJobLeases} needs. */
export interface JobLeaseOptions {
  leases: LeaseStore;
  owner: string;
  clock: Clock;
  logger: Logger;
  leaseMs: number;
  /**
   * Take leases over at once from processes on this host that are gone (default true). Off on
   * AWS Lambda, where instances may share a host name and a PID.
   */
  takeOverFromGoneLocalProcesses?: boolean;
}

/** The leases of one scheduler. */
export interface JobLeases {
  /**
   * Runs `work` if this process holds, or can take, the lease of job `job`, renewing the
   * lease while `work` runs. False (and `work` not run) when another replica holds it.
   */
  hold(job: string, work: () => Promise<void>): Promise<boolean>;
  /** Gives up every lease this process holds (at shutdown, or after a one-off tick). */
  releaseAll(): Promise<void>;
}

/** The store name of a job's lease. */
export const leaseName = (job: string): string => `scheduler:${job}`;

export function createJobLeases(options: JobLeaseOptions): JobLeases {
  const { leases, owner, clock, logger, leaseMs } = options;
  const takeOver = options.takeOverFromGoneLocalProcesses ?? true;
  const self = { id: owner, running: pidRunning };
  const held = new Set<string>();

  /** Takes the lease from its holder if that holder was a process on this host that is gone. */
  async function takeOverFromGone(name: string, job: string, now: number): Promise<boolean> {
    const holder = await leases.getLease(name);
    if (!holder || holder.until <= now || !isGoneLocalProcess(holder.owner, self)) return false;
    const ok = await leases.acquireLease(name, owner, now + leaseMs, now, holder.owner);
    if (ok)
      logger.info(
        { job, lease: name, owner, previous: holder.owner },
        'scheduler lease taken over from a process that is gone',
      );
    return ok;
  }

  /** Takes or renews; logs the moments this process gains or loses the lease. */
  async function acquire(name: string, job: string): Promise<boolean> {
    const now = clock.now();
    let ok = await leases.acquireLease(name, owner, now + leaseMs, now);
    if (!ok && takeOver && !held.has(name)) ok = await takeOverFromGone(name, job, now);
    if (ok && !held.has(name)) {
      held.add(name);
      logger.info({ job, lease: name, owner, lease_ms: leaseMs }, 'scheduler lease taken');
    } else if (!ok && held.delete(name)) {
      // Only when this process was paused past `until` and another replica took over.
      logger.warn({ job, lease: name, owner }, 'scheduler lease lost to another replica');
    }
    return ok;
  }

  return {
    async hold(job, work) {
      const name = leaseName(job);
      if (!(await acquire(name, job))) return false;
      let renewal: Promise<unknown> = Promise.resolve();
      // A third of the lease: two renewals may fail (a slow store) before it runs out.
      const renew = setInterval(
        () => {
          renewal = acquire(name, job).catch((err: Error) =>
            logger.warn({ job, err: { message: err.message } }, 'scheduler lease renewal failed'),
          );
        },
        Math.max(1, Math.floor(leaseMs / 3)),
      );
      renew.unref();
      try {
        await work();
      } finally {
        clearInterval(renew);
        // A renewal still in flight must land before a release, or it would take the lease back.
        await renewal;
      }
      return true;
    },
    async releaseAll() {
      const names = [...held];
      held.clear();
      await Promise.all(
        names.map((name) =>
          leases.releaseLease(name, owner).catch((err: Error) =>
            // Not fatal: the lease then simply runs out after leaseMs.
            logger.warn({ lease: name, err: { message: err.message } }, 'scheduler lease not released'),
          ),
        ),
      );
    },
  };
}
