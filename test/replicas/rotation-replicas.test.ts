/**
 * A rotation's switch-over across two replicas: two complete apps (createApp, each with its own
 * DynamoDB store client, scheduler and lease owner id) sharing one DynamoDB table in moto, with
 * Slack's requests spread over both. In-process rather than two OS processes, because the
 * switch-over waits are counted in minutes and hours (`rotation.poll_minutes` is at least 1):
 * here both replicas share one injected clock, so an hour passes in a line, and both
 * schedulers tick at the same moment, as two processes would. replicas.test.ts covers the real
 * processes, their leases and a SIGKILL.
 *
 * moto's conditional writes are not atomic under concurrent requests (DynamoDB's are), so the
 * store clients send one DynamoDB request at a time, all of them together (see
 * test/store/dynamodb-store.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createApp, type LocksmithApp } from '../../src/app.js';
import { buildDeps } from '../../src/build-deps.js';
import { type Config, parseConfigFile } from '../../src/config.js';
import { AwsRecorder } from '../../devkit/aws-recorder.js';
import { roleArn, seedAws } from '../../devkit/aws-seed.js';
import { ensureDynamoTable } from '../../devkit/dynamo-table.js';
import type { MotoServer } from '../../devkit/moto.js';
import { SlackRequestSender } from '../../devkit/slack-request-sender.js';
import { SlackStandin } from '../../devkit/slack-standin.js';
import type { StandinMessage } from '../../devkit/standin-types.js';
import { openDynamoStore, type Store } from '../../src/store/index.js';
import { ROTATE_KEYS, usergroups, users } from '../support/fixtures.js';
import { KEY_TAG } from '../../src/rotation/core/locate.js';
import { captureLogger } from '../support/log-capture.js';
import { startTestMoto } from '../support/moto.js';

const BOT_TOKEN = 'xoxb-rotation-replicas';
const SIGNING_SECRET = 'rotation-replicas-signing-secret';
const REGION = 'eu-west-1';
const TABLE = 'locksmith-rotation-replicas';
const APPROVALS = 'C0APPROVALS';
const SECONDLINE = 'C0SECONDLINE';
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
const HOUR = 60 * 60 * 1000;
/** How long to wait for a reply to show: it measures nothing, and a loaded machine is slow. */
const WAIT_MS = 60_000;

interface KeyPair {
  accessKeyId: string;
  secretAccessKey: string;
}

interface Replica {
  app: LocksmithApp;
  store: Store;
  sender: SlackRequestSender;
  /** How often this replica looked for due rotations (the scheduler's query). */
  dueRotationQueries: number;
}

// Both replicas' clock; it starts at the real time because moto stamps key use with the real time.
let now = Date.now();
const clock = { now: () => now };
let moto: MotoServer;
let aws: AwsRecorder;
let slack: SlackStandin;
const replicas: Replica[] = [];
let iam: IAMClient;
let sm: SecretsManagerClient;
let oldKey: KeyPair;
/** Which replica gets the next Slack request: the load balancer, round robin. */
let next = 0;

/** One DynamoDB request at a time to moto, from every store client of this file. */
let motoQueue: Promise<unknown> = Promise.resolve();
function serialisedDynamo(): DynamoDBClient {
  const client = new DynamoDBClient({ region: REGION, endpoint: aws.url });
  client.middlewareStack.add(
    (nextHandler) => (args) => {
      const sent = motoQueue.then(() => nextHandler(args));
      motoQueue = sent.catch(() => undefined);
      return sent;
    },
    { step: 'deserialize', name: 'oneRequestAtATimeForMoto' },
  );
  return client;
}

async function use(pair: KeyPair): Promise<void> {
  const sts = new STSClient({ region: REGION, endpoint: moto.url, credentials: pair });
  try {
    await sts.send(new GetCallerIdentityCommand({}));
  } finally {
    sts.destroy();
  }
}

before(async () => {
  moto = await startTestMoto();
  await moto.reset();
  const seeded = await seedAws(
    moto.url,
    { roles: [{ name: 'locksmith-rotator', policy: ROTATE_KEYS }], bot: {} },
    REGION,
  );
  const admin = {
    region: REGION,
    endpoint: moto.url,
    credentials: { accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'moto' },
  };
  const seeding = { iam: new IAMClient(admin), sm: new SecretsManagerClient(admin) };
  // The bot's own identity may use the state table (moto counts only Resource "*" here).
  await seeding.iam.send(
    new PutUserPolicyCommand({
      UserName: 'locksmith-bot',
      PolicyName: 'state',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }],
      }),
    }),
  );
  await seeding.iam.send(new CreateUserCommand({ UserName: 'inspector' }));
  await seeding.iam.send(
    new PutUserPolicyCommand({
      UserName: 'inspector',
      PolicyName: 'all',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      }),
    }),
  );
  const inspectorKey = (await seeding.iam.send(new CreateAccessKeyCommand({ UserName: 'inspector' })))
    .AccessKey!;
  await seeding.iam.send(new CreateUserCommand({ UserName: 'svc-shared' }));
  const created = (await seeding.iam.send(new CreateAccessKeyCommand({ UserName: 'svc-shared' }))).AccessKey!;
  oldKey = { accessKeyId: created.AccessKeyId!, secretAccessKey: created.SecretAccessKey! };
  await use(oldKey);
  await seeding.sm.send(
    new CreateSecretCommand({
      Name: 'svc-shared/app',
      SecretString: JSON.stringify({
        aws_access_key_id: oldKey.accessKeyId,
        aws_secret_access_key: oldKey.secretAccessKey,
      }),
      // As locksmith leaves it: found by tag, without reading any value.
      Tags: [{ Key: KEY_TAG, Value: oldKey.accessKeyId }],
    }),
  );
  seeding.iam.destroy();
  seeding.sm.destroy();
  await moto.enforceIam();
  const inspector = {
    region: REGION,
    endpoint: moto.url,
    credentials: { accessKeyId: inspectorKey.AccessKeyId!, secretAccessKey: inspectorKey.SecretAccessKey! },
  };
  iam = new IAMClient(inspector);
  sm = new SecretsManagerClient(inspector);

  aws = await AwsRecorder.start(moto.url);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: seeded.botCredentials!.accessKeyId,
    AWS_SECRET_ACCESS_KEY: seeded.botCredentials!.secretAccessKey,
  });
  for (const k of ['AWS_PROFILE', 'AWS_SESSION_TOKEN']) delete process.env[k];
  const tableClient = serialisedDynamo();
  await ensureDynamoTable(tableClient, TABLE);
  tableClient.destroy();

  slack = await SlackStandin.start({ botToken: BOT_TOKEN, users, usergroups });
  const file = parseConfigFile(
    {
      roles: { rotator: roleArn('locksmith-rotator') },
      people: { [ALICE]: ['rotator'] },
      approvals: { channel: APPROVALS, approvers: { people: [BOB] } },
      rotation: { notify_channel: SECONDLINE },
      store: { dynamodb: { table: TABLE, region: REGION } },
      // Ticks come from the test (both replicas at once), not from the timer.
      scheduler: { interval_ms: 300_000, lease_ms: 600_000 },
    },
    'rotation replicas',
  );
  for (let i = 0; i < 2; i++) {
    const config: Config = {
      ...file,
      slackBotToken: BOT_TOKEN,
      transport: { kind: 'http', signingSecret: SIGNING_SECRET, port: 0 },
      slackApiUrl: slack.apiUrl,
      logLevel: 'debug',
      configPath: 'rotation replicas',
      awsRegion: REGION,
    };
    const captured = captureLogger('debug');
    const store = openDynamoStore({ table: TABLE, client: serialisedDynamo() });
    // Counts this replica's scheduler queries for due rotations; everything else passes through.
    const counted: Store = {
      ...store,
      query: (q) => {
        if (q.kind === 'rotation' && q.dueBy !== undefined) replica.dueRotationQueries++;
        return store.query(q);
      },
    };
    const deps = buildDeps(config, { logger: captured.logger, clock, store: counted });
    const app = createApp(deps);
    const { port } = await app.start();
    const replica: Replica = {
      app,
      store,
      dueRotationQueries: 0,
      sender: new SlackRequestSender({
        url: `http://127.0.0.1:${port}/slack/events`,
        signingSecret: SIGNING_SECRET,
        standin: slack,
      }),
    };
    replicas.push(replica);
  }
});

after(async () => {
  for (const r of replicas) {
    await r.app.stop();
    await r.store.close();
  }
  iam?.destroy();
  sm?.destroy();
  await slack?.stop();
  await aws?.stop();
  await moto?.stop();
});

const text = (value: unknown): string => JSON.stringify(value ?? null);
/** The next replica in turn, as a round-robin load balancer would pick it. */
const lb = (): SlackRequestSender => replicas[next++ % replicas.length]!.sender;
const dmsTo = (user: string): StandinMessage[] => slack.channelMessages(slack.dmChannelFor(user));
const statusOf = (): StandinMessage | undefined =>
  dmsTo(ALICE).findLast(
    (m) => m.threadTs === undefined && text(m.blocks).includes('Rotating the access key of svc-shared'),
  );
async function statusWhen(pattern: RegExp): Promise<StandinMessage> {
  return slack.waitFor(() => {
    const m = statusOf();
    return m && pattern.test(text(m.blocks)) ? m : undefined;
  }, WAIT_MS);
}
/** Both replicas' schedulers tick at the same moment, as two processes would. */
async function tickBoth(): Promise<void> {
  await Promise.all(replicas.map((r) => r.app.scheduler.tick()));
}
/** How many due-rotation queries each replica made while `work` ran. */
async function dueQueriesDuring(work: () => Promise<void>): Promise<number[]> {
  const before = replicas.map((r) => r.dueRotationQueries);
  await work();
  return replicas.map((r, i) => r.dueRotationQueries - before[i]!);
}

describe('a rotation across two replicas', () => {
  it('switch-over polls, the 2ndline post and the approval request each happen once while both replicas tick', async () => {
    // Started on one replica, its places confirmed on the other.
    const started = await lb().slashCommand({ userId: ALICE, command: '/rotate-key', text: 'svc-shared' });
    assert.equal(started.status, 200);
    const status = await statusWhen(/rotation_choose_places/);
    await lb().blockActions({
      userId: ALICE,
      actionId: 'rotation_choose_places',
      channelId: status.channel,
      messageTs: status.ts,
    });
    const modal = await slack.waitFor(() => slack.openModalOf(ALICE, 'rotation_places'), WAIT_MS);
    const values: Record<string, unknown> = {};
    for (const block of modal.view.blocks as Array<{
      type: string;
      block_id: string;
      element: { options: unknown[] };
    }>) {
      if (block.type === 'input') {
        values[block.block_id] = { places: { type: 'checkboxes', selected_options: block.element.options } };
      }
    }
    await lb().viewSubmission({
      userId: ALICE,
      view: { id: modal.id, callback_id: 'rotation_places', state: { values } },
    });
    await statusWhen(/Switch-over/);
    const keys =
      (await iam.send(new ListAccessKeysCommand({ UserName: 'svc-shared' }))).AccessKeyMetadata ?? [];
    const newKeyId = keys.map((k) => k.AccessKeyId!).find((id) => id !== oldKey.accessKeyId);
    assert.ok(newKeyId, 'the new key was made once');
    assert.equal(keys.length, 2);

    // The consumer switches; an hour later both replicas tick at once: one poll.
    const app = JSON.parse(
      (await sm.send(new GetSecretValueCommand({ SecretId: 'svc-shared/app' }))).SecretString!,
    ) as Record<string, string>;
    assert.equal(app['aws_access_key_id'], newKeyId, 'the new pair was written into the secret');
    await use({ accessKeyId: app['aws_access_key_id']!, secretAccessKey: app['aws_secret_access_key']! });
    now += HOUR;
    aws.clear();
    const updatesBefore = slack.callsTo('chat.update').length;
    const queries = await dueQueriesDuring(tickBoth);
    await statusWhen(/New key .*: used/);
    // The lease: both ticked, one of them looked for due rotations (either may win the lease).
    assert.deepEqual([...queries].sort(), [0, 1], `due-rotation queries per replica: ${queries.join(', ')}`);
    const polls = aws.callsOf('GetAccessKeyLastUsed');
    assert.ok(polls.length > 0, 'polled');
    const pollKeys = new Set(polls.map((c) => c.accessKeyId));
    assert.equal(pollKeys.size, 1, 'all polls under one session: one replica polled');
    const statusUpdates = slack
      .callsTo('chat.update')
      .slice(updatesBefore)
      .filter((c) => c.args['ts'] === status.ts);
    assert.equal(statusUpdates.length, 1, 'the status message is updated once for the poll');

    // The same hour again, both tick: nothing is due, nothing is polled.
    aws.clear();
    await tickBoth();
    assert.equal(aws.callsOf('GetAccessKeyLastUsed').length, 0, 'not due again yet');

    // A day of quiet: both tick at once; the requester acknowledges that only tagged places were
    // searched; 2ndline is told once and one approval is asked for.
    now += 24 * HOUR;
    await tickBoth();
    const ready = await statusWhen(/rotation_ack_search/);
    await lb().blockActions({
      userId: ALICE,
      actionId: 'rotation_ack_search',
      channelId: ready.channel,
      messageTs: ready.ts,
    });
    await tickBoth();
    await slack.waitFor(
      () => slack.channelMessages(SECONDLINE).find((m) => text(m.blocks).includes(oldKey.accessKeyId)),
      WAIT_MS,
    );
    await tickBoth();
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(
      slack.channelMessages(SECONDLINE).filter((m) => text(m.blocks).includes(oldKey.accessKeyId)).length,
      1,
      'one 2ndline post',
    );
    assert.equal(
      slack
        .channelMessages(APPROVALS)
        .filter(
          (m) =>
            text(m.blocks).includes(oldKey.accessKeyId) && /deactivate an access key/.test(text(m.blocks)),
        ).length,
      1,
      'one approval request',
    );
    const stored = await replicas[1]!.store.query<{ state: string }>({
      kind: 'approval',
      states: ['pending'],
    });
    assert.equal(stored.length, 1, 'one pending approval in the shared table');
  });
});
