/**
 * What moto does with AssumeRole session policies, found by experiment (docs/moto.md): moto
 * 5.2.1 accepts the `Policy` parameter and ignores it, even with IAM enforcement on
 * (`POST /moto-api/reset-auth`), even for a `Resource: "*"` deny. So the app tests of session
 * policies (test/app/session-policy.test.ts) assert the policy sent and locksmith's own check,
 * not a denial by moto. Should a moto upgrade start enforcing them, this test fails and says so:
 * then the app tests can assert the denial itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { READ_ALL_SECRETS, type Seeded, seedAws } from '../../devkit/aws-seed.js';
import type { MotoServer } from '../../devkit/moto.js';
import { startTestMoto } from '../support/moto.js';

const REGION = 'eu-west-1';
let moto: MotoServer;
let seeded: Seeded;

before(async () => {
  moto = await startTestMoto();
  await moto.reset();
  seeded = await seedAws(
    moto.url,
    {
      bot: {},
      roles: [{ name: 'reader', policy: READ_ALL_SECRETS }],
      secrets: [{ name: 'prod/db', value: 'moto-session-policy-canary' }],
    },
    REGION,
  );
  await moto.enforceIam();
});
after(async () => {
  await moto?.stop();
});

async function readUnder(policy: object | undefined): Promise<string> {
  const sts = new STSClient({ region: REGION, endpoint: moto.url, credentials: seeded.botCredentials! });
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: seeded.roleArns['reader']!,
      RoleSessionName: 'slack-U0EXPERIMENT',
      SourceIdentity: 'alice@example.com',
      ...(policy ? { Policy: JSON.stringify(policy) } : {}),
    }),
  );
  const sm = new SecretsManagerClient({
    region: REGION,
    endpoint: moto.url,
    credentials: {
      accessKeyId: c!.AccessKeyId!,
      secretAccessKey: c!.SecretAccessKey!,
      sessionToken: c!.SessionToken,
    },
  });
  try {
    return (await sm.send(new GetSecretValueCommand({ SecretId: 'prod/db' }))).SecretString ?? '';
  } catch (err) {
    return `denied: ${(err as Error).name}`;
  } finally {
    sts.destroy();
    sm.destroy();
  }
}

describe('moto 5.2.1 and session policies', () => {
  it('enforces the role policy, but ignores an AssumeRole session policy, even a deny of Resource "*"', async () => {
    assert.equal(await readUnder(undefined), 'moto-session-policy-canary', 'the role may read');
    const denyAll = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: 'secretsmanager:GetSecretValue', Resource: '*' },
      ],
    };
    assert.equal(
      await readUnder(denyAll),
      'moto-session-policy-canary',
      'moto now enforces session policies: update docs/moto.md and make test/app/session-policy.test.ts assert the denial',
    );
    const allowNothingElse = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }],
    };
    assert.equal(await readUnder(allowNothingElse), 'moto-session-policy-canary');
  });
});
