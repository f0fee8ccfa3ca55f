/**
 * Hides revealed messages after their time is up by replacing the ephemeral message through
 * its response_url (the only way Slack allows an ephemeral message to be changed).
 *
 * Each pending hide is kept twice: a timer in this process for punctuality, and a record in the
 * store (response_url and what to say, never the value) so that a hide survives a crash or
 * restart: the scheduler's job finds records past due and hides them. Whoever deletes the
 * record first (compare-and-set on its version) posts the replacement, so a message is hidden
 * once even when the timer and the job race. On a graceful shutdown every pending hide is
 * carried out without waiting for its time.
 *
 * Hides are carried out a few at a time (HIDES_AT_ONCE), at shutdown too. They come due in bursts: every /totp
 * reply of one 30-second code period hides at the same instant, and at 100 people that was
 * 3,000 store deletes and response_url posts (each on a new connection) in one turn of the event
 * loop: the bot answered nothing for up to 2 s (measured by `npm run bench`). Queued, a burst
 * costs the hides a little punctuality instead of costing everyone their ack.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { createLimiter } from '../scheduling/limiter.js';
import type { Job } from '../scheduling/scheduler.js';
import type { SlackMessage } from '../slack/block-kit.js';
import type { ResponseUrlPoster } from '../slack/response-url.js';
import type { Store } from '../store/store.js';
import { buildHiddenMessage } from './reveal-blocks.js';

/** Hides in flight at once per feature; enough to keep up with Slack, few enough to share the loop. */
export const HIDES_AT_ONCE = 8;

/** Why a message is being hidden by the hider. */
export type HideReason = 'expired' | 'shutdown';

/**
 * What replaces a message when it hides; `target` is what was scheduled with it (for /secret,
 * the secret's name).
 */
export type HiddenMessageBuilder<T> = (target: T, reason: HideReason) => SlackMessage;

/** The stored form of a pending hide. */
interface HideData<T> {
  responseUrl: string;
  target: T;
}

interface PendingHide<T> extends HideData<T> {
  timer: NodeJS.Timeout;
  /** The store record's version once written; undefined while the write is in flight. */
  version?: number;
}

/**
 * `T` is what a feature needs to word the hidden message: the secret's name for /secret (the
 * default), the secret and field for /totp. It must be JSON-serialisable.
 */
export interface AutoHider<T = string> {
  /**
   * Hides the message after `ttlMs`. Scheduling again under the same id replaces the earlier
   * hide, so a message refreshed in place hides on its new schedule, through its newest
   * response_url.
   */
  schedule(revealId: string, responseUrl: string, target: T, ttlMs: number): void;
  /** Cancels a hide done by other means (the "Hide now" button); gives what was scheduled. */
  cancel(revealId: string): T | undefined;
  /** Hides every pending reveal of this process now; used at shutdown. */
  flush(): Promise<void>;
  /** Hides what is past due in the store (e.g. left by a process that crashed). */
  readonly job: Job;
  readonly pending: number;
}

export interface AutoHiderDeps {
  store: Store;
  clock: Clock;
  postToResponseUrl: ResponseUrlPoster;
  logger: Logger;
}

/**
 * @param feature keeps each feature's hides apart in the store, so each is worded by its own
 * builder after a restart.
 */
export function createAutoHider(deps: AutoHiderDeps, feature: 'secret'): AutoHider;
export function createAutoHider<T>(
  deps: AutoHiderDeps,
  feature: string,
  build: HiddenMessageBuilder<T>,
): AutoHider<T>;
export function createAutoHider<T>(
  deps: AutoHiderDeps,
  feature: string,
  build?: HiddenMessageBuilder<T>,
): AutoHider<T> {
  const { store, clock, postToResponseUrl: post, logger } = deps;
  // Without a builder, T is string (the first overload), which is what buildHiddenMessage takes.
  const toMessage = build ?? (buildHiddenMessage as HiddenMessageBuilder<unknown>);
  const state = `pending:${feature}`;
  const pending = new Map<string, PendingHide<T>>();
  // Store writes still in flight, so flush and cancel can wait for them.
  const writes = new Map<string, Promise<void>>();
  const limited = createLimiter(HIDES_AT_ONCE);

  async function postHidden(id: string, data: HideData<T>, reason: HideReason): Promise<void> {
    try {
      await post(data.responseUrl, { replace_original: true, ...toMessage(data.target, reason) });
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message }, reveal_id: id }, 'auto-hide failed');
    }
  }

  /** Claims the stored record (first deleter wins); true if this caller should post. */
  async function claim(id: string, version: number | undefined): Promise<boolean> {
    try {
      return await store.delete('hide', id, version);
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message }, reveal_id: id }, 'auto-hide claim failed');
      return true; // better hidden twice than not at all
    }
  }

  /**
   * @param only when given, hide only if this is still the pending hide: the reveal may have been
   * refreshed (rescheduled) or hidden by hand while this hide waited its turn.
   */
  async function hideNow(id: string, reason: HideReason, only?: PendingHide<T>): Promise<void> {
    const entry = pending.get(id);
    if (!entry || (only && entry !== only)) return;
    pending.delete(id);
    clearTimeout(entry.timer);
    await writes.get(id);
    if (await claim(id, entry.version)) await postHidden(id, entry, reason);
  }

  function persist(id: string, data: HideData<T>, dueAt: number): void {
    const previous = writes.get(id) ?? Promise.resolve();
    const write = previous
      .then(async () => {
        const existing = await store.get<HideData<T>>('hide', id);
        const rec = existing
          ? await store.update('hide', id, existing.version, { state, dueAt, data }, clock.now())
          : await store.create({ kind: 'hide', id, state, dueAt, data }, clock.now());
        const entry = pending.get(id);
        if (entry && rec) entry.version = rec.version;
      })
      .catch((err: Error) =>
        logger.warn({ err: { message: err.message }, reveal_id: id }, 'auto-hide not saved'),
      )
      .finally(() => {
        if (writes.get(id) === write) writes.delete(id);
      });
    writes.set(id, write);
  }

  return {
    schedule(revealId, responseUrl, target, ttlMs) {
      const earlier = pending.get(revealId);
      if (earlier) clearTimeout(earlier.timer);
      const data = { responseUrl, target };
      const entry: PendingHide<T> = {
        ...data,
        timer: setTimeout(() => void limited(() => hideNow(revealId, 'expired', entry)), ttlMs),
      };
      pending.set(revealId, entry);
      persist(revealId, data, clock.now() + ttlMs);
    },
    cancel(revealId) {
      const entry = pending.get(revealId);
      if (!entry) {
        // Scheduled by another replica (or before a restart): its stored hide must go too, or
        // that replica's timer would later replace the hidden message once more.
        void claim(revealId, undefined);
        return undefined;
      }
      clearTimeout(entry.timer);
      pending.delete(revealId);
      void (writes.get(revealId) ?? Promise.resolve()).then(() => claim(revealId, undefined));
      return entry.target;
    },
    async flush() {
      await Promise.all([...pending.keys()].map((id) => limited(() => hideNow(id, 'shutdown'))));
    },
    job: {
      name: `hides.${feature}`,
      async run() {
        const due = await store.query<HideData<T>>({ kind: 'hide', states: [state], dueBy: clock.now() });
        let hidden = 0;
        for (const rec of due) {
          const local = pending.get(rec.id);
          // A write of this process's own still in flight (a refresh): the stored due time is stale.
          if (local && local.version !== rec.version) continue;
          // Otherwise the store, not this process's timer, decides: on AWS Lambda the timer
          // sleeps while the instance is frozen. Whoever deletes the record first posts.
          if (local) {
            clearTimeout(local.timer);
            pending.delete(rec.id);
          }
          if (await claim(rec.id, rec.version)) {
            await postHidden(rec.id, rec.data, 'expired');
            hidden++;
          }
        }
        return hidden;
      },
    },
    get pending() {
      return pending.size;
    },
  };
}
