/**
 * createApp(deps): a Bolt App with every feature's listeners registered, and a start/stop
 * pair that main.ts and the tests share.
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, type Receiver } from '@slack/bolt';
import { createBoltLogger } from './audit/bolt-logger.js';
import type { Deps, FeatureHandle } from './deps.js';
import { FEATURES, registerFeature, requestLabels } from './features.js';
import { createRequestMetricsMiddleware } from './metrics/index.js';
import { createReplicaId } from './scheduling/replica-id.js';
import { createScheduler, type Scheduler } from './scheduling/scheduler.js';
import { answerEveryRequest } from './slack/answer-every-request.js';
import { createReceiver } from './slack/receiver.js';
import { refuseReplays } from './slack/replay-guard.js';
import { createAppErrorHandler } from './slack/reply-errors.js';
import { webClientOptions } from './slack/web-client-options.js';

export interface LocksmithApp {
  app: App;
  /** Starts listening; resolves with the HTTP port (HTTP mode: events; Socket Mode: health). */
  start(): Promise<{ port: number }>;
  /** Graceful stop: pending reveals are hidden, then the receiver closes. */
  stop(): Promise<void>;
  /** The periodic work (expiries, hides); tests call `tick()` after moving the clock. */
  scheduler: Scheduler;
}

function boltLogLevel(level: string): LogLevel {
  if (level === 'trace' || level === 'debug') return LogLevel.DEBUG;
  if (level === 'warn') return LogLevel.WARN;
  if (level === 'error' || level === 'fatal' || level === 'silent') return LogLevel.ERROR;
  return LogLevel.INFO;
}

/** Options for {@link createApp}. */
export interface CreateAppOptions {
  /** A receiver instead of the one `config.transport` names: AWS Lambda's (lambda.ts). */
  receiver?: Receiver;
  /** False on AWS Lambda (scheduling/lease.ts says why); default true. */
  takeOverLeasesFromGoneLocalProcesses?: boolean;
  /** HTTP mode: the address to listen on (the sandbox: 127.0.0.1); default every interface. */
  listenHost?: string;
}

export function createApp(deps: Deps, options: CreateAppOptions = {}): LocksmithApp {
  const { config, logger } = deps;
  const boltLogger = createBoltLogger(logger);
  let ready = false;
  const receiver =
    options.receiver ??
    createReceiver(config.transport, boltLogger, () => ({ ok: ready }), {
      slackApiUrl: config.slackApiUrl,
      metrics: () => deps.metrics.render(),
    });
  const app = new App({
    token: config.slackBotToken,
    receiver,
    logger: boltLogger,
    // Bolt sets its logger's level itself (info unless told); keep it at the process's level.
    logLevel: boltLogLevel(config.logLevel),
    clientOptions: webClientOptions(config),
    // Bolt would call auth.test on the first request anyway; doing it at start-up surfaces a
    // bad token as a start-up error instead of a failed command.
    deferInitialization: true,
    // The error handler gets the request too, so it can tell the person (reply-errors.ts).
    extendedErrorHandler: true,
    // Bolt keeps per-conversation state in memory for apps that use context.updateConversation;
    // locksmith does not, and a store per replica would be wrong anyway (any replica takes any
    // request). Off, it also saves a lookup on every request.
    convoStore: false,
  });
  // Slack gets an answer even when no listener acks (forged or stale payloads).
  answerEveryRequest(app, logger);
  // A request seen before (same signature, same envelope) is answered and goes no further.
  refuseReplays(app, deps);

  // A handler error must never become an unhandled rejection or reach the person as a trace.
  app.error(createAppErrorHandler(deps));
  // Counts and times every request; registered before the listeners so it wraps them all.
  app.use(createRequestMetricsMiddleware(deps.metrics, { requestLabels }));

  // Every feature from its manifest (features.ts), user_change / team_join first.
  const featureOptions = {
    takeOverFromGoneLocalProcesses: options.takeOverLeasesFromGoneLocalProcesses ?? true,
  };
  const features: FeatureHandle[] = FEATURES.map((f) => registerFeature(app, deps, f, featureOptions));
  const scheduler = createScheduler(
    features.flatMap((f) => f.jobs ?? []),
    {
      logger,
      clock: deps.clock,
      leases: deps.store,
      owner: createReplicaId(),
      intervalMs: config.scheduler.interval_ms,
      leaseMs: config.scheduler.lease_ms,
      onTick: (tick) => deps.metrics.observeSchedulerTick(tick),
      takeOverFromGoneLocalProcesses: options.takeOverLeasesFromGoneLocalProcesses ?? true,
    },
  );

  return {
    app,
    scheduler,
    async start() {
      await app.init();
      const started: unknown =
        config.transport.kind === 'http'
          ? await app.start(
              options.listenHost === undefined
                ? config.transport.port
                : { port: config.transport.port, host: options.listenHost },
            )
          : await app.start();
      scheduler.start();
      ready = true;
      let port = config.transport.kind === 'http' ? config.transport.port : config.transport.healthPort;
      const server = started as Server | undefined;
      if (server && typeof server.address === 'function') port = (server.address() as AddressInfo).port;
      return { port };
    },
    async stop() {
      ready = false;
      await scheduler.stop();
      await Promise.allSettled(features.map((f) => f.shutdown?.()));
      await app.stop();
    },
  };
}
