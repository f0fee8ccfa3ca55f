/**
 * AWS's own error answers, for tests that make AWS fail through the recording proxy
 * (`AwsRecorder.failNext`). The bodies follow the two wire protocols locksmith meets: JSON
 * (Secrets Manager, DynamoDB: `__type` names the error) and query/XML (STS, IAM: an
 * `ErrorResponse`), so the real SDK parses them into the errors production would see.
 */
import { randomUUID } from 'node:crypto';
import type { InjectedFailure } from './aws-recorder.js';

/** The wire protocol of the service a fault is for. */
export type AwsProtocol = 'json' | 'query';

function jsonError(status: number, type: string, message: string): InjectedFailure {
  return {
    status,
    body: JSON.stringify({ __type: type, message }),
    contentType: 'application/x-amz-json-1.1',
    headers: { 'x-amzn-requestid': randomUUID() },
  };
}

function queryError(
  status: number,
  type: 'Sender' | 'Receiver',
  code: string,
  message: string,
): InjectedFailure {
  const requestId = randomUUID();
  return {
    status,
    body:
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>${type}</Type>` +
      `<Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    contentType: 'text/xml',
    headers: { 'x-amzn-requestid': requestId },
  };
}

/**
 * Throttling as AWS answers it: HTTP 400 `ThrottlingException` (JSON services) or
 * `Throttling` (STS, IAM). The SDK retries it with backoff.
 */
export function throttling(protocol: AwsProtocol): InjectedFailure {
  return protocol === 'json'
    ? jsonError(400, 'ThrottlingException', 'Rate exceeded')
    : queryError(400, 'Sender', 'Throttling', 'Rate exceeded');
}

/**
 * A server-side failure: HTTP 500 `InternalServiceError` (Secrets Manager's name for it) or
 * `InternalFailure` (STS, IAM). The SDK retries it as transient.
 */
export function internalError(protocol: AwsProtocol): InjectedFailure {
  return protocol === 'json'
    ? jsonError(500, 'InternalServiceError', 'An error occurred on the server side.')
    : queryError(500, 'Receiver', 'InternalFailure', 'An internal error occurred.');
}

/** HTTP 503 from a load balancer in front of AWS: an HTML page, no AWS error shape at all. */
export function serviceUnavailablePage(): InjectedFailure {
  return { status: 503, body: '<html><body>Service Unavailable</body></html>', contentType: 'text/html' };
}
