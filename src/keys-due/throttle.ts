/**
 * IAM calls for the keys-due report: counted, and retried when IAM throttles for longer than
 * the SDK's own retries last.
 *
 * The SDK (standard retry mode, `maxAttempts` from the client factory) already retries a
 * throttled call a few times with jittered backoff, and stops early when its per-client retry
 * quota runs low. An account-wide report makes hundreds of calls, so a burst of throttling can
 * outlast that; a failed report is worse than a slow one, so a call that still comes back
 * throttled waits here (exponential backoff, jittered) and is sent again. While one call waits,
 * the others hold back too: throttling is per account, and the other workers would only add to it.
 */
import { classifyAwsError } from '../aws/aws-errors.js';

export interface ThrottleRetryOptions {
  /** Extra sends after the SDK gave up on a throttled call; default 5. */
  maxRetries?: number;
  /** Backoff before the first extra send; doubles each time; default 1000 ms. */
  baseDelayMs?: number;
  /** Upper bound of one backoff; default 20 000 ms. */
  maxDelayMs?: number;
}

/** Counts for one IAM operation. */
export interface OperationCallStats {
  /** Logical calls (one per `send`, whatever the retries). */
  calls: number;
  /** HTTP requests made: the SDK's attempts, summed over every send. */
  requests: number;
  /** Retries the SDK made itself (attempts beyond the first). */
  sdkRetries: number;
  /** Sends repeated here because the SDK gave up while IAM still throttled. */
  ownRetries: number;
  /** Logical calls that failed in the end (any reason). */
  failed: number;
}

export interface IamCallStats extends OperationCallStats {
  byOperation: Record<string, OperationCallStats>;
  /** Time spent in this module's own backoff (wall clock, summed over workers). */
  ownRetryDelayMs: number;
}

export interface IamCaller {
  /**
   * Runs one IAM call (`call` sends exactly one command) with the throttling retry.
   * Rejects with the last error when it is not throttling, or when throttling outlasts the retries.
   */
  send<T>(operation: string, call: () => Promise<T>): Promise<T>;
  /** A copy of the counts so far. */
  stats(): IamCallStats;
}

interface Metadata {
  $metadata?: { attempts?: number };
}

function emptyStats(): OperationCallStats {
  return { calls: 0, requests: 0, sdkRetries: 0, ownRetries: 0, failed: 0 };
}

/** How many HTTP attempts the SDK made for one send (1 when a mock or older SDK leaves it out). */
function attemptsOf(value: unknown): number {
  const attempts = (value as Metadata | undefined)?.$metadata?.attempts;
  return typeof attempts === 'number' && attempts > 0 ? attempts : 1;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A counting, throttle-retrying caller shared by every worker of one report. */
export function createIamCaller(options: ThrottleRetryOptions = {}): IamCaller {
  const maxRetries = Math.max(0, options.maxRetries ?? 5);
  const baseDelayMs = Math.max(0, options.baseDelayMs ?? 1000);
  const maxDelayMs = Math.max(baseDelayMs, options.maxDelayMs ?? 20_000);
  const total = emptyStats();
  const byOperation: Record<string, OperationCallStats> = {};
  let ownRetryDelayMs = 0;
  // Real time, not the injected clock: this paces requests, it is not a domain date.
  let holdUntil = 0;

  const count = (op: OperationCallStats, field: keyof OperationCallStats, n = 1): void => {
    op[field] += n;
    total[field] += n;
  };

  return {
    async send<T>(operation: string, call: () => Promise<T>): Promise<T> {
      const op = (byOperation[operation] ??= emptyStats());
      count(op, 'calls');
      for (let retry = 0; ; retry++) {
        const wait = holdUntil - Date.now();
        if (wait > 0) await sleep(wait);
        try {
          const output = await call();
          const attempts = attemptsOf(output);
          count(op, 'requests', attempts);
          count(op, 'sdkRetries', attempts - 1);
          return output;
        } catch (err) {
          const attempts = attemptsOf(err);
          count(op, 'requests', attempts);
          count(op, 'sdkRetries', attempts - 1);
          if (classifyAwsError(err) !== 'throttled' || retry >= maxRetries) {
            count(op, 'failed');
            throw err;
          }
          // "Equal jitter": at least half the step, so a retry never follows at once.
          const step = Math.min(maxDelayMs, baseDelayMs * 2 ** retry);
          const delay = Math.round(step / 2 + (Math.random() * step) / 2);
          holdUntil = Math.max(holdUntil, Date.now() + delay);
          ownRetryDelayMs += delay;
          count(op, 'ownRetries');
        }
      }
    },
    stats() {
      const copy: Record<string, OperationCallStats> = {};
      for (const [name, s] of Object.entries(byOperation)) copy[name] = { ...s };
      return { ...total, byOperation: copy, ownRetryDelayMs };
    },
  };
}
