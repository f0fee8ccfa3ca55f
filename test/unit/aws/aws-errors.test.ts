import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  awsUnavailableMessage,
  awsUserError,
  classifyAwsError,
  isAwsTimeout,
} from '../../../src/aws/aws-errors.js';
import { UserError } from '../../../src/core/errors.js';

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

describe('awsUserError', () => {
  const wording = { service: 'AWS Secrets Manager', notFound: 'No such secret.', denied: 'Denied.' };
  const sdk = (name: string, status: number, extra: object = {}) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, ...extra });

  it('gives each case its code and the caller’s sentence, keeping the AWS error as the cause', () => {
    const missing = sdk('ResourceNotFoundException', 400);
    const cases: [Error, string, string][] = [
      [missing, 'secret_not_found', 'No such secret.'],
      // Any 403 is a denial, whatever its name (moto answers some with an unparseable body).
      [sdk('SomethingUnparseable', 403), 'access_denied', 'Denied.'],
      [
        sdk('ThrottlingException', 400),
        'throttled',
        'AWS Secrets Manager is throttling requests right now. Try again in a minute.',
      ],
      [
        sdk('InternalFailure', 500),
        'aws_unavailable',
        'AWS Secrets Manager could not be reached. Try again in a minute.',
      ],
    ];
    for (const [err, code, message] of cases) {
      const got = awsUserError(err, wording);
      assert.ok(got instanceof UserError, err.name);
      assert.equal(got.code, code);
      assert.equal(got.message, message);
      assert.equal(got.cause, err);
    }
    assert.equal(awsUserError(missing, wording).cause, missing);
  });

  it('uses the caller’s denial code and own throttled / unavailable wording', () => {
    const denied = awsUserError(sdk('AccessDenied', 403), { ...wording, deniedCode: 'assume_role_denied' });
    assert.equal((denied as UserError).code, 'assume_role_denied');
    const timedOut = Object.assign(new Error('t'), { name: 'TimeoutError' });
    const said = awsUserError(timedOut, { ...wording, unavailable: (how) => `SM ${how}; maybe written.` });
    assert.equal(said.message, 'SM did not answer in time; maybe written.');
  });

  it('returns what a person cannot act on as it is: a bug or an outage for the operators', () => {
    const odd = sdk('ValidationException', 400);
    assert.equal(awsUserError(odd, wording), odd);
    const missing = sdk('NoSuchEntity', 404);
    assert.equal(
      awsUserError(missing, { service: 'IAM', denied: 'd' }),
      missing,
      'no notFound wording: not this call’s to explain',
    );
    assert.ok(awsUserError('text', wording) instanceof Error);
  });
});
