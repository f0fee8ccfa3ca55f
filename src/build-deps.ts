import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { WebClient } from '@slack/web-api';
import type { GrantConsumer } from './approvals/approval-handlers.js';
import { createApprovalService } from './approvals/approval-service.js';
import { createGrantService } from './approvals/grants.js';
import { createAuditLog } from './audit/audit-events.js';
import { createBoltLogger } from './audit/bolt-logger.js';
import { createLogger, type Logger } from './audit/logger.js';
import { createAwsClientFactory } from './aws/client-factory.js';
import { type Clock, systemClock } from './core/clock.js';
import type { Config } from './config.js';
import type { Deps } from './deps.js';
import { createCallerResolver } from './identity/caller.js';
import { guardsOf } from './aws/session-policy.js';
import { createSessionBroker } from './identity/sessions.js';
import {
  type AwsCallObserver,
  createMetrics,
  instrumentAwsClient,
  noteAuditOutcomes,
} from './metrics/index.js';
import { createRevealWindows } from './reveal/reveal-windows.js';
import { createResponseUrlPoster } from './slack/response-url.js';
import { createUserDirectory } from './slack/user-directory.js';
import { webClientOptions } from './slack/web-client-options.js';
import { openDynamoStore } from './store/dynamodb-store.js';
import { openSqliteStore } from './store/sqlite-store.js';
import type { Store } from './store/store.js';
import { createTrailRateLimiter, createTrailService } from './trail/index.js';

export interface BuildOptions {
  logger?: Logger;
  clock?: Clock;
  /** A store to use instead of the one config.store names (SQLite file or DynamoDB table). */
  store?: Store;
}

/**
 * Builds every dependency from a loaded config. Shared by main.ts, the app tests, the
 * benchmarks and the sandbox. Opens the state store, so it throws StoreError for a data
 * directory that cannot be written.
 */
export function buildDeps(config: Config, options: BuildOptions = {}): Deps {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  // Every AWS client counts its calls, the store's own (DynamoDB) included. The store is opened
  // before the metrics (they read it), so calls reach them through this once they exist.
  let observe: AwsCallObserver = () => {};
  const countAwsCall: AwsCallObserver = (call) => observe(call);
  const store =
    options.store ?? openConfiguredStore(config.store, (client) => instrumentAwsClient(client, countAwsCall));
  // Metrics: audit outcomes label each request's count.
  const metrics = createMetrics({ store, logger });
  observe = (call) => metrics.observeAwsCall(call);
  const audit = noteAuditOutcomes(createAuditLog(logger));
  const aws = createAwsClientFactory({
    region: config.aws.region,
    requestTimeoutMs: config.aws.request_timeout_ms,
    connectionTimeoutMs: config.aws.connect_timeout_ms,
    maxAttempts: config.aws.max_attempts,
    instrument: (client) => instrumentAwsClient(client, countAwsCall),
  });
  const slack = new WebClient(config.slackBotToken, {
    logger: createBoltLogger(logger),
    ...webClientOptions(config),
  });
  const directory = createUserDirectory(slack, clock, config.slack.user_cache_seconds, {
    enterpriseId: config.access.enterprise_id,
  });
  const sessions = createSessionBroker(aws, clock, {
    durationSeconds: config.aws.session_duration_seconds,
    contact: config.access.contact,
    guards: guardsOf(config.approvals),
  });
  const approvals = config.approvals
    ? createApprovalService({ config: config.approvals, store, slack, directory, clock, audit, logger })
    : undefined;
  const grants = config.approvals ? createGrantService({ store, slack, clock, logger }) : undefined;
  const postToResponseUrl = createResponseUrlPoster(config.slack.api_timeout_ms);
  return {
    config,
    logger,
    clock,
    audit,
    aws,
    directory,
    sessions,
    callers: createCallerResolver(config, directory, sessions),
    postToResponseUrl,
    slack,
    store,
    approvals,
    grants,
    grantConsumers: new Map<string, GrantConsumer>(),
    metrics,
    trail: createTrailService({
      clock,
      limiter: createTrailRateLimiter({ requestsPerSecond: config.trail.requests_per_second }),
      budgetMs: config.trail.budget_seconds * 1000,
      cacheSeconds: config.trail.cache_seconds,
      contact: config.access.contact,
    }),
    reveals: createRevealWindows({ slack, store, clock, audit, logger, postToResponseUrl }),
  };
}

/** The store config.store names: a DynamoDB table, or the SQLite file under data_dir. */
function openConfiguredStore(store: Config['store'], instrument: (client: DynamoDBClient) => void): Store {
  if (store.dynamodb !== undefined) {
    return openDynamoStore({
      table: store.dynamodb.table,
      instrument,
      ...(store.dynamodb.region !== undefined ? { region: store.dynamodb.region } : {}),
    });
  }
  return openSqliteStore({ dataDir: store.data_dir });
}
