/**
 * The CloudTrail extension of the moto the tests start (devkit/moto_cloudtrail.py): every
 * request becomes an event in AWS's record format, and LookupEvents answers with AWS's shapes,
 * filters, pages, errors and throttling. The bot's CloudTrail tests rest on these behaviours.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CloudTrailClient, type Event, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  BatchGetSecretValueCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { READ_ALL_SECRETS, type Seeded, seedAws } from '../../devkit/aws-seed.js';
import type { MotoServer } from '../../devkit/moto.js';
import { type CloudTrailRecord, parseCloudTrailRecord } from '../../src/trail/cloudtrail-record.js';
import { startTestMoto } from '../support/moto.js';

const REGION = 'eu-west-1';
const CANARY = 'CANARY-trail-value-41c9';
const CLI_AGENT =
  'aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.debian.12 prompt/off command/secretsmanager.get-secret-value';

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

let moto: MotoServer;
let seeded: Seeded;

before(async () => {
  moto = await startTestMoto();
});
after(async () => {
  await moto.stop();
});
beforeEach(async () => {
  await moto.reset();
  seeded = await seedAws(
    moto.url,
    {
      bot: {},
      roles: [{ name: 'reader', policy: READ_ALL_SECRETS }],
      secrets: [
        { name: 'team/db', value: { password: CANARY } },
        { name: 'team/other', value: 'x' },
      ],
    },
    REGION,
  );
});

function trail(credentials: Credentials, region = REGION, maxAttempts = 10): CloudTrailClient {
  // Quick successive look-ups meet the 2-a-second limit; the SDK retries them, as a real client would.
  return new CloudTrailClient({ region, endpoint: moto.url, credentials, maxAttempts });
}

function secrets(credentials: Credentials, userAgent?: string): SecretsManagerClient {
  const client = new SecretsManagerClient({ region: REGION, endpoint: moto.url, credentials });
  if (userAgent) {
    // The header as the AWS CLI sends it; CloudTrail records the User-Agent header.
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, string> };
        request.headers['user-agent'] = userAgent;
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'cliUserAgent' },
    );
  }
  return client;
}

async function session(sourceIdentity?: string, name = 'slack-U0ALICE'): Promise<Credentials> {
  const sts = new STSClient({ region: REGION, endpoint: moto.url, credentials: seeded.botCredentials! });
  const res = await sts.send(
    new AssumeRoleCommand({
      RoleArn: seeded.roleArns.reader!,
      RoleSessionName: name,
      ...(sourceIdentity ? { SourceIdentity: sourceIdentity } : {}),
    }),
  );
  const c = res.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

async function userKey(userName: string): Promise<Credentials> {
  const iam = new IAMClient({
    region: REGION,
    endpoint: moto.url,
    credentials: { accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'moto' },
  });
  await iam.send(new CreateUserCommand({ UserName: userName }));
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
}

function record(event: Event): CloudTrailRecord {
  assert.equal(typeof event.CloudTrailEvent, 'string', 'CloudTrailEvent is a JSON string');
  const parsed = parseCloudTrailRecord(event.CloudTrailEvent);
  assert.ok(parsed);
  return parsed;
}

/** A nested field of a record's requestParameters or responseElements. */
function field(value: unknown, ...path: string[]): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], value);
}

async function lookup(
  credentials: Credentials,
  key: string,
  value: string,
  region = REGION,
): Promise<Event[]> {
  const res = await trail(credentials, region).send(
    new LookupEventsCommand({
      LookupAttributes: [{ AttributeKey: key as 'EventName', AttributeValue: value }],
    }),
  );
  return res.Events ?? [];
}

describe('moto with CloudTrail event history', () => {
  it('records a read by an assumed-role session with its SourceIdentity, as AWS documents the record', async () => {
    const alice = await session('alice@example.com');
    await secrets(alice).send(new GetSecretValueCommand({ SecretId: 'team/db' }));

    const [event] = await lookup(alice, 'EventName', 'GetSecretValue');
    assert.ok(event);
    assert.equal(event.EventSource, 'secretsmanager.amazonaws.com');
    assert.equal(event.ReadOnly, 'true');
    assert.equal(event.Username, 'slack-U0ALICE', 'Username is the role session name');
    assert.equal(event.AccessKeyId, alice.accessKeyId);
    assert.ok(event.EventTime instanceof Date && Math.abs(event.EventTime.getTime() - Date.now()) < 60_000);
    assert.deepEqual(event.Resources, []);
    const r = record(event);
    assert.equal(r.eventVersion, '1.08');
    assert.equal(r.eventName, 'GetSecretValue');
    assert.equal(r.awsRegion, REGION);
    assert.match(r.eventTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(r.sourceIPAddress, '127.0.0.1');
    assert.match(r.userAgent ?? '', /^aws-sdk-js\//);
    assert.deepEqual(r.requestParameters, { secretId: 'team/db' });
    assert.equal(r.responseElements, null);
    assert.equal(r.eventType, 'AwsApiCall');
    assert.equal(r.managementEvent, true);
    assert.equal(r.recipientAccountId, seeded.accountId);
    const who = r.userIdentity!;
    assert.equal(who.type, 'AssumedRole');
    assert.equal(who.arn, `arn:aws:sts::${seeded.accountId}:assumed-role/reader/slack-U0ALICE`);
    assert.equal(who.accessKeyId, alice.accessKeyId);
    assert.match(who.principalId ?? '', /^AROA\w+:slack-U0ALICE$/);
    assert.equal(who.sessionContext?.sessionIssuer?.type, 'Role');
    assert.equal(who.sessionContext?.sessionIssuer?.arn, seeded.roleArns.reader);
    assert.equal(who.sessionContext?.sessionIssuer?.userName, 'reader');
    assert.equal(who.sessionContext?.attributes?.mfaAuthenticated, 'false');
    assert.equal(who.sessionContext?.sourceIdentity, 'alice@example.com');
  });

  it('records an IAM user key with type IAMUser and the user name as Username', async () => {
    const ci = await userKey('ci-deploy');
    await secrets(ci, CLI_AGENT).send(new GetSecretValueCommand({ SecretId: 'team/other' }));

    const events = await lookup(ci, 'AccessKeyId', ci.accessKeyId);
    const read = events.find((e) => e.EventName === 'GetSecretValue');
    assert.ok(read, 'found by AccessKeyId');
    assert.equal(read.Username, 'ci-deploy');
    const r = record(read);
    assert.equal(r.userIdentity?.type, 'IAMUser');
    assert.equal(r.userIdentity?.userName, 'ci-deploy');
    assert.equal(r.userIdentity?.arn, `arn:aws:iam::${seeded.accountId}:user/ci-deploy`);
    assert.equal(r.userIdentity?.sessionContext, undefined);
    assert.equal(r.userAgent, CLI_AGENT);
  });

  it('keeps the SourceIdentity through role chaining, and a session without one has none', async () => {
    const alice = await session('alice@example.com');
    const chained = new STSClient({ region: REGION, endpoint: moto.url, credentials: alice });
    const res = await chained.send(
      new AssumeRoleCommand({ RoleArn: seeded.roleArns.reader!, RoleSessionName: 'chained' }),
    );
    const c = res.Credentials!;
    const second = {
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken!,
    };
    await secrets(second).send(new GetSecretValueCommand({ SecretId: 'team/db' }));
    const plain = await session(undefined, 'no-identity');
    await secrets(plain).send(new GetSecretValueCommand({ SecretId: 'team/db' }));

    const reads = (await lookup(alice, 'EventName', 'GetSecretValue')).map(record);
    const byArn = new Map(reads.map((r) => [r.userIdentity?.arn, r]));
    assert.equal(
      byArn.get(`arn:aws:sts::${seeded.accountId}:assumed-role/reader/chained`)?.userIdentity?.sessionContext
        ?.sourceIdentity,
      'alice@example.com',
    );
    const none = byArn.get(`arn:aws:sts::${seeded.accountId}:assumed-role/reader/no-identity`);
    assert.ok(none);
    assert.equal(none.userIdentity?.sessionContext?.sourceIdentity, undefined);

    const [assume] = await lookup(alice, 'EventName', 'AssumeRole');
    const a = record(assume!);
    assert.equal(a.eventSource, 'sts.amazonaws.com');
    assert.equal(field(a.requestParameters, 'roleArn'), seeded.roleArns.reader);
    assert.ok(field(a.responseElements, 'credentials', 'accessKeyId'));
    assert.deepEqual(assume!.Resources, [
      { ResourceType: 'AWS::IAM::Role', ResourceName: seeded.roleArns.reader },
    ]);
  });

  it('never records a secret value, and records failures with their error code', async () => {
    const alice = await session('alice@example.com');
    const sm = secrets(alice);
    await sm.send(
      new PutSecretValueCommand({ SecretId: 'team/db', SecretString: `{"password":"${CANARY}"}` }),
    );
    await assert.rejects(sm.send(new GetSecretValueCommand({ SecretId: 'team/missing' })));

    const all = await trail(alice).send(new LookupEventsCommand({}));
    assert.doesNotMatch(JSON.stringify(all), new RegExp(CANARY));
    const put = record((await lookup(alice, 'EventName', 'PutSecretValue'))[0]!);
    assert.deepEqual(Object.keys(put.requestParameters ?? {}).sort(), ['clientRequestToken', 'secretId']);
    assert.equal(put.readOnly, false);
    assert.ok(field(put.responseElements, 'arn'), 'a write has responseElements');
    const failed = (await lookup(alice, 'EventName', 'GetSecretValue')).map(record).find((r) => r.errorCode);
    assert.equal(failed?.errorCode, 'ResourceNotFoundException');
    assert.equal(field(failed?.requestParameters, 'secretId'), 'team/missing');
  });

  it('records a GetSecretValue for each secret a BatchGetSecretValue read', async () => {
    const alice = await session('alice@example.com');
    await secrets(alice).send(new BatchGetSecretValueCommand({ SecretIdList: ['team/db', 'team/other'] }));
    const reads = (await lookup(alice, 'EventName', 'GetSecretValue')).map(record);
    assert.equal(reads.length, 2);
    assert.ok(
      reads.every((r) => /^arn:aws:secretsmanager:/.test(String(field(r.requestParameters, 'secretId')))),
    );
    assert.equal((await lookup(alice, 'EventName', 'BatchGetSecretValue')).length, 1);
  });

  it('files IAM calls under us-east-1, whatever Region the caller signs for', async () => {
    const admin = { accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'moto' };
    await userKey('someone');
    const global = await lookup(admin, 'EventSource', 'iam.amazonaws.com', 'us-east-1');
    assert.ok(global.some((e) => e.EventName === 'CreateAccessKey'));
    const create = global.find((e) => e.EventName === 'CreateAccessKey')!;
    assert.deepEqual(create.Resources, [{ ResourceType: 'AWS::IAM::User', ResourceName: 'someone' }]);
    assert.equal(record(create).awsRegion, 'us-east-1');
    assert.ok(field(record(create).responseElements, 'accessKey', 'accessKeyId'));
    assert.equal(field(record(create).responseElements, 'accessKey', 'secretAccessKey'), undefined);
    assert.deepEqual(await lookup(admin, 'EventSource', 'iam.amazonaws.com', REGION), []);
  });

  it('pages 50 events at a time, newest first, with a NextToken bound to its parameters', async () => {
    const alice = await session('alice@example.com');
    const sm = secrets(alice);
    for (let i = 0; i < 60; i++) await sm.send(new GetSecretValueCommand({ SecretId: 'team/db' }));
    const attrs = [{ AttributeKey: 'EventName' as const, AttributeValue: 'GetSecretValue' }];
    const client = trail(alice);
    const first = await client.send(new LookupEventsCommand({ LookupAttributes: attrs }));
    assert.equal(first.Events?.length, 50, 'the default page size is 50');
    assert.ok(first.NextToken);
    const times = first.Events!.map((e) => e.EventTime!.getTime());
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      'newest first',
    );
    const second = await client.send(
      new LookupEventsCommand({ LookupAttributes: attrs, NextToken: first.NextToken }),
    );
    assert.equal(second.Events?.length, 10);
    assert.equal(second.NextToken, undefined);
    const ids = new Set([...first.Events!, ...second.Events!].map((e) => e.EventId));
    assert.equal(ids.size, 60, 'no event twice');
    await assert.rejects(
      client.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'PutSecretValue' }],
          NextToken: first.NextToken,
        }),
      ),
      { name: 'InvalidNextTokenException' },
    );
  });

  it('answers bad parameters with the errors the API reference names', async () => {
    const alice = await session('alice@example.com');
    const client = trail(alice);
    await assert.rejects(
      client.send(
        new LookupEventsCommand({
          LookupAttributes: [
            { AttributeKey: 'EventName', AttributeValue: 'GetSecretValue' },
            { AttributeKey: 'Username', AttributeValue: 'x' },
          ],
        }),
      ),
      { name: 'InvalidLookupAttributesException' },
    );
    await assert.rejects(client.send(new LookupEventsCommand({ MaxResults: 51 })), {
      name: 'InvalidMaxResultsException',
    });
    await assert.rejects(
      client.send(new LookupEventsCommand({ StartTime: new Date(), EndTime: new Date(Date.now() - 60_000) })),
      { name: 'InvalidTimeRangeException' },
    );
    const future = await client.send(
      new LookupEventsCommand({ StartTime: new Date(Date.now() + 3_600_000) }),
    );
    assert.deepEqual(future.Events, []);
  });

  it('throttles LookupEvents beyond 2 per second per account and Region, and counts it', async () => {
    const alice = await session('alice@example.com');
    await new Promise((r) => setTimeout(r, 1100)); // a full bucket
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () =>
        trail(alice, REGION, 1).send(new LookupEventsCommand({ MaxResults: 1 })),
      ),
    );
    const throttled = results.filter((r) => r.status === 'rejected');
    assert.equal(results.length - throttled.length, 2);
    for (const r of throttled)
      assert.equal(((r as PromiseRejectedResult).reason as Error).name, 'ThrottlingException');
    // Another Region has its own allowance.
    await trail(alice, 'us-east-1', 1).send(new LookupEventsCommand({ MaxResults: 1 }));
    const stats = await moto.cloudTrailStats();
    const eu = stats.lookupEvents.find((s) => s.region === REGION);
    assert.deepEqual(eu && { served: eu.served, throttled: eu.throttled }, { served: 2, throttled: 4 });
  });

  it('enforces IAM on LookupEvents like any other call', async () => {
    const alice = await session('alice@example.com');
    await moto.enforceIam();
    await assert.rejects(trail(alice).send(new LookupEventsCommand({})), (err: unknown) => {
      assert.equal((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 403);
      return true;
    });
  });

  it('forgets the history on reset', async () => {
    const admin = { accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'moto' };
    assert.ok((await moto.cloudTrailStats()).events > 0);
    await moto.reset();
    assert.equal((await moto.cloudTrailStats()).events, 0);
    assert.deepEqual(await lookup(admin, 'EventName', 'CreateSecret'), []);
  });
});
