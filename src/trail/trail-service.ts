/**
 * CloudTrail LookupEvents for the whole process: every look-up goes through one rate limiter per
 * account and Region (2 requests a second), pages 50 events at a time within a time budget, and
 * keeps what it read. Asking again continues where the last answer stopped (newer events are
 * fetched at the head, older ones at the tail), so "ask again for more" really gets more, and a
 * second person asking the same thing within `cacheSeconds` costs no AWS call at all.
 *
 * Domain code: knows nothing of Slack. It is given a CloudTrail client signed with the person's
 * own session, and caches per role, so an answer is only ever reused for the role that fetched it.
 */
import {
  type CloudTrailClient,
  type LookupAttributeKey,
  LookupEventsCommand,
  type LookupEventsCommandOutput,
} from '@aws-sdk/client-cloudtrail';
import { awsUserError, classifyAwsError } from '../aws/aws-errors.js';
import type { Clock } from '../core/clock.js';
import { UserError } from '../core/errors.js';
import { parseLookupEvent, type TrailEvent } from './cloudtrail-record.js';
import type { TrailRateLimiter } from './rate-limit.js';

/** CloudTrail event history keeps 90 days. */
export const HISTORY_DAYS = 90;
/** LookupEvents' largest page. */
const PAGE_SIZE = 50;
/** A cached stream older than this is started afresh (its NextToken may have lapsed). */
const STATE_MAX_AGE_MS = 15 * 60_000;
/** Events kept per stream; older ones are dropped and the stream marked incomplete. */
const MAX_EVENTS_PER_STREAM = 5000;
/**
 * Events kept in all, across streams (a few KB each at most; ~10-20 MB at the cap, within the
 * image's 128 MB heap): past it, the least recently used streams are forgotten.
 */
const MAX_EVENTS_TOTAL = 20_000;
/** A request needs time after its slot; a slot later than this before the deadline is not taken. */
const REQUEST_ALLOWANCE_MS = 250;
/**
 * Look-ups end this far past the caller's "now": a bot whose clock runs a little behind AWS's
 * still sees the newest events (a later EndTime costs nothing).
 */
const CLOCK_SKEW_MS = 5 * 60_000;
/**
 * CloudTrail delivers an event "within an average of about 5 minutes" of the call, not
 * guaranteed: a refresh reads again this far behind the last answer's end, so an event that
 * arrived late is not missed for good (events already held are recognised by id).
 */
const DELIVERY_OVERLAP_MS = 15 * 60_000;
/** Streams cached at most (least recently used go first). */
const MAX_STREAMS = 500;

/** Where to look, and as whom. */
export interface TrailTarget {
  /** Signed with the person's (or the background role's) session, for `region`. */
  client: CloudTrailClient;
  accountId: string;
  region: string;
  /** The role whose permissions fetched the events: cached answers are reused for it only. */
  roleArn: string;
  /** For messages: the role's name in locksmith's config. */
  roleName: string;
}

/** One lookup attribute: LookupEvents filters on one at a time. */
export interface TrailQuery {
  key: LookupAttributeKey;
  value: string;
}

/** What one query found in the window. */
export interface StreamResult {
  query: TrailQuery;
  /** Newest first, none outside the window. */
  events: TrailEvent[];
  /** Every event between this time (epoch ms) and `asOf` is in `events`. */
  coveredFrom: number;
  complete: boolean;
  /**
   * Up to when the events were read: the window's end, or earlier when CloudTrail had no room
   * for a fresh look (the answer is then what was read before, as of then).
   */
  asOf: number;
}

export interface TrailAnswer {
  streams: StreamResult[];
  since: number;
  until: number;
  region: string;
  /** LookupEvents calls this answer took (0: all from the cache). */
  calls: number;
  /** Why a stream is incomplete or not fresh: the time budget ran out, or AWS kept throttling. */
  stopped?: 'budget' | 'throttled';
  /** The oldest `asOf` of the streams: newer events than this were not looked for. */
  asOf: number;
}

export interface TrailService {
  /**
   * Events in `window` (epoch ms, the clock's) matching each query, as far back as `budgetMs`
   * allows. Throws UserError when IAM denies LookupEvents or CloudTrail cannot be reached.
   */
  lookup(
    target: TrailTarget,
    queries: TrailQuery[],
    window: { since: number; until: number },
    options?: { budgetMs?: number },
  ): Promise<TrailAnswer>;
}

export interface TrailServiceOptions {
  clock: Clock;
  limiter: TrailRateLimiter;
  /** Default time budget of one answer. */
  budgetMs: number;
  /** How long an answer is served from memory without asking CloudTrail for newer events. */
  cacheSeconds: number;
  /** Who to ask when IAM denies the look-up (config `access.contact`). */
  contact: string;
  /** Events kept in all before streams are forgotten; default MAX_EVENTS_TOTAL. */
  maxEvents?: number;
}

interface StreamState {
  since: number;
  until: number;
  events: TrailEvent[];
  ids: Set<string>;
  coveredFrom: number;
  tail?: { token: string; startTime: number; endTime: number };
  fetchedAt: number;
  /** Serialises work on the stream: concurrent askers wait and then share what it found. */
  busy: Promise<void>;
}

interface Run {
  target: TrailTarget;
  bucket: string;
  deadline: number;
  calls: number;
  stopped?: 'budget' | 'throttled';
}

export function createTrailService(options: TrailServiceOptions): TrailService {
  const { clock, limiter } = options;
  const states = new Map<string, StreamState>();

  function keyOf(target: TrailTarget, query: TrailQuery): string {
    return [target.roleArn, target.region, query.key, query.value].join('\u0000');
  }

  function remember(key: string, state: StreamState): void {
    states.delete(key);
    states.set(key, state);
    while (states.size > MAX_STREAMS) states.delete(states.keys().next().value!);
  }

  /**
   * One page, after waiting for a slot; undefined when the budget does not allow another call.
   * Pages are fetched one by one here, not with paginateLookupEvents: each waits for the shared
   * rate limiter within the asker's time budget, a throttled page is asked again after a
   * back-off, and a stream stops mid-way and is resumed later (another request, perhaps minutes
   * on) from its saved NextToken and time window. A paginator would send the next page on its own.
   */
  async function page(
    run: Run,
    query: TrailQuery,
    params: { startTime: number; endTime: number; token?: string },
  ): Promise<LookupEventsCommandOutput | undefined> {
    for (;;) {
      if (!(await limiter.acquire(run.bucket, run.deadline - REQUEST_ALLOWANCE_MS))) {
        run.stopped ??= 'budget';
        return undefined;
      }
      run.calls++;
      try {
        return await run.target.client.send(
          new LookupEventsCommand({
            LookupAttributes: [{ AttributeKey: query.key, AttributeValue: query.value }],
            StartTime: new Date(params.startTime),
            EndTime: new Date(params.endTime),
            MaxResults: PAGE_SIZE,
            ...(params.token ? { NextToken: params.token } : {}),
          }),
        );
      } catch (err) {
        if (classifyAwsError(err) !== 'throttled') throw trailError(err, run.target, options.contact);
        // Someone else is using the account's allowance too: step back, then try again.
        limiter.backOff(run.bucket, 1000);
        run.stopped = 'throttled';
      }
    }
  }

  /** Forgets the least recently used streams (never `keep`) while too many events are held. */
  function trim(keep: StreamState): void {
    let total = 0;
    for (const st of states.values()) total += st.events.length;
    for (const [key, st] of states) {
      if (total <= (options.maxEvents ?? MAX_EVENTS_TOTAL)) return;
      if (st === keep) continue;
      total -= st.events.length;
      states.delete(key);
    }
  }

  function add(state: StreamState, events: TrailEvent[]): void {
    for (const e of events) {
      if (state.ids.has(e.id)) continue;
      state.ids.add(e.id);
      state.events.push(e);
    }
    state.events.sort((a, b) => b.time.getTime() - a.time.getTime());
    if (state.events.length > MAX_EVENTS_PER_STREAM) {
      const dropped = state.events.splice(MAX_EVENTS_PER_STREAM);
      for (const e of dropped) state.ids.delete(e.id);
      state.coveredFrom = Math.max(state.coveredFrom, state.events.at(-1)!.time.getTime());
      state.tail = undefined;
    }
    trim(state);
  }

  function parsed(out: LookupEventsCommandOutput): TrailEvent[] {
    return (out.Events ?? []).map(parseLookupEvent).filter((e): e is TrailEvent => e !== undefined);
  }

  /** Newer events than the state holds (and late arrivals): all of them, or a fresh start. */
  async function head(run: Run, query: TrailQuery, state: StreamState, until: number): Promise<StreamState> {
    const startTime = Math.max(state.since, state.until - DELIVERY_OVERLAP_MS);
    const found: TrailEvent[] = [];
    let token: string | undefined;
    do {
      const out = await page(run, query, { startTime, endTime: until, ...(token ? { token } : {}) });
      if (!out) {
        // Not even one newer page fitted: keep what was known, as of when it was read.
        if (found.length === 0 && !token) return state;
        // Some newer events fitted but not all: what is known now starts at the head.
        const fresh = newState(state.since, until, clock.now());
        fresh.busy = state.busy; // askers queued on the old state keep their turn
        add(fresh, found);
        fresh.coveredFrom = found.length ? found.at(-1)!.time.getTime() : until;
        if (token) fresh.tail = { token, startTime, endTime: until };
        return fresh;
      }
      found.push(...parsed(out));
      token = out.NextToken;
    } while (token);
    add(state, found);
    state.until = until;
    state.fetchedAt = clock.now();
    return state;
  }

  /** Older events, back towards `state.since`, until done or out of budget. */
  async function tail(run: Run, query: TrailQuery, state: StreamState): Promise<void> {
    while (state.coveredFrom > state.since) {
      const params = state.tail ?? { startTime: state.since, endTime: state.coveredFrom };
      const out = await page(run, query, params);
      if (!out) return;
      const events = parsed(out);
      add(state, events);
      if (out.NextToken) {
        state.tail = { token: out.NextToken, startTime: params.startTime, endTime: params.endTime };
        const oldest = events.at(-1)?.time.getTime();
        if (oldest !== undefined) state.coveredFrom = Math.min(state.coveredFrom, oldest);
      } else {
        state.tail = undefined;
        state.coveredFrom = Math.min(state.coveredFrom, params.startTime);
      }
    }
  }

  function newState(since: number, until: number, fetchedAt: number): StreamState {
    return {
      since,
      until,
      events: [],
      ids: new Set(),
      coveredFrom: until,
      fetchedAt,
      busy: Promise.resolve(),
    };
  }

  async function stream(
    run: Run,
    query: TrailQuery,
    window: { since: number; until: number },
  ): Promise<StreamResult> {
    const key = keyOf(run.target, query);
    const now = clock.now();
    let state = states.get(key);
    if (!state || now - state.fetchedAt > STATE_MAX_AGE_MS) {
      state = newState(window.since, window.until, now);
      remember(key, state);
    }
    const mine = state;
    let release!: () => void;
    const previous = mine.busy;
    mine.busy = new Promise<void>((r) => (release = r));
    await previous;
    try {
      let current = states.get(key) ?? mine;
      current.since = Math.min(current.since, window.since);
      const fresh = clock.now() - current.fetchedAt < options.cacheSeconds * 1000;
      let asOf = window.until;
      if (!fresh && window.until > current.until) {
        current = await head(run, query, current, window.until);
        remember(key, current);
        // No room for a fresh look: the answer is what was read before, as of then.
        if (current.until < window.until) asOf = current.until;
      }
      await tail(run, query, current);
      return {
        query,
        events: current.events.filter((e) => e.time.getTime() >= window.since),
        coveredFrom: Math.max(current.coveredFrom, window.since),
        complete: current.coveredFrom <= window.since,
        asOf,
      };
    } finally {
      release();
    }
  }

  return {
    async lookup(target, queries, window, lookupOptions = {}) {
      const budget = lookupOptions.budgetMs ?? options.budgetMs;
      const oldest = window.until - HISTORY_DAYS * 86_400_000;
      const bounded = { since: Math.max(window.since, oldest), until: window.until + CLOCK_SKEW_MS };
      const run: Run = {
        target,
        bucket: `${target.accountId}/${target.region}`,
        deadline: limiter.now() + budget,
        calls: 0,
      };
      const streams = await Promise.all(queries.map((q) => stream(run, q, bounded)));
      const asOf = Math.min(...streams.map((s) => s.asOf), bounded.until);
      const partial = streams.some((s) => !s.complete) || asOf < bounded.until;
      return {
        streams,
        since: bounded.since,
        until: bounded.until,
        region: target.region,
        calls: run.calls,
        asOf,
        ...(partial ? { stopped: run.stopped ?? 'budget' } : {}),
      };
    },
  };
}

/** A LookupEvents failure as a sentence for the person. */
export function trailError(err: unknown, target: TrailTarget, contact: string): Error {
  if (err instanceof UserError) return err;
  return awsUserError(err, {
    service: 'AWS CloudTrail',
    denied: `Your role \`${target.roleName}\` may not read CloudTrail: IAM denied \`cloudtrail:LookupEvents\` (account ${target.accountId}, ${target.region}). Ask ${contact} to add it to the role (see docs/iam.md).`,
    throttled: 'CloudTrail is throttling look-ups right now. Try again in a minute.',
  });
}
