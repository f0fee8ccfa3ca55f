/** Prometheus metrics: the registry and its metrics, the Bolt and AWS SDK hooks, /metrics. */
export { type AwsCall, type AwsCallObserver, type AwsCallOutcome, instrumentAwsClient } from './aws-calls.js';
export { type MetricsSource, serveMetrics } from './http.js';
export { createRequestLabels, type RequestKind, type RequestLabels } from './labels.js';
export {
  createMetrics,
  type Metrics,
  type MetricsExposition,
  type MetricsOptions,
  type SchedulerTick,
} from './metrics.js';
export { createRequestMetricsMiddleware } from './request-metrics.js';
export { noteAuditOutcomes, noteRequestOutcome } from './request-outcome.js';
