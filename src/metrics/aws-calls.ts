/**
 * Counts AWS SDK calls by service, operation and outcome with a middleware on each client's
 * stack. It sits in the `initialize` step, before the SDK's retry middleware (finalizeRequest),
 * so one call is counted once with its final outcome, however many attempts it took; the
 * SDK's retries show as a longer duration, and a throttled call only once the retries gave up.
 *
 * The labels come from the SDK's own handler context (client and command class names), never
 * from the call's input, so no secret name, key id or value can become a label.
 */
import { classifyAwsError } from '../aws/aws-errors.js';

/** How one AWS call ended, as a label. */
export type AwsCallOutcome =
  'success' | 'conflict' | 'not_found' | 'denied' | 'throttled' | 'unavailable' | 'error';

/** One finished AWS call. */
export interface AwsCall {
  /** Lower-case service, from the client: `sts`, `secretsmanager`, `iam`. */
  service: string;
  /** The SDK operation: `AssumeRole`, `GetSecretValue`, … */
  operation: string;
  outcome: AwsCallOutcome;
  seconds: number;
}

/** Receives every finished call (metrics.ts counts it). */
export type AwsCallObserver = (call: AwsCall) => void;

/** The part of the SDK's handler execution context the middleware reads. */
interface HandlerContext {
  clientName?: string;
  commandName?: string;
}

type Handler = (args: { input: object }) => Promise<{ output: object }>;

/** An `initialize`-step middleware, typed structurally so any SDK v3 client accepts it. */
type InitializeMiddleware = (next: Handler, context: HandlerContext) => Handler;

/** Any AWS SDK v3 client: what {@link instrumentAwsClient} needs of it. */
export interface InstrumentableClient {
  middlewareStack: {
    add(
      middleware: InitializeMiddleware,
      options: { step: 'initialize'; name: string; priority: 'high' },
    ): void;
  };
}

/** The middleware's name on the stack (the SDK refuses a second one with the same name). */
export const AWS_METRICS_MIDDLEWARE = 'locksmithMetrics';

/** The outcome label of an SDK error (any 403 is `denied`, as in aws-errors.ts). */
export function awsCallOutcome(err: unknown): AwsCallOutcome {
  // The state store's compare-and-set lost to another replica or click: expected, not an error.
  if ((err as { name?: unknown } | undefined)?.name === 'ConditionalCheckFailedException') return 'conflict';
  switch (classifyAwsError(err)) {
    case 'not_found':
      return 'not_found';
    case 'access_denied':
      return 'denied';
    case 'throttled':
      return 'throttled';
    case 'unavailable':
      return 'unavailable';
    default:
      return 'error';
  }
}

function serviceOf(context: HandlerContext): string {
  const name = context.clientName?.replace(/Client$/, '');
  return name && /^[A-Za-z0-9]+$/.test(name) ? name.toLowerCase() : 'unknown';
}

function operationOf(context: HandlerContext): string {
  const name = context.commandName?.replace(/Command$/, '');
  return name && /^[A-Za-z0-9]+$/.test(name) ? name : 'unknown';
}

/** The middleware itself; exported for tests that drive it without a client. */
export function awsCallMiddleware(observe: AwsCallObserver): InitializeMiddleware {
  return (next, context) => async (args) => {
    const started = performance.now();
    const service = serviceOf(context);
    const operation = operationOf(context);
    let outcome: AwsCallOutcome = 'success';
    try {
      return await next(args);
    } catch (err) {
      outcome = awsCallOutcome(err);
      throw err;
    } finally {
      observe({ service, operation, outcome, seconds: (performance.now() - started) / 1000 });
    }
  };
}

/** Adds the counting middleware to a client's stack; returns the client for chaining. */
export function instrumentAwsClient<C extends InstrumentableClient>(client: C, observe: AwsCallObserver): C {
  client.middlewareStack.add(awsCallMiddleware(observe), {
    step: 'initialize',
    name: AWS_METRICS_MIDDLEWARE,
    priority: 'high',
  });
  return client;
}
