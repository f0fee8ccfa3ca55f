/**
 * Sorts AWS SDK errors into the few cases a person can act on. Classification goes by HTTP
 * status as well as error name: moto (and some AWS edge paths) answer a denied call with an
 * XML body the JSON protocol cannot parse, so the SDK raises a parse error whose only reliable
 * fact is the 403.
 */

import { UserError } from '../core/errors.js';

export type AwsFailure = 'not_found' | 'access_denied' | 'throttled' | 'unavailable' | 'other';

interface SdkErrorShape {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
  $retryable?: { throttling?: boolean };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);

/** Which of the few cases a person can act on an AWS SDK error is. */
export function classifyAwsError(err: unknown): AwsFailure {
  if (typeof err !== 'object' || err === null) return 'other';
  const e = err as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const name = e.name ?? '';
  if (name === 'ResourceNotFoundException' || name === 'NoSuchEntityException' || name === 'NoSuchEntity') {
    return 'not_found';
  }
  if (
    status === 403 ||
    /AccessDenied|NotAuthorized|UnauthorizedOperation|UnrecognizedClient|InvalidClientTokenId/.test(name)
  ) {
    return 'access_denied';
  }
  if (status === 429 || THROTTLING_NAMES.has(name) || e.$retryable?.throttling) return 'throttled';
  if ((e.code && NETWORK_CODES.has(e.code)) || name === 'TimeoutError' || name === 'RequestTimeout') {
    return 'unavailable';
  }
  if (status !== undefined && status >= 500) return 'unavailable';
  if (status === undefined && (name === 'Error' || name === 'AbortError') && e.code) return 'unavailable';
  return 'other';
}

/**
 * True when the call failed because AWS did not answer within the client's request or
 * connection timeout on every attempt (classified as `unavailable`). Worth telling apart from
 * "unreachable": a timed-out write may still have been applied.
 */
export function isAwsTimeout(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as SdkErrorShape;
  // The SDK also names a reset connection TimeoutError; its code tells the two apart.
  if (e.code !== undefined) return e.code === 'ETIMEDOUT';
  return e.name === 'TimeoutError';
}

/**
 * The sentence for an `unavailable` failure of `service` (e.g. "AWS Secrets Manager"): a
 * timeout and an unreachable endpoint read differently, so operators know which to look for.
 */
export function awsUnavailableMessage(service: string, err: unknown): string {
  return isAwsTimeout(err)
    ? `${service} did not answer in time. Try again in a minute.`
    : `${service} could not be reached. Try again in a minute.`;
}

/** What to tell a person when one AWS call fails, case by case (see {@link awsUserError}). */
export interface AwsErrorWording {
  /** For the default throttled and unavailable sentences, e.g. "AWS Secrets Manager". */
  service: string;
  /** The sentence for `not_found`; none: a not-found is not this call's to explain (rethrown). */
  notFound?: string;
  /** The sentence for `access_denied` (any 403 counts, see classifyAwsError); none: rethrown. */
  denied?: string;
  /** The code of a denial, when it is not the person's role that was denied. */
  deniedCode?: 'access_denied' | 'assume_role_denied';
  /** Default: "<service> is throttling requests right now. Try again in a minute." */
  throttled?: string;
  /** Default: awsUnavailableMessage(service). Given `how`: "did not answer in time" or "could not be reached". */
  unavailable?: (how: string) => string;
}

/**
 * The one place an AWS failure becomes a sentence for a person: a coded UserError (the AWS error
 * kept as `cause` for the log) for each case a person can act on, with the caller's wording;
 * anything else is returned as it is (an incident for the operators, never its own text shown).
 */
export function awsUserError(err: unknown, wording: AwsErrorWording): Error {
  const cause = { cause: err };
  switch (classifyAwsError(err)) {
    case 'not_found':
      if (wording.notFound !== undefined) return new UserError('secret_not_found', wording.notFound, cause);
      break;
    case 'access_denied':
      if (wording.denied !== undefined)
        return new UserError(wording.deniedCode ?? 'access_denied', wording.denied, cause);
      break;
    case 'throttled':
      return new UserError(
        'throttled',
        wording.throttled ?? `${wording.service} is throttling requests right now. Try again in a minute.`,
        cause,
      );
    case 'unavailable':
      return new UserError(
        'aws_unavailable',
        wording.unavailable
          ? wording.unavailable(isAwsTimeout(err) ? 'did not answer in time' : 'could not be reached')
          : awsUnavailableMessage(wording.service, err),
        cause,
      );
    default:
      break;
  }
  return err instanceof Error ? err : new Error('unexpected AWS error');
}
