/**
 * `/secret who` over the extended moto: every call moto served is in its CloudTrail history,
 * and the bot reads it back with LookupEvents under the asker's own role.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  IAMClient,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type PolicyDocument, roleArn } from '../../devkit/aws-seed.js';
import { type Harness, REGION, startHarness } from '../support/app-harness.js';
import { answered } from '../support/windows.js';
import { CANARY_PASSWORD, CANARY_TOKEN, config, seed, usergroups, users } from '../support/fixtures.js';

/** Reads secrets and looks them up in CloudTrail (moto honours only Resource "*"). */
const READ_AND_TRAIL: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: [
        'secretsmanager:GetSecretValue',
        'secretsmanager:DescribeSecret',
        'secretsmanager:ListSecrets',
        'cloudtrail:LookupEvents',
      ],
      Resource: '*',
    },
  ],
};

const CLI_AGENT =
  'aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.debian.12 prompt/off command/secretsmanager.get-secret-value';

const whoConfig = {
  ...config,
  roles: { ...config.roles, auditor: roleArn('locksmith-auditor') },
  people: { ...config.people, U0BOB: ['nothing', '2ndline', 'auditor'] },
  trail: { cache_seconds: 0 },
};
const whoSeed = {
  ...seed,
  roles: [
    // 2ndline may read and look up; `nothing` may do neither; `auditor` may look up only.
    ...(seed.roles ?? []).map((r) => (r.name === 'locksmith-2ndline' ? { ...r, policy: READ_AND_TRAIL } : r)),
    {
      name: 'locksmith-auditor',
      policy: {
        Version: '2012-10-17' as const,
        Statement: [
          {
            Effect: 'Allow' as const,
            Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
            Resource: '*',
          },
        ],
      },
    },
  ],
};

let h: Harness;
/** The bot's clock runs this far ahead of moto's (whose clock stamps the events). */
let ahead = 0;
const clock = { now: () => Date.now() + ahead };

before(async () => {
  h = await startHarness({ config: whoConfig, seed: whoSeed, users, usergroups, enforceIam: true, clock });
});
after(async () => {
  await h?.stop();
});

/** Sends /secret and waits for its final reply (a "looking…" message may come first). */
async function secret(userId: string, text: string, timeoutMs = 15_000) {
  const sent = await h.sender.slashCommand({ userId, command: '/secret', text });
  assert.equal(sent.status, 200);
  const reply = await h.slack.waitFor(
    () =>
      h.slack.responseUrlPosts.find(
        (p) => p.url === sent.responseUrl && !JSON.stringify(p.body).includes('Looking through CloudTrail'),
      ),
    timeoutMs,
  );
  return { sent, reply, json: JSON.stringify(reply.body) };
}

/** A key of a new IAM user that may read secrets, as a machine consumer holds one. */
async function machineKey(userName: string) {
  // Made with moto's IAM enforcement off for a moment, as an administrator would.
  await fetch(`${h.moto.url}/moto-api/reset-auth`, { method: 'POST', body: 'inf' });
  const iam = new IAMClient({
    region: REGION,
    endpoint: h.moto.url,
    credentials: { accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'moto' },
  });
  try {
    await iam.send(new CreateUserCommand({ UserName: userName }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: userName,
        PolicyName: 'read',
        PolicyDocument: JSON.stringify(READ_AND_TRAIL),
      }),
    );
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
    return { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
  } finally {
    iam.destroy();
    await h.moto.enforceIam();
  }
}

/** A Secrets Manager client that sends the AWS CLI's user agent, as `aws secretsmanager` would. */
function cliClient(credentials: { accessKeyId: string; secretAccessKey: string }) {
  const client = new SecretsManagerClient({ region: REGION, endpoint: h.moto.url, credentials });
  client.middlewareStack.add(
    (next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers['user-agent'] = CLI_AGENT;
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'cliUserAgent' },
  );
  return client;
}

beforeEach(() => {
  h.slack.responseUrlPosts.length = 0;
});

describe('/secret who', () => {
  it("names Alice, by the email locksmith set as her session's SourceIdentity, and how: via locksmith", async () => {
    const shown = await h.sender.slashCommand({
      userId: 'U0ALICE',
      command: '/secret',
      text: 'get 2ndline/fastly',
    });
    assert.ok(
      (await answered(h.slack, shown)).includes(CANARY_PASSWORD),
      'Alice saw the value (in a window)',
    );

    const { json, reply } = await secret('U0BOB', 'who 2ndline/fastly --role 2ndline');
    assert.match(json, /"response_type":"ephemeral"/);
    assert.match(json, /Who read or changed\* `2ndline\/fastly`/);
    assert.match(json, /\*alice@example.com\*/);
    assert.match(
      json,
      /\*read\* by \*alice@example.com\* \(role `locksmith-2ndline`\), via locksmith from 127\.0\.0\.1/,
    );
    assert.match(json, /looked up as role `2ndline`/);
    assert.match(json, /events usually appear about 5 minutes after the call/);
    for (const canary of [CANARY_PASSWORD, CANARY_TOKEN]) assert.ok(!json.includes(canary), 'never a value');
    assert.equal((reply.body as { replace_original?: boolean }).replace_original, undefined);

    const audit = h.auditEvents().find((e) => e.action === 'secret.who');
    assert.ok(audit);
    assert.equal(audit.outcome, 'ok');
    assert.equal(audit.target, '2ndline/fastly');
    assert.equal((audit.person as { email: string }).email, 'bob@example.com');
    assert.equal((audit.role as { name: string }).name, '2ndline');
    assert.ok(Number(audit.count) >= 1);
  });

  it('looks up CloudTrail under the asker’s own session, never the bot’s key', async () => {
    h.aws.clear();
    await secret('U0BOB', 'who 2ndline/plain --role 2ndline');
    const lookups = h.aws.callsOf('LookupEvents');
    assert.ok(lookups.length >= 7, 'one look-up per event name');
    assert.ok(lookups.every((c) => c.accessKeyId !== h.seeded.botCredentials!.accessKeyId));
    assert.ok(
      lookups.every((c) => c.accessKeyId.startsWith('ASIA')),
      "Bob's assumed-role session",
    );
  });

  it('says a read made with the AWS CLI was made with the CLI, by the IAM user who made it', async () => {
    const key = await machineKey('ci-reader');
    await cliClient(key).send(new GetSecretValueCommand({ SecretId: 'prod/db' }));
    const { json } = await secret('U0BOB', 'who prod/db --role 2ndline');
    assert.match(json, /\*read\* by \*ci-reader\* \(IAM user\), CLI \(aws-cli\/2\.15\.30\)/);
    assert.ok(!json.includes(CANARY_PASSWORD));
  });

  it('counts past the first page of 50 events and lists the newest', async () => {
    const key = await machineKey('busy-app');
    const sm = cliClient(key);
    for (let i = 0; i < 60; i++) await sm.send(new GetSecretValueCommand({ SecretId: '2ndline/plain' }));
    const { json } = await secret('U0BOB', 'who 2ndline/plain --role 2ndline');
    assert.match(json, /\*busy-app\* \(IAM user\), CLI \(aws-cli\/2\.15\.30\): 60 reads/);
    assert.match(json, /Listed 12 of \d+ accesses/);
  });

  it('is a clear message when IAM denies cloudtrail:LookupEvents to the role', async () => {
    const { json } = await secret('U0BOB', 'who 2ndline/fastly --role auditor');
    assert.match(json, /Your role `auditor` may not read CloudTrail: IAM denied `cloudtrail:LookupEvents`/);
    assert.match(json, /#platform-help/);
    const audit = h
      .auditEvents()
      .filter((e) => e.action === 'secret.who')
      .at(-1);
    assert.equal(audit?.outcome, 'denied');
  });

  it('says plainly that Parameter Store names are not looked up, calling no AWS', async () => {
    h.aws.clear();
    const { json } = await secret('U0BOB', 'who ssm:/team/token --role 2ndline');
    assert.match(json, /looks up Secrets Manager secrets only, not Parameter Store parameters/);
    assert.deepEqual(h.aws.calls, []);
  });

  it('refuses a bad --days, --days on another subcommand, and an unknown secret', async () => {
    assert.match((await secret('U0BOB', 'who 2ndline/fastly --days 91 --role 2ndline')).json, /1 to 90/);
    assert.match(
      (await secret('U0BOB', 'get 2ndline/fastly --days 3')).json,
      /`--days` goes with `\/secret who` only/,
    );
    assert.match((await secret('U0BOB', 'who')).json, /Which secret\?/);
    assert.match(
      (await secret('U0BOB', 'who 2ndline/nope --role 2ndline')).json,
      /No secret named `2ndline\/nope` was found/,
    );
  });

  it('never goes over 2 look-ups a second under 20 concurrent requests (counted by the emulator)', async () => {
    const before = (await h.moto.cloudTrailStats()).lookupEvents.find((s) => s.region === REGION);
    const started = Date.now();
    const names = ['2ndline/fastly', '2ndline/plain', 'prod/db', '2ndline/binary'];
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        secret(i % 2 ? 'U0ALICE' : 'U0BOB', `who ${names[i % names.length]} --role 2ndline`, 60_000),
      ),
    );
    const elapsedS = (Date.now() - started) / 1000;
    for (const { json } of replies) {
      assert.match(json, /Who read or changed|Showing .* only: CloudTrail answers 2 look-ups a second/);
    }
    const afterStats = (await h.moto.cloudTrailStats()).lookupEvents.find((s) => s.region === REGION);
    const served = (afterStats?.served ?? 0) - (before?.served ?? 0);
    assert.equal((afterStats?.throttled ?? 0) - (before?.throttled ?? 0), 0, 'CloudTrail never throttled');
    assert.ok(served > 7, 'the requests did look CloudTrail up');
    assert.ok(served <= 2 * elapsedS + 2, `${served} look-ups in ${elapsedS.toFixed(1)} s`);
  });

  // Last: the bot's clock jumps ahead, and the look-ups it caches then reach into that future.
  it('looks back --days days only: reads two days old are outside --days 1 and inside --days 3', async () => {
    const key = await machineKey('old-reader');
    await cliClient(key).send(new GetSecretValueCommand({ SecretId: '2ndline/fastly' }));
    ahead = 2 * 86_400_000;
    try {
      const recent = await secret('U0BOB', 'who 2ndline/fastly --days 1 --role 2ndline');
      assert.match(recent.json, /in the last 1 day:/);
      assert.doesNotMatch(recent.json, /old-reader/);
      const wider = await secret('U0BOB', 'who 2ndline/fastly --days 3 --role 2ndline');
      assert.match(wider.json, /in the last 3 days:/);
      assert.match(wider.json, /\*read\* by \*old-reader\* \(IAM user\)/);
    } finally {
      ahead = 0;
    }
  });
});
