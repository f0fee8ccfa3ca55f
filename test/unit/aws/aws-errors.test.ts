import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { awsUnavailableMessage, classifyAwsError, isAwsTimeout } from '../../../src/aws/aws-errors.js';

function sdkError(name: string, status?: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error('x'), {
    name,
    $metadata: status === undefined ? {} : { httpStatusCode: status },
    ...extra,
  });
}

describe('classifyAwsError', () => {
  it('treats any 403 as access denied, even a parse error from an XML body', () => {
    assert.equal(classifyAwsError(sdkError('SyntaxError', 403)), 'access_denied');
    assert.equal(classifyAwsError(sdkError('AccessDeniedException', 400)), 'access_denied');
    assert.equal(classifyAwsError(sdkError('AccessDenied', 403)), 'access_denied');
  });

  it('recognises not found, throttling, outages and network failures', () => {
    assert.equal(classifyAwsError(sdkError('ResourceNotFoundException', 400)), 'not_found');
    assert.equal(classifyAwsError(sdkError('NoSuchEntity', 404)), 'not_found');
    assert.equal(classifyAwsError(sdkError('ThrottlingException', 400)), 'throttled');
    assert.equal(classifyAwsError(sdkError('Throttling', 400)), 'throttled');
    assert.equal(classifyAwsError(sdkError('Whatever', 429)), 'throttled');
    assert.equal(classifyAwsError(sdkError('InternalServiceError', 500)), 'unavailable');
    assert.equal(classifyAwsError(sdkError('Error', undefined, { code: 'ECONNREFUSED' })), 'unavailable');
    assert.equal(classifyAwsError(sdkError('TimeoutError')), 'unavailable');
  });

  it('leaves everything else to the incident path', () => {
    assert.equal(classifyAwsError(sdkError('ValidationException', 400)), 'other');
    assert.equal(classifyAwsError('a string'), 'other');
    assert.equal(classifyAwsError(null), 'other');
  });
});

describe('isAwsTimeout', () => {
  it('tells a timeout from a reset connection, which the SDK also names TimeoutError', () => {
    const timedOut = sdkError('TimeoutError', undefined, { code: 'ETIMEDOUT' });
    const connectTimeout = sdkError('TimeoutError');
    const reset = sdkError('TimeoutError', undefined, { code: 'ECONNRESET' });
    assert.equal(isAwsTimeout(timedOut), true);
    assert.equal(isAwsTimeout(connectTimeout), true);
    assert.equal(isAwsTimeout(reset), false);
    assert.equal(isAwsTimeout(sdkError('InternalServiceError', 500)), false);
    assert.equal(classifyAwsError(reset), 'unavailable');
    assert.equal(
      awsUnavailableMessage('AWS Secrets Manager', timedOut),
      'AWS Secrets Manager did not answer in time. Try again in a minute.',
    );
    assert.equal(
      awsUnavailableMessage('AWS Secrets Manager', reset),
      'AWS Secrets Manager could not be reached. Try again in a minute.',
    );
  });
});
