/**
 * How many approvals and rotations are in each state, read from the store when /metrics is
 * scraped rather than counted on transitions: the store is the truth across restarts and
 * replicas, and a counter kept in one process would miss what another replica did.
 *
 * A scrape must stay cheap whatever the store holds, so each state's count stops at a cap
 * (one bounded query per state) and the counts are cached for a few seconds: scrapers that
 * poll often, or several at once, cost one round of queries per cache period.
 */
import type { Logger } from 'pino';
import { APPROVAL_STATES, ROTATION_STATES } from '../core/record-states.js';
import type { RecordKind, Store } from '../store/store.js';

/** The states counted per record kind. */
export const COUNTED_STATES = {
  approval: [...APPROVAL_STATES],
  rotation: [...ROTATION_STATES],
} as const satisfies Partial<Record<RecordKind, readonly string[]>>;

export type CountedKind = keyof typeof COUNTED_STATES;

/** Counts per kind, then per state. */
export type StateCounts = Record<CountedKind, Map<string, number>>;

/** Options for {@link createStateCounter}. */
export interface StateCounterOptions {
  /** The highest count reported per state (default 1000): a bigger backlog reads as the cap. */
  cap?: number;
  /** How long counts are reused (default 5000 ms). */
  cacheMs?: number;
  logger?: Logger;
}

/** Reads the counts, at most once per cache period; undefined if the store could not answer. */
export type StateCounter = () => Promise<StateCounts | undefined>;

export function createStateCounter(
  store: Pick<Store, 'query'>,
  options: StateCounterOptions = {},
): StateCounter {
  const cap = options.cap ?? 1000;
  const cacheMs = options.cacheMs ?? 5000;
  let cached: { at: number; counts: Promise<StateCounts | undefined> } | undefined;

  async function countKind(kind: CountedKind): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const state of COUNTED_STATES[kind]) {
      const records = await store.query({ kind, states: [state], limit: cap });
      counts.set(state, records.length);
    }
    return counts;
  }

  async function read(): Promise<StateCounts | undefined> {
    try {
      return { approval: await countKind('approval'), rotation: await countKind('rotation') };
    } catch (err) {
      // A store outage must not break the rest of /metrics: these gauges are left out instead.
      options.logger?.warn({ err: { message: (err as Error).message } }, 'metrics: store counts unavailable');
      return undefined;
    }
  }

  return () => {
    const now = performance.now();
    // Reusing the promise also makes concurrent scrapes share one round of queries.
    if (!cached || now - cached.at >= cacheMs) cached = { at: now, counts: read() };
    return cached.counts;
  };
}
