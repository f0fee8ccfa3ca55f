/**
 * Everything a feature needs, built once in main.ts and passed down. No module keeps a
 * singleton, so a test can build a whole app against the Slack stand-in and moto.
 */
import type { WebClient } from '@slack/web-api';
import type { GrantConsumer } from './approvals/approval-handlers.js';
import type { ApprovalService } from './approvals/approval-service.js';
import type { GrantService } from './approvals/grants.js';
import type { AuditLog } from './audit/audit-events.js';
import type { Logger } from './audit/logger.js';
import type { AwsClientFactory } from './aws/client-factory.js';
import type { Clock } from './core/clock.js';
import type { Config } from './config.js';
import type { CallerResolver } from './identity/caller.js';
import type { SessionBroker } from './identity/sessions.js';
import type { Metrics } from './metrics/metrics.js';
import type { RevealWindows } from './reveal/reveal-windows.js';
import type { ResponseUrlPoster } from './slack/response-url.js';
import type { UserDirectory } from './slack/user-directory.js';
import type { Store } from './store/store.js';
import type { TrailService } from './trail/trail-service.js';

export interface Deps {
  config: Config;
  logger: Logger;
  clock: Clock;
  audit: AuditLog;
  aws: AwsClientFactory;
  directory: UserDirectory;
  sessions: SessionBroker;
  callers: CallerResolver;
  postToResponseUrl: ResponseUrlPoster;
  /** Web API client for work outside a request (scheduled updates, DMs). */
  slack: WebClient;
  store: Store;
  /** Present when config has an `approvals` section. */
  approvals?: ApprovalService;
  grants?: GrantService;
  /** What each kind of grant opens when its button is clicked, keyed by `detail.via`. */
  grantConsumers: Map<string, GrantConsumer>;
  /** Prometheus metrics, served on GET /metrics. */
  metrics: Metrics;
  /** CloudTrail look-ups, one rate limit per account and Region for the whole process. */
  trail: TrailService;
  /** The windows that show values and hide them again (reveal/). */
  reveals: RevealWindows;
}

// Beside the Job it carries, so the shared features below deps.ts (approvals/, reveal/) can return it.
export type { FeatureHandle } from './scheduling/scheduler.js';
