import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ListUsersCommand } from '@aws-sdk/client-iam';
import { ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createAwsClientFactory } from '../../../src/aws/client-factory.js';
import { locksmithUserAgent } from '../../../src/aws/user-agent.js';
import { AwsRecorder } from '../../../devkit/aws-recorder.js';
import type { MotoServer } from '../../../devkit/moto.js';
import { openDynamoStore } from '../../../src/store/dynamodb-store.js';
import { startTestMoto } from '../../support/moto.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

describe('locksmith user agent', () => {
  let moto: MotoServer;
  let recorder: AwsRecorder;
  const ENV = ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
  const saved = ENV.map((name) => process.env[name]);
  before(async () => {
    moto = await startTestMoto();
    recorder = await AwsRecorder.start(moto.url);
    // The store's client takes the default credential chain, as in production.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: recorder.url,
      AWS_ACCESS_KEY_ID: 'AKIAMOTOADMINEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'x',
    });
  });
  after(async () => {
    ENV.forEach((name, i) => {
      if (saved[i] === undefined) delete process.env[name];
      else process.env[name] = saved[i];
    });
    await recorder?.stop();
    await moto?.stop();
  });

  it('is locksmith/<the package version>', () => {
    assert.equal(locksmithUserAgent(), `locksmith/${VERSION}`);
  });

  it('is on every call of every client the factory builds, after the SDK’s own', async () => {
    const factory = createAwsClientFactory({ region: 'eu-west-1' });
    const clients = factory.forCredentials({ accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'x' });
    await factory.botSts().send(new GetCallerIdentityCommand({}));
    await clients.sts.send(new GetCallerIdentityCommand({}));
    await clients.iam.send(new ListUsersCommand({}));
    await clients.secretsManager.send(new ListSecretsCommand({}));
    const seen = recorder.calls.map((c) => `${c.service}:${c.operation}`);
    assert.deepEqual(seen, [
      'sts:GetCallerIdentity',
      'sts:GetCallerIdentity',
      'iam:ListUsers',
      'secretsmanager:ListSecrets',
    ]);
    for (const call of recorder.calls) {
      assert.match(call.userAgent, /^aws-sdk-js\//, `${call.operation}: the SDK's part first`);
      assert.ok(call.userAgent.endsWith(` locksmith/${VERSION}`), `${call.operation}: ${call.userAgent}`);
    }
  });

  it('is on the DynamoDB store’s calls too', async () => {
    recorder.clear();
    const store = openDynamoStore({ table: 'no-such-table', region: 'eu-west-1' });
    await store.get('rotation', 'x').catch(() => undefined);
    await store.close();
    assert.ok(recorder.calls.length > 0);
    for (const call of recorder.calls)
      assert.ok(call.userAgent.endsWith(` locksmith/${VERSION}`), call.userAgent);
  });
});
