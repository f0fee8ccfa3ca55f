/**
 * Finding where a key is kept, against moto: the indexed search by tag (no value read) and the
 * full scan (BatchGetSecretValue 20 at a time, GetParametersByPath), with IAM enforced so that
 * BatchGetSecretValue's partial errors are AWS's (moto_extensions.py), and Parameter Store writes
 * and restores that keep a SecureString's KMS key.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  IAMClient,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  DescribeParametersCommand,
  GetParameterCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { AwsRecorder } from '../../devkit/aws-recorder.js';
import type { MotoServer } from '../../devkit/moto.js';
import { guardedPlaces } from '../../src/rotation/core/guarded-places.js';
import { KEY_TAG, locateByTag, scanPlaces } from '../../src/rotation/core/locate.js';
import { putParameterKeeping, restoreParameter } from '../../src/rotation/core/parameter-store.js';
import { searchComplete, searchGaps } from '../../src/rotation/core/rotation.js';
import { startTestMoto } from '../support/moto.js';

const REGION = 'eu-west-1';
const ADMIN = { accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'moto' };
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const OTHER_KEY = 'AKIAEXAMPLEOTHER0001';
const LIMITS = { callsPerSecond: 1000, maxSecrets: 20_000, maxParameters: 10_000 };

describe('locating a key’s places against moto', () => {
  let moto: MotoServer;
  let recorder: AwsRecorder;
  let admin: { sm: SecretsManagerClient; ssm: SSMClient; iam: IAMClient; kms: KMSClient };

  before(async () => {
    moto = await startTestMoto();
    recorder = await AwsRecorder.start(moto.url);
    const cfg = { region: REGION, endpoint: moto.url, credentials: ADMIN };
    admin = {
      sm: new SecretsManagerClient(cfg),
      ssm: new SSMClient(cfg),
      iam: new IAMClient(cfg),
      kms: new KMSClient(cfg),
    };
  });
  after(async () => {
    for (const c of Object.values(admin ?? {})) c.destroy();
    await recorder?.stop();
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    recorder.clear();
  });

  function clientsFor(credentials: { accessKeyId: string; secretAccessKey: string }) {
    const cfg = { region: REGION, endpoint: recorder.url, credentials, maxAttempts: 1 };
    return { secretsManager: new SecretsManagerClient(cfg), ssm: new SSMClient(cfg) };
  }

  const secret = (Name: string, value: string, Tags?: Array<{ Key: string; Value: string }>) =>
    admin.sm.send(new CreateSecretCommand({ Name, SecretString: value, ...(Tags ? { Tags } : {}) }));

  it('by tag: exactly the places tagged with this key id, no value read', async () => {
    await secret('app/tagged', 'x', [{ Key: KEY_TAG, Value: KEY }]);
    // tag-value is a prefix match on any tag: these must not count.
    await secret('app/other-tag', 'x', [{ Key: 'owner', Value: KEY }]);
    await secret('app/longer-value', 'x', [{ Key: KEY_TAG, Value: `${KEY}-old` }]);
    await secret('app/other-key', 'x', [{ Key: KEY_TAG, Value: OTHER_KEY }]);
    await admin.ssm.send(
      new PutParameterCommand({
        Name: '/ci/aws',
        Value: 'x',
        Type: 'SecureString',
        Tags: [{ Key: KEY_TAG, Value: KEY }],
      }),
    );
    await admin.ssm.send(new PutParameterCommand({ Name: '/ci/other', Value: KEY, Type: 'String' }));
    await secret('remembered/one', 'x');

    const clients = clientsFor(ADMIN);
    const { secrets, search } = await locateByTag(
      clients,
      KEY,
      [{ name: 'remembered/one' }, { name: 'remembered/deleted-since' }],
      Date.now(),
    );
    assert.deepEqual(
      secrets.map((s) => [s.name, s.found, s.parameter?.type]),
      [
        ['app/tagged', 'tag', undefined],
        ['remembered/one', 'remembered', undefined],
        ['ssm:/ci/aws', 'tag', 'SecureString'],
      ],
    );
    assert.equal(search.mode, 'indexed');
    assert.equal(searchComplete(search), false);
    assert.deepEqual(
      recorder.calls.map((c) => c.operation),
      ['ListSecrets', 'DescribeParameters', 'DescribeSecret', 'DescribeSecret'],
    );
    assert.deepEqual(recorder.callsOf('ListSecrets')[0]!.params.Filters, [
      { Key: 'tag-value', Values: [KEY] },
    ]);
  });

  describe('the full scan, with IAM enforced', () => {
    let scanner: { accessKeyId: string; secretAccessKey: string };
    let clients: ReturnType<typeof clientsFor>;

    beforeEach(async () => {
      // 45 secrets: one JSON and one "id:secret" that hold the key, one that holds it in text,
      // two the scanner may not read (prod/), one binary; 40 unrelated.
      await secret('app/json', JSON.stringify({ aws_access_key_id: KEY, aws_secret_access_key: SECRET }));
      await secret('ci/pair', `${KEY}:${SECRET}`);
      await secret('docs/notes', `the key is ${KEY}, ask ops`);
      await secret('prod/a', `${KEY}:${SECRET}`);
      await secret('prod/b', 'x');
      await admin.sm.send(
        new CreateSecretCommand({ Name: 'app/binary', SecretBinary: new Uint8Array([1, 2]) }),
      );
      for (let i = 0; i < 39; i++) await secret(`filler/${String(i).padStart(2, '0')}`, `value-${i}`);
      await admin.ssm.send(
        new PutParameterCommand({ Name: '/ci/aws', Value: `${KEY}\n${SECRET}`, Type: 'String' }),
      );
      await admin.ssm.send(
        new PutParameterCommand({ Name: '/ci/list', Value: `${KEY},x`, Type: 'StringList' }),
      );
      for (let i = 0; i < 12; i++) {
        await admin.ssm.send(
          new PutParameterCommand({ Name: `/filler/p${i}`, Value: `v${i}`, Type: 'SecureString' }),
        );
      }

      await admin.iam.send(new CreateUserCommand({ UserName: 'scanner' }));
      await admin.iam.send(
        new PutUserPolicyCommand({
          UserName: 'scanner',
          PolicyName: 'scan',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: [
                  'secretsmanager:ListSecrets',
                  'secretsmanager:BatchGetSecretValue',
                  'secretsmanager:TagResource',
                  'ssm:GetParametersByPath',
                  'ssm:DescribeParameters',
                  'ssm:AddTagsToResource',
                ],
                Resource: '*',
              },
              { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' },
              {
                Effect: 'Deny',
                Action: 'secretsmanager:GetSecretValue',
                Resource: 'arn:aws:secretsmanager:*:*:secret:prod/*',
              },
            ],
          }),
        }),
      );
      const key = (await admin.iam.send(new CreateAccessKeyCommand({ UserName: 'scanner' }))).AccessKey!;
      scanner = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
      clients = clientsFor(scanner);
      await moto.enforceIam();
      recorder.clear();
    });

    it('reads 20 secrets a call, names what it could not read, and tags what it found', async () => {
      const { secrets, search } = await scanPlaces(clients, KEY, { limits: LIMITS, now: Date.now() });
      assert.deepEqual(
        secrets.map((s) => [s.name, s.found, s.search?.updatable]),
        [
          ['app/json', 'scan', true],
          ['ci/pair', 'scan', true],
          ['docs/notes', 'scan', false],
          ['ssm:/ci/aws', 'scan', true],
        ],
      );
      // No secret value read one at a time; ⌈45 / 20⌉ batches of at most 20.
      assert.equal(recorder.callsOf('GetSecretValue').length, 0);
      const batches = recorder.callsOf('BatchGetSecretValue');
      assert.equal(batches.length, 3);
      assert.ok(batches.every((b) => (b.params.SecretIdList as string[]).length <= 20));
      // The denied prod/ secrets came back in Errors (AccessDeniedException), not as a failure.
      assert.deepEqual(search.secrets.unreadable.sort(), ['app/binary', 'prod/a', 'prod/b']);
      assert.equal(search.secrets.listed, 45);
      assert.equal(search.secrets.read, 42);
      assert.equal(search.parameters.read, 13, 'String and SecureString parameters, not StringList');
      assert.equal(searchComplete(search), false);
      assert.match(
        searchGaps(search).join(),
        /3 secrets could not be read \(app\/binary, prod\/a, prod\/b\)/,
      );
      // GetParametersByPath, 10 a page, decrypted.
      const pages = recorder.callsOf('GetParametersByPath');
      assert.ok(pages.every((p) => p.params.WithDecryption === true && p.params.MaxResults === 10));
      // Tagged for the next rotation.
      assert.equal(search.newlyTagged, 4);
      const again = await locateByTag(clients, KEY, [], Date.now());
      assert.deepEqual(
        again.secrets.map((s) => s.name),
        ['app/json', 'ci/pair', 'docs/notes', 'ssm:/ci/aws'],
        'the next search finds them by tag',
      );
    });

    it('does not ask for the secrets guarded for reveals (issue 14): counted as not read, never in a batch', async () => {
      const guarded = guardedPlaces({ guarded_secrets: ['ci/*'], guarded_edits: ['app/*'] }, 'read')!;
      const { secrets, search } = await scanPlaces(clients, KEY, {
        limits: LIMITS,
        now: Date.now(),
        tag: false,
        notRead: guarded,
      });
      const asked = recorder
        .callsOf('BatchGetSecretValue')
        .flatMap((b) => b.params.SecretIdList as string[])
        .join(' ');
      assert.doesNotMatch(asked, /ci\/pair/, 'the guarded secret is not asked for');
      assert.match(asked, /app\/json/, 'an edit guard does not stop the search reading it');
      assert.ok(!secrets.some((s) => s.name === 'ci/pair'));
      assert.ok(search.secrets.unreadable.includes('ci/pair'));
      assert.equal(searchComplete(search), false, 'so the search says it is incomplete');
    });

    it('says so when it stops at its limit', async () => {
      const { search } = await scanPlaces(clients, KEY, {
        limits: { ...LIMITS, maxSecrets: 30, maxParameters: 5 },
        now: Date.now(),
      });
      assert.equal(search.secrets.capped, true);
      assert.equal(search.secrets.listed, 30);
      assert.equal(search.parameters.capped, true, JSON.stringify(search.parameters));
      assert.match(searchGaps(search).join('; '), /the scan stopped at 30 secrets; there are more/);
    });
  });

  describe('Parameter Store writes', () => {
    it('keeps a SecureString’s type and KMS key; overwriting without the key would move it to the default', async () => {
      const kmsKey = (await admin.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      await admin.ssm.send(
        new PutParameterCommand({ Name: '/team/key', Value: 'one', Type: 'SecureString', KeyId: kmsKey }),
      );
      await putParameterKeeping(clientsFor(ADMIN).ssm, '/team/key', 'two');
      const keyOf = async () =>
        (
          await admin.ssm.send(
            new DescribeParametersCommand({
              ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: ['/team/key'] }],
            }),
          )
        ).Parameters?.[0]?.KeyId;
      assert.equal(await keyOf(), kmsKey);
      const value = await admin.ssm.send(
        new GetParameterCommand({ Name: '/team/key', WithDecryption: true }),
      );
      assert.equal(value.Parameter?.Value, 'two');
      // As AWS documents it (moto_extensions.py): no KeyId on an overwrite means the default key.
      await admin.ssm.send(new PutParameterCommand({ Name: '/team/key', Value: 'three', Overwrite: true }));
      assert.equal(await keyOf(), 'alias/aws/ssm');
    });

    it('restores the value from before locksmith’s write, once; leaves one someone changed since alone', async () => {
      const ssm = clientsFor(ADMIN).ssm;
      const before = JSON.stringify({ id: KEY, secret: SECRET });
      const ours = JSON.stringify({ id: OTHER_KEY, secret: 'new-secret' });
      await admin.ssm.send(new PutParameterCommand({ Name: '/a', Value: before, Type: 'SecureString' }));
      await putParameterKeeping(ssm, '/a', ours);
      let writes = 0;
      const onWrite = async () => {
        writes++;
      };
      assert.equal(await restoreParameter(ssm, '/a', KEY, undefined, onWrite), 'restored');
      assert.equal(
        await restoreParameter(ssm, '/a', KEY, undefined, onWrite),
        'restored',
        'again: nothing to do',
      );
      assert.equal(writes, 1);
      const value = await admin.ssm.send(new GetParameterCommand({ Name: '/a', WithDecryption: true }));
      assert.equal(value.Parameter?.Value, before);

      await admin.ssm.send(new PutParameterCommand({ Name: '/b', Value: before, Type: 'String' }));
      await putParameterKeeping(ssm, '/b', ours);
      await putParameterKeeping(ssm, '/b', 'someone else’s value');
      assert.equal(await restoreParameter(ssm, '/b', KEY, undefined, onWrite), 'changed-since');
      assert.equal(await restoreParameter(ssm, '/missing', KEY, undefined, onWrite), 'gone');
      await admin.ssm.send(new PutParameterCommand({ Name: '/c', Value: before, Type: 'String' }));
      assert.equal(await restoreParameter(ssm, '/c', KEY, undefined, onWrite), 'unchanged');
    });
  });
});
