/**
 * The bot's Prometheus metrics, on a Registry of its own per app (never prom-client's global
 * default registry: tests build many apps in one process, and two apps must not share counts).
 *
 * Every label value is bounded and free of people's data: request names come from the fixed
 * sets in labels.ts, AWS labels from the SDK's client and command names, states from the
 * workflow's state lists. No metric carries a secret's name or value, a user id or free text.
 */
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../store/store.js';
import type { AwsCall } from './aws-calls.js';
import type { RequestKind } from './labels.js';
import type { RequestOutcome } from './request-outcome.js';
import { type CountedKind, createStateCounter, type StateCounterOptions } from './store-states.js';

/** One scheduler tick, as the scheduler's `onTick` hook reports it. */
export interface SchedulerTick {
  /** How long after its due time the tick started (0 when on time). */
  lateMs: number;
  durationMs: number;
}

/** The labels of one handled Slack request. */
export interface RequestObservation {
  kind: RequestKind;
  name: string;
  outcome: RequestOutcome;
  seconds: number;
}

/** What `GET /metrics` answers. */
export interface MetricsExposition {
  contentType: string;
  body: string;
}

export interface Metrics {
  /** The app's own registry; tests read single metrics from it. */
  readonly registry: Registry;
  /** The exposition text for `GET /metrics`. */
  render(): Promise<MetricsExposition>;
  /** Counts a handled Slack request and its time to reply (request-metrics.ts). */
  observeRequest(request: RequestObservation): void;
  /** Counts a finished AWS call (aws-calls.ts, on every client the factory builds). */
  observeAwsCall(call: AwsCall): void;
  /** Records a scheduler tick's lateness and duration (the scheduler's `onTick` hook). */
  observeSchedulerTick(tick: SchedulerTick): void;
}

/** Options for {@link createMetrics}. */
export interface MetricsOptions {
  /** Where approvals and rotations are counted by state; without it those gauges are absent. */
  store?: Pick<Store, 'query'>;
  logger?: Logger;
  /** Cap and cache of the state counts (store-states.ts). */
  stateCounts?: Omit<StateCounterOptions, 'logger'>;
  /** Node's process metrics (memory, CPU, event loop lag, GC); default true. */
  defaultMetrics?: boolean;
}

/**
 * Reply-time buckets in seconds: fine below 100 ms, where a healthy reply lands, and around
 * Slack's 3-second limit, where an ack that late is a failure the person sees.
 */
const REPLY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30];
const AWS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const TICK_BUCKETS = [0.001, 0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300];

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'locksmith_slack_requests_total',
    help: 'Slack commands and interactions handled, by kind, name and outcome.',
    labelNames: ['kind', 'name', 'outcome'] as const,
    registers,
  });
  const replySeconds = new Histogram({
    name: 'locksmith_slack_reply_duration_seconds',
    help: 'Time from a Slack request reaching the listeners to its handler finishing (the reply sent).',
    labelNames: ['kind', 'name'] as const,
    buckets: REPLY_BUCKETS,
    registers,
  });
  const awsCalls = new Counter({
    name: 'locksmith_aws_calls_total',
    help: 'AWS SDK calls (after the SDK retries), by service, operation and outcome.',
    labelNames: ['service', 'operation', 'outcome'] as const,
    registers,
  });
  const awsSeconds = new Histogram({
    name: 'locksmith_aws_call_duration_seconds',
    help: 'Duration of AWS SDK calls including the SDK retries, by service and operation.',
    labelNames: ['service', 'operation'] as const,
    buckets: AWS_BUCKETS,
    registers,
  });
  const tickLag = new Histogram({
    name: 'locksmith_scheduler_tick_lag_seconds',
    help: 'How late each scheduler tick started after its due time (a slow tick or a blocked event loop).',
    buckets: TICK_BUCKETS,
    registers,
  });
  const tickSeconds = new Histogram({
    name: 'locksmith_scheduler_tick_duration_seconds',
    help: 'How long each scheduler tick took to run every job once.',
    buckets: TICK_BUCKETS,
    registers,
  });

  if (options.store) {
    const counts = createStateCounter(options.store, { ...options.stateCounts, logger: options.logger });
    const stateGauge = (kind: CountedKind, name: string, help: string) =>
      new Gauge({
        name,
        help,
        labelNames: ['state'] as const,
        registers,
        async collect(this: Gauge<'state'>) {
          const read = await counts();
          this.reset();
          for (const [state, n] of read?.[kind] ?? []) this.set({ state }, n);
        },
      });
    stateGauge(
      'approval',
      'locksmith_approvals',
      'Approval requests in the store, by state (each count stops at the cap).',
    );
    stateGauge(
      'rotation',
      'locksmith_rotations',
      'Key rotations in the store, by state (each count stops at the cap).',
    );
  }

  return {
    registry,
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    observeRequest({ kind, name, outcome, seconds }) {
      requests.inc({ kind, name, outcome });
      replySeconds.observe({ kind, name }, seconds);
    },
    observeAwsCall({ service, operation, outcome, seconds }) {
      awsCalls.inc({ service, operation, outcome });
      awsSeconds.observe({ service, operation }, seconds);
    },
    observeSchedulerTick({ lateMs, durationMs }) {
      tickLag.observe(Math.max(0, lateMs) / 1000);
      tickSeconds.observe(durationMs / 1000);
    },
  };
}
