/** The AWS SDK middleware counts each call once, by service, operation and final outcome. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsCall, awsCallMiddleware, instrumentAwsClient } from '../../src/metrics/aws-calls.js';

const context = { clientName: 'SecretsManagerClient', commandName: 'GetSecretValueCommand' };

async function outcomeFor(error: unknown): Promise<AwsCall> {
  const calls: AwsCall[] = [];
  const handler = awsCallMiddleware((c) => calls.push(c))(async () => {
    throw error;
  }, context);
  await assert.rejects(
    handler({ input: { SecretId: 'prod/db' } }),
    (e) => e === error,
    'the error is rethrown',
  );
  assert.equal(calls.length, 1);
  return calls[0]!;
}

describe('AWS call metrics', () => {
  it('label a success with the service and operation from the SDK context, not the input', async () => {
    const calls: AwsCall[] = [];
    const handler = awsCallMiddleware((c) => calls.push(c))(async () => ({ output: {} }), context);
    await handler({ input: { SecretId: 'prod/db' } });
    assert.equal(calls.length, 1);
    assert.deepEqual(
      { ...calls[0], seconds: 0 },
      {
        service: 'secretsmanager',
        operation: 'GetSecretValue',
        outcome: 'success',
        seconds: 0,
      },
    );
    assert.ok(!JSON.stringify(calls).includes('prod/db'));
  });

  it('sort failures: any 403 is denied, throttling, not found, unreachable, anything else', async () => {
    const status = (code: number, name = 'Error') =>
      Object.assign(new Error('x'), { name, $metadata: { httpStatusCode: code } });
    assert.equal((await outcomeFor(status(403))).outcome, 'denied');
    assert.equal((await outcomeFor(status(400, 'AccessDeniedException'))).outcome, 'denied');
    assert.equal((await outcomeFor(status(400, 'ThrottlingException'))).outcome, 'throttled');
    assert.equal((await outcomeFor(status(400, 'ResourceNotFoundException'))).outcome, 'not_found');
    assert.equal((await outcomeFor(status(503))).outcome, 'unavailable');
    assert.equal(
      (await outcomeFor(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).outcome,
      'unavailable',
    );
    assert.equal((await outcomeFor(status(400, 'ValidationException'))).outcome, 'error');
    assert.equal((await outcomeFor(status(400, 'ConditionalCheckFailedException'))).outcome, 'conflict');
  });

  it('label an unknown client or command as unknown', async () => {
    const calls: AwsCall[] = [];
    const handler = awsCallMiddleware((c) => calls.push(c))(async () => ({ output: {} }), {
      clientName: 'weird name',
    });
    await handler({ input: {} });
    assert.equal(calls[0]!.service, 'unknown');
    assert.equal(calls[0]!.operation, 'unknown');
  });

  it('count one call once on a real client, with the outcome after the SDK retries', async () => {
    const calls: AwsCall[] = [];
    // Nothing listens on port 9: every attempt fails to connect, and the SDK retries twice.
    const sts = instrumentAwsClient(
      new STSClient({
        region: 'eu-west-1',
        endpoint: 'http://127.0.0.1:9',
        credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' },
        maxAttempts: 3,
      }),
      (c) => calls.push(c),
    );
    await assert.rejects(sts.send(new GetCallerIdentityCommand({})));
    assert.equal(calls.length, 1, 'one call, however many attempts');
    assert.equal(calls[0]!.service, 'sts');
    assert.equal(calls[0]!.operation, 'GetCallerIdentity');
    assert.equal(calls[0]!.outcome, 'unavailable');
  });
});
