/**
 * AWS failing during a key rotation's create step, with the AWS clients set up exactly as the
 * bot sets them up (client-factory.ts: SDK retries and timeouts), not the single-attempt
 * clients of the runner's own tests: the SDK retries a call whose answer was lost, and
 * CreateAccessKey is not idempotent. Whatever AWS did, the rotation ends with the old key and
 * exactly one new key, every located secret holding the new key, and nothing half-done.
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { IAMClient } from '@aws-sdk/client-iam';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientSettings } from '../../src/aws/client-factory.js';
import { internalError } from '../../devkit/aws-faults.js';
import type { MotoServer } from '../../devkit/moto.js';
import type { RotationRunner, RunResult } from '../../src/rotation/core/index.js';
import { Harness, REQUESTER } from '../rotation/support.js';
import { startTestMoto } from '../support/moto.js';

const ID = 'rot-faults';
const by = REQUESTER.slackId;
const ADMIN = { accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'moto' };

let moto: MotoServer;
let h: Harness;
/** The person's clients as the bot builds them (3 attempts, short timeouts), via the recorder. */
let clients: { iam: IAMClient; secretsManager: SecretsManagerClient; ssm: SSMClient };

before(async () => {
  moto = await startTestMoto();
  h = await Harness.create(moto);
  const settings = {
    ...awsClientSettings({
      region: 'eu-west-1',
      maxAttempts: 3,
      requestTimeoutMs: 500,
      connectionTimeoutMs: 500,
    }),
    endpoint: h.recorder.url,
    credentials: ADMIN,
  };
  clients = {
    iam: new IAMClient(settings),
    secretsManager: new SecretsManagerClient(settings),
    ssm: new SSMClient(settings),
  };
});
after(async () => {
  clients?.iam.destroy();
  clients?.secretsManager.destroy();
  clients?.ssm.destroy();
  await h?.stop();
  await moto?.stop();
});
beforeEach(async () => {
  await h.reset();
});

async function confirmAll(runner: RotationRunner): Promise<RunResult> {
  const record = await runner.get(ID);
  return runner.handle(
    ID,
    {
      type: 'confirm-places',
      by,
      secrets: record!.data.places.secrets.filter((s) => s.updatable).map((s) => s.name),
      checklist: [],
    },
    { clients },
  );
}

async function startRotation(runner: RotationRunner): Promise<void> {
  const started = await runner.start(
    {
      id: ID,
      role: { name: 'platform', arn: 'arn:aws:iam::123456789012:role/platform' },
      userName: 'svc-deploy',
      requester: REQUESTER,
    },
    { clients },
  );
  assert.equal(started.rotation?.state, 'confirm-places');
}

/** Pushes a failed or interrupted step on the way a person's Retry button (or the scheduler) does. */
async function settle(runner: RotationRunner): Promise<RunResult> {
  let result = await runner.reconcile(ID, { clients });
  for (let i = 0; i < 5 && result.rotation?.state !== 'switch-over'; i++) {
    if (result.rotation?.intent) h.clock.advance(6 * 60_000);
    result = await runner.reconcile(ID, { clients });
  }
  return result;
}

/** The rotation's end state is whole: old key + exactly one new key, held by every secret. */
async function assertWhole(
  seeded: { oldKey: { accessKeyId: string } },
  newKeyId: string | undefined,
): Promise<void> {
  assert.ok(newKeyId, 'a new key was recorded');
  const keys = (await h.keys()).map((k) => k.id).sort();
  assert.deepEqual(keys, [seeded.oldKey.accessKeyId, newKeyId].sort(), 'the old key and exactly one new key');
  assert.equal(JSON.parse(await h.current('app/deploy')).aws_access_key_id, newKeyId);
  assert.ok((await h.current('ci/deploy-creds')).startsWith(`${newKeyId}:`));
}

describe('AWS faults in the rotation create step (bot client settings)', () => {
  it('CreateAccessKey applied but its answer lost: the SDK retry hits the key limit; the retry of the step ends whole', async () => {
    const seeded = await h.seed();
    const runner = h.runner();
    await startRotation(runner);
    h.recorder.failNext('CreateAccessKey', { kind: 'lose-answer' });
    const first = await confirmAll(runner);
    // The SDK retried the lost call: the first key exists, so each retry hit the two-key limit.
    assert.deepEqual(
      h.recorder.callsOf('CreateAccessKey').map((c) => c.status),
      [200, 409, 409],
    );
    assert.equal(first.outcome, 'failed');
    assert.match(first.error?.message ?? '', /Could not create a key for svc-deploy/);
    // The person's Retry (reconcile) finds the key whose secret was lost, replaces it, goes on.
    const result = await settle(runner);
    assert.equal(
      result.rotation?.state,
      'switch-over',
      `ended in ${result.rotation?.state}: ${result.error?.message ?? ''}`,
    );
    await assertWhole(seeded, result.rotation?.newKeyId);
  });

  it('PutSecretValue failing with 500 on every attempt: the step fails clearly; the retry ends whole', async () => {
    const seeded = await h.seed();
    const runner = h.runner();
    await startRotation(runner);
    h.recorder.failNext('PutSecretValue', internalError('json'), 3);
    const failed = await confirmAll(runner);
    assert.equal(failed.outcome, 'failed');
    assert.doesNotMatch(failed.error?.message ?? '', /InternalServiceError|at .*\.js:\d+/);
    const result = await settle(runner);
    assert.equal(
      result.rotation?.state,
      'switch-over',
      `ended in ${result.rotation?.state}: ${result.error?.message ?? ''}`,
    );
    await assertWhole(seeded, result.rotation?.newKeyId);
  });

  it('IAM hanging during create: the step gives up after the timeouts; the retry ends whole', async () => {
    const seeded = await h.seed();
    const runner = h.runner();
    await startRotation(runner);
    h.recorder.failNext('CreateAccessKey', { kind: 'hang' }, 3);
    const failed = await confirmAll(runner);
    assert.notEqual(failed.rotation?.state, 'switch-over');
    const result = await settle(runner);
    assert.equal(
      result.rotation?.state,
      'switch-over',
      `ended in ${result.rotation?.state}: ${result.error?.message ?? ''}`,
    );
    await assertWhole(seeded, result.rotation?.newKeyId);
  });
});
