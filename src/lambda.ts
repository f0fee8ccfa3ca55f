/**
 * AWS Lambda entry points, from the same build as main.ts (`dist/lambda.js`):
 * - `handler`: Slack's HTTP requests (slash commands, interactions, events) arriving through a
 *   function URL or API Gateway, via Bolt's AwsLambdaReceiver; the signature and the 5-minute
 *   timestamp window (both ways) are checked before it, and a replayed signature is answered
 *   without effect (replay-guard.ts);
 * - `scheduledHandler`: one scheduler tick (expiries, auto-hides, rotation polls, the keys-due
 *   report), for an EventBridge schedule.
 *
 * Configuration is read exactly as main.ts reads it (config.ts: the environment and the
 * LOCKSMITH_CONFIG file), with two rules of its own: HTTP mode only (no SLACK_APP_TOKEN), and
 * the DynamoDB store only (a SQLite file in one instance's /tmp is neither shared nor kept).
 *
 * On Lambda, Slack's HTTP response waits for the listener to finish (AwsLambdaReceiver answers
 * after `app.processEvent` resolves): the ack is sent when all the work is done. Listeners here
 * ack first and reply through response_url or the Web API, so the reply reaches Slack within the
 * invocation and the 200 follows it. docs/deployment.md says what that means for people.
 * Work a listener starts without awaiting (an auto-hide's store record) is waited for before
 * the invocation returns ({@link trackStore}), since Lambda freezes the process afterwards.
 */
import { AwsLambdaReceiver } from '@slack/bolt';
import { createApp, type LocksmithApp } from './app.js';
import { createBoltLogger } from './audit/bolt-logger.js';
import type { Logger } from './audit/logger.js';
import { buildDeps } from './build-deps.js';
import type { Clock } from './core/clock.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { REPLAY_KEY_PROPERTY } from './slack/replay-guard.js';
import { replayKeyOfSignature, verifySlackSignature } from './slack/request-signature.js';
import { openDynamoStore } from './store/dynamodb-store.js';
import { trackStore } from './store/tracked-store.js';

// Bolt's index does not export the event types; derived from the receiver instead.
type AwsHandler = Awaited<ReturnType<AwsLambdaReceiver['start']>>;
/** An API Gateway (payload v1 or v2) or function URL event. */
export type AwsEvent = Parameters<AwsHandler>[0];
/** What API Gateway or the function URL turns into Slack's HTTP response. */
export type AwsResponse = Awaited<ReturnType<AwsHandler>>;

/** What {@link createLambdaHandlers} returns; the module exports the first two for Lambda. */
export interface LambdaHandlers {
  /** Slack's requests through a function URL or API Gateway (payload v1 or v2). */
  handler(event: AwsEvent, context?: unknown): Promise<AwsResponse>;
  /** One scheduler tick, for an EventBridge schedule; the event is ignored. */
  scheduledHandler(event?: unknown, context?: unknown): Promise<{ ok: true }>;
  /** Stops the app and closes the store (tests; Lambda itself never calls it). */
  close(): Promise<void>;
}

/** Options for {@link createLambdaHandlers}; tests pass their own, Lambda none. */
export interface LambdaOptions {
  /** The environment config.ts reads; default process.env, as in main.ts. */
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  logger?: Logger;
}

interface Runtime {
  app: LocksmithApp;
  signingSecret: string;
  receive: (event: AwsEvent, context: unknown) => Promise<AwsResponse>;
  settled: () => Promise<void>;
  close: () => Promise<void>;
}

/** The configuration checks that only apply on Lambda; worded for the operator. */
export function checkLambdaConfig(config: Config): Extract<Config['transport'], { kind: 'http' }> {
  if (config.transport.kind !== 'http') {
    throw new ConfigError(
      'SLACK_APP_TOKEN is set, but on AWS Lambda locksmith runs in HTTP mode only (Socket Mode needs a process that stays up): unset SLACK_APP_TOKEN and set SLACK_SIGNING_SECRET',
    );
  }
  if (config.store.dynamodb === undefined) {
    throw new ConfigError(
      `${config.configPath}: store: AWS Lambda needs the DynamoDB store (store.dynamodb.table): a SQLite file in one Lambda instance's /tmp is neither shared with the others nor kept`,
    );
  }
  return config.transport;
}

/** Cold start: config, dependencies, Bolt on the Lambda receiver. Makes no AWS call itself. */
async function start(options: LambdaOptions): Promise<Runtime> {
  const config = loadConfig(options.env ?? process.env);
  const transport = checkLambdaConfig(config);
  const dynamodb = config.store.dynamodb!;
  const tracked = trackStore(
    openDynamoStore({ table: dynamodb.table, ...(dynamodb.region ? { region: dynamodb.region } : {}) }),
  );
  const deps = buildDeps(config, {
    store: tracked.store,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const receiver = new AwsLambdaReceiver({
    signingSecret: transport.signingSecret,
    logger: createBoltLogger(deps.logger),
    // The signature is the replay key, remembered in the DynamoDB store (replay-guard.ts).
    customPropertiesExtractor: (event) => {
      const signature = verifySlackSignature(
        transport.signingSecret,
        lowerCaseHeaders(event.headers),
        bodyOf(event),
        Date.now(),
      );
      return signature.ok
        ? { [REPLAY_KEY_PROPERTY]: replayKeyOfSignature(signature.signature, signature.timestampSeconds) }
        : {};
    },
  });
  // Lambda instances may share a host name and a PID: leases only ever run out here.
  const app = createApp(deps, { receiver, takeOverLeasesFromGoneLocalProcesses: false });
  // createApp defers Bolt's auth.test to init(); on Lambda that is the cold start.
  await app.app.init();
  const receive = await receiver.start();
  return {
    app,
    signingSecret: transport.signingSecret,
    receive,
    settled: tracked.settled,
    close: async () => {
      await app.stop();
      await deps.store.close();
    },
  };
}

/**
 * Function URLs send form bodies base64-encoded; Bolt decodes base64 as ASCII, which would
 * garble non-ASCII JSON bodies (events) and fail their signature. Decoded here as UTF-8, the
 * encoding Slack signs.
 */
function decodeBody(event: AwsEvent): AwsEvent {
  if (!event.isBase64Encoded || typeof event.body !== 'string') return event;
  return { ...event, body: Buffer.from(event.body, 'base64').toString('utf8'), isBase64Encoded: false };
}

/** API Gateway v1 keeps the header names' case; v2 and function URLs lower-case them. */
function lowerCaseHeaders(
  headers: Record<string, string | undefined> | undefined,
): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

function bodyOf(event: AwsEvent): string {
  return typeof event.body === 'string' ? event.body : '';
}

/**
 * Bolt's Lambda receiver refuses a stale timestamp but not one in the future; the same check as
 * the HTTP receiver's runs first (request-signature.ts).
 */
function refusal(event: AwsEvent, signingSecret: string): AwsResponse | undefined {
  const verdict = verifySlackSignature(
    signingSecret,
    lowerCaseHeaders(event.headers),
    bodyOf(event),
    Date.now(),
  );
  return verdict.ok ? undefined : { statusCode: 401, body: '' };
}

/**
 * Builds the two handlers. Nothing happens until the first invocation (the cold start), which
 * loads the config; a config problem is logged in main.ts's one-line form and fails that
 * invocation, and the next invocation tries again.
 */
export function createLambdaHandlers(options: LambdaOptions = {}): LambdaHandlers {
  let runtime: Promise<Runtime> | undefined;
  const ready = (): Promise<Runtime> => {
    runtime ??= start(options).catch((err: unknown) => {
      runtime = undefined;
      if (err instanceof ConfigError)
        console.error(`locksmith: ${err.message.split('\n').join('\nlocksmith: ')}`);
      throw err;
    });
    return runtime;
  };
  return {
    async handler(event, context) {
      const rt = await ready();
      const decoded = decodeBody(event);
      const refused = refusal(decoded, rt.signingSecret);
      if (refused) return refused;
      try {
        return await rt.receive(decoded, context);
      } finally {
        await rt.settled();
      }
    },
    async scheduledHandler() {
      const rt = await ready();
      try {
        // runOnce gives the leases back: the next tick may run in another Lambda instance.
        await rt.app.scheduler.runOnce();
      } finally {
        await rt.settled();
      }
      return { ok: true };
    },
    async close() {
      if (!runtime) return;
      const rt = await runtime.catch(() => undefined);
      runtime = undefined;
      await rt?.close();
    },
  };
}

const lambda = createLambdaHandlers();

/** Lambda handler for Slack's requests: `dist/lambda.handler`. */
export const handler = lambda.handler;

/** Lambda handler for the EventBridge schedule: `dist/lambda.scheduledHandler`. */
export const scheduledHandler = lambda.scheduledHandler;
