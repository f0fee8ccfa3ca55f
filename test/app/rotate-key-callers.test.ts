/**
 * Key callers in /rotate-key over the extended moto: each call a consumer makes with a key is in
 * moto's CloudTrail history, and the rotation's status message (inspect and switch-over) and the
 * 2ndline notice show them, looked up by AccessKeyId.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  IAMClient,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type PolicyDocument, roleArn } from '../../devkit/aws-seed.js';
import type { StandinMessage } from '../../devkit/standin-types.js';
import { type Harness, REGION, startHarness } from '../support/app-harness.js';
import { KEY_TAG } from '../../src/rotation/core/locate.js';
import { ROTATE_KEYS, usergroups, users } from '../support/fixtures.js';

const SECONDLINE = 'C0SECONDLINE';
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
const HOUR = 3_600_000;

const CLI =
  'aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.debian.12 prompt/off command/sts.get-caller-identity';
const BOTO = 'Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.8';
const GO = 'aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5 md/GOOS#linux api/sts#1.26.6';

const ROTATE_AND_TRAIL: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    ...ROTATE_KEYS.Statement,
    { Effect: 'Allow', Action: ['cloudtrail:LookupEvents'], Resource: '*' },
  ],
};

interface KeyPair {
  accessKeyId: string;
  secretAccessKey: string;
}

let now = Date.now();
const clock = { now: () => now };
let h: Harness;
const keys: Record<string, KeyPair> = {};
/** Reads what the test checks with every permission, straight from moto, never through the bot. */
let inspector: SecretsManagerClient;

/** One call signed with `pair`, sent with `userAgent` as that tool would send it. */
async function use(pair: KeyPair, userAgent: string): Promise<void> {
  const sts = new STSClient({ region: REGION, endpoint: h.moto.url, credentials: pair });
  sts.middlewareStack.add(
    (next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers['user-agent'] = userAgent;
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'toolUserAgent' },
  );
  try {
    await sts.send(new GetCallerIdentityCommand({}));
  } finally {
    sts.destroy();
  }
}

before(async () => {
  h = await startHarness({
    config: {
      roles: { rotator: roleArn('locksmith-rotator'), blind: roleArn('locksmith-blind') },
      people: { [ALICE]: ['rotator'], [BOB]: ['blind'] },
      access: { contact: '#platform-help' },
      rotation: {
        notify_channel: SECONDLINE,
        approvals: {
          require_for_delete_extra: false,
          require_for_deactivate: false,
          require_for_delete: false,
        },
      },
    },
    seed: {
      roles: [
        { name: 'locksmith-rotator', policy: ROTATE_AND_TRAIL },
        // May rotate keys but not read CloudTrail.
        { name: 'locksmith-blind', policy: ROTATE_KEYS },
      ],
      bot: {},
    },
    users,
    usergroups,
    clock,
  });
  const admin = {
    region: REGION,
    endpoint: h.moto.url,
    credentials: { accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'moto' },
  };
  const iam = new IAMClient(admin);
  const sm = new SecretsManagerClient(admin);
  for (const user of ['svc-web', 'svc-blind']) {
    await iam.send(new CreateUserCommand({ UserName: user }));
    const made = (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey!;
    keys[user] = { accessKeyId: made.AccessKeyId!, secretAccessKey: made.SecretAccessKey! };
    await sm.send(
      new CreateSecretCommand({
        Name: `${user}/app`,
        SecretString: JSON.stringify({
          aws_access_key_id: made.AccessKeyId,
          aws_secret_access_key: made.SecretAccessKey,
        }),
        // Found by the rotation's tag look-up (no secret value read).
        Tags: [{ Key: KEY_TAG, Value: made.AccessKeyId! }],
      }),
    );
  }
  await iam.send(new CreateUserCommand({ UserName: 'inspector' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'inspector',
      PolicyName: 'all',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      }),
    }),
  );
  const inspectorKey = (await iam.send(new CreateAccessKeyCommand({ UserName: 'inspector' }))).AccessKey!;
  inspector = new SecretsManagerClient({
    region: REGION,
    endpoint: h.moto.url,
    credentials: { accessKeyId: inspectorKey.AccessKeyId!, secretAccessKey: inspectorKey.SecretAccessKey! },
  });
  iam.destroy();
  sm.destroy();
  // The web app's key is used by two tools before anyone rotates it.
  await use(keys['svc-web']!, CLI);
  await use(keys['svc-web']!, BOTO);
  await h.moto.enforceIam();
});

after(async () => {
  inspector?.destroy();
  await h?.stop();
});

function text(value: unknown): string {
  return JSON.stringify(value ?? null);
}

function statusOf(iamUser: string, user: string): StandinMessage | undefined {
  return h.slack
    .channelMessages(h.slack.dmChannelFor(user))
    .findLast(
      (m) => m.threadTs === undefined && text(m.blocks).includes(`Rotating the access key of ${iamUser}`),
    );
}

async function statusWhen(iamUser: string, pattern: RegExp, user = ALICE): Promise<StandinMessage> {
  return h.slack.waitFor(() => {
    const m = statusOf(iamUser, user);
    return m && pattern.test(text(m.blocks)) ? m : undefined;
  }, 15_000);
}

async function start(userId: string, iamUser: string): Promise<void> {
  const sent = await h.sender.slashCommand({ userId, command: '/rotate-key', text: iamUser });
  assert.equal(sent.status, 200);
  await h.slack.waitFor(() => h.slack.responseUrlPosts.find((p) => p.url === sent.responseUrl), 15_000);
}

describe('/rotate-key key callers', () => {
  it('shows who uses the old key at inspect, both keys in the switch-over, and quotes it to 2ndline', async () => {
    const old = keys['svc-web']!;
    await start(ALICE, 'svc-web');

    // Inspect: the old key's two callers, with address, tool, service and Region.
    let status = await statusWhen('svc-web', /Who uses the keys.*2 calls from 2 callers/);
    const inspect = text(status.blocks);
    assert.match(
      inspect,
      new RegExp(`\\*Old key\\* \`${old.accessKeyId}\`: :eyes: 2 calls from 2 callers in the last 7 days`),
    );
    assert.match(
      inspect,
      /127\.0\.0\.1, CLI \(aws-cli\/2\.15\.30\): sts in eu-west-1 \(GetCallerIdentity\); 1 call/,
    );
    assert.match(inspect, /127\.0\.0\.1, SDK \(Boto3\/1\.34\.0\): sts in eu-west-1/);
    assert.match(inspect, /Not in CloudTrail's event history: data events \(S3 object reads and writes/);
    assert.match(inspect, /rotation_confirm_places/, 'the buttons are still there');

    // Create, then the switch-over: the consumers move; one still calls with the old key.
    await h.sender.blockActions({
      userId: ALICE,
      actionId: 'rotation_confirm_places',
      channelId: status.channel,
      messageTs: status.ts,
    });
    await statusWhen('svc-web', /Switch-over/);
    const app = JSON.parse(
      (
        await inspector.send(
          new GetSecretValueCommand({ SecretId: 'svc-web/app', VersionStage: 'AWSCURRENT' }),
        )
      ).SecretString!,
    ) as Record<string, string>;
    const fresh = { accessKeyId: app.aws_access_key_id!, secretAccessKey: app.aws_secret_access_key! };
    assert.notEqual(fresh.accessKeyId, old.accessKeyId);
    await use(fresh, GO);
    await use(old, CLI);
    now += HOUR;
    await h.app.scheduler.tick();
    status = await statusWhen(
      'svc-web',
      new RegExp(`New key\\* \`${fresh.accessKeyId}\`: :eyes: 1 call from 1 caller.*aws-sdk-go-v2`),
    );
    const switchOver = text(status.blocks);
    assert.match(switchOver, /Old key\* `[A-Z0-9]+`: :eyes: 3 calls from 2 callers/);
    for (const tool of [
      /CLI \(aws-cli\/2\.15\.30\)/,
      /SDK \(Boto3\/1\.34\.0\)/,
      /SDK \(aws-sdk-go-v2\/1\.24\.0\)/,
    ]) {
      assert.match(switchOver, tool);
    }

    // Quiet for a day: 2ndline is told, with CloudTrail's last call on the old key.
    now += 25 * HOUR;
    await h.app.scheduler.tick();
    // Only tagged places were searched: the requester acknowledges it before 2ndline is told.
    const quiet = await statusWhen('svc-web', /rotation_ack_search/);
    assert.match(text(quiet.blocks), /Who uses the keys/, 'the evidence is there when deciding');
    await h.sender.blockActions({
      userId: ALICE,
      actionId: 'rotation_ack_search',
      channelId: quiet.channel,
      messageTs: quiet.ts,
    });
    const post = await h.slack.waitFor(
      () => h.slack.channelMessages(SECONDLINE).find((m) => text(m.blocks).includes(old.accessKeyId)),
      15_000,
    );
    assert.match(
      text(post.blocks),
      new RegExp(
        `\\*CloudTrail \\(eu-west-1\\):\\* last call with \`${old.accessKeyId}\` from 127\\.0\\.0\\.1 by aws-cli/2\\.15\\.30 at <!date\\^\\d+`,
      ),
    );
    assert.match(text(post.blocks), /will \*deactivate\* access key/);
  });

  it('says plainly when the role may not read CloudTrail, and the rotation goes on', async () => {
    await start(BOB, 'svc-blind');
    const status = await statusWhen(
      'svc-blind',
      /Old key\* `[A-Z0-9]+`: :x: Your role `blind` may not read CloudTrail: IAM denied `cloudtrail:LookupEvents`/,
      BOB,
    );
    assert.match(text(status.blocks), /rotation_confirm_places/);
  });
});
