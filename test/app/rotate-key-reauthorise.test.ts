/**
 * Work that runs later is authorised when it runs (issue 14, item 4), end to end over HTTP
 * against the Slack stand-in and moto with IAM enforced: an approved step and a scheduled poll
 * whose requester may no longer use the role (removed from the group the policy maps, or
 * deactivated) park the rotation with no AWS call; the requester and the approvals channel are
 * told; someone else who may use the role takes it over (and it goes on under their session) or
 * cancels it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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
import { roleArn } from '../../devkit/aws-seed.js';
import type { StandinMessage } from '../../devkit/standin-types.js';
import { KEY_TAG } from '../../src/rotation/core/locate.js';
import { type Harness, REGION, startHarness } from '../support/app-harness.js';
import { ROTATE_KEYS } from '../support/fixtures.js';

const APPROVALS = 'C0APPROVALS';
const SECONDLINE = 'C0SECONDLINE';
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
const CAROL = 'U0CAROL';
const DAN = 'U0DAN';
const HOUR = 60 * 60 * 1000;

interface KeyPair {
  accessKeyId: string;
  secretAccessKey: string;
}

let now = Date.now();
const clock = { now: () => now };
let h: Harness;
let iam: IAMClient;
let sm: SecretsManagerClient;
const oldKeys: Record<string, KeyPair> = {};

async function use(pair: KeyPair): Promise<void> {
  const sts = new STSClient({ region: REGION, endpoint: h.moto.url, credentials: pair });
  try {
    await sts.send(new GetCallerIdentityCommand({}));
  } finally {
    sts.destroy();
  }
}

before(async () => {
  h = await startHarness({
    config: {
      roles: { rotator: roleArn('locksmith-rotator') },
      // Alice and Dan may rotate through the on-call group; Carol by her (confirmed) email.
      groups: { oncall: ['rotator'] },
      people: { 'carol@example.com': ['rotator'] },
      access: { contact: '#platform-help' },
      approvals: { channel: APPROVALS, approvers: { people: [BOB] } },
      rotation: { notify_channel: SECONDLINE },
    },
    seed: { roles: [{ name: 'locksmith-rotator', policy: ROTATE_KEYS }], bot: {} },
    users: [
      { id: ALICE, name: 'alice', email: 'alice@example.com' },
      { id: BOB, name: 'bob', email: 'bob@example.com' },
      { id: CAROL, name: 'carol', email: 'carol@example.com' },
      { id: DAN, name: 'dan', email: 'dan@example.com' },
    ],
    usergroups: [{ id: 'S0ONCALL', handle: 'oncall', name: 'On-call', users: [ALICE, DAN] }],
    clock,
  });
  const admin = {
    region: REGION,
    endpoint: h.moto.url,
    credentials: { accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'moto' },
  };
  const seeding = { iam: new IAMClient(admin), sm: new SecretsManagerClient(admin) };
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
  const inspector = (await seeding.iam.send(new CreateAccessKeyCommand({ UserName: 'inspector' })))
    .AccessKey!;
  // Each IAM user's key is in a secret an earlier rotation tagged.
  for (const user of ['svc-approved', 'svc-polled']) {
    await seeding.iam.send(new CreateUserCommand({ UserName: user }));
    const key = (await seeding.iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey!;
    const pair = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    await use(pair);
    oldKeys[user] = pair;
    await seeding.sm.send(
      new CreateSecretCommand({
        Name: `${user}/app`,
        SecretString: JSON.stringify({
          aws_access_key_id: pair.accessKeyId,
          aws_secret_access_key: pair.secretAccessKey,
        }),
        Tags: [{ Key: KEY_TAG, Value: pair.accessKeyId }],
      }),
    );
  }
  seeding.iam.destroy();
  seeding.sm.destroy();
  await h.moto.enforceIam();
  const asInspector = {
    region: REGION,
    endpoint: h.moto.url,
    credentials: { accessKeyId: inspector.AccessKeyId!, secretAccessKey: inspector.SecretAccessKey! },
  };
  iam = new IAMClient(asInspector);
  sm = new SecretsManagerClient(asInspector);
});

after(async () => {
  iam?.destroy();
  sm?.destroy();
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

async function click(actionId: string, message: StandinMessage, userId: string) {
  const res = await h.sender.blockActions({
    userId,
    actionId,
    channelId: message.channel,
    messageTs: message.ts,
  });
  assert.equal(res.status, 200);
  return res;
}

async function ephemeralReply(res: { responseUrl?: string }): Promise<string> {
  const post = await h.slack.waitFor(() =>
    h.slack.responseUrlPosts.find((p) => p.url === res.responseUrl && p.status === 200),
  );
  return text(post.body);
}

async function keyStatus(user: string, keyId: string): Promise<string | undefined> {
  const res = await iam.send(new ListAccessKeysCommand({ UserName: user }));
  return res.AccessKeyMetadata?.find((k) => k.AccessKeyId === keyId)?.Status;
}

async function currentSecret(name: string): Promise<string> {
  return (await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString!;
}

/** Alice rotates `user` to the point where its old key looks unused (and she acknowledged the tag-only search). */
async function rotateToQuiet(user: string): Promise<KeyPair> {
  const sent = await h.sender.slashCommand({ userId: ALICE, command: '/rotate-key', text: user });
  assert.equal(sent.status, 200);
  await click('rotation_confirm_places', await statusWhen(user, /rotation_confirm_places/), ALICE);
  await statusWhen(user, /Switch-over/);
  const written = JSON.parse(await currentSecret(`${user}/app`)) as Record<string, string>;
  const newKey = {
    accessKeyId: written['aws_access_key_id']!,
    secretAccessKey: written['aws_secret_access_key']!,
  };
  await use(newKey);
  now += 25 * HOUR;
  await h.app.scheduler.tick();
  await click('rotation_ack_search', await statusWhen(user, /rotation_ack_search/), ALICE);
  return newKey;
}

/** The post in the approvals channel about the parked rotation of `user`. */
async function parkedPost(user: string): Promise<StandinMessage> {
  return h.slack.waitFor(
    () =>
      h.slack
        .channelMessages(APPROVALS)
        .findLast(
          (m) =>
            text(m.blocks).includes(`Rotation of \`${user}\` parked`) &&
            /rotation_take_over/.test(text(m.blocks)),
        ),
    15_000,
  );
}

/** The approvals channel's (newest) request to deactivate `keyId`, still open. */
async function deactivationRequest(keyId: string): Promise<StandinMessage> {
  return h.slack.waitFor(
    () =>
      h.slack
        .channelMessages(APPROVALS)
        .findLast(
          (m) =>
            text(m.blocks).includes(keyId) &&
            /deactivate an access key/.test(text(m.blocks)) &&
            /approval_approve/.test(text(m.blocks)),
        ),
    15_000,
  );
}

const assumedFor = (slackId: string) =>
  h.aws.callsOf('AssumeRole').filter((c) => c.params['RoleSessionName'] === `slack-${slackId}`);

describe('work that runs later is authorised when it runs', () => {
  it('an approved step whose requester left the policy parks with no AWS call; another person takes it over', async () => {
    const user = 'svc-approved';
    const oldId = oldKeys[user]!.accessKeyId;
    await rotateToQuiet(user);
    const first = await deactivationRequest(oldId);

    // Alice leaves the on-call group (the only thing that mapped her to the role); then Bob approves.
    h.slack.setUsergroupUsers('oncall', [DAN]);
    h.aws.clear();
    await click('approval_approve', first, BOB);

    // Parked: told in Alice's thread and in the approvals channel; nothing was sent to AWS.
    const post = await parkedPost(user);
    assert.match(text(post.blocks), /<@U0ALICE> is no longer in locksmith's access policy/);
    assert.match(text(post.blocks), /did nothing in AWS/);
    const parked = await statusWhen(user, /Parked\./);
    assert.doesNotMatch(text(parked.blocks), /approval_approve|rotation_confirm_deactivate/);
    await h.slack.waitFor(() =>
      h.slack
        .channelMessages(h.slack.dmChannelFor(ALICE))
        .find((m) => m.threadTs === parked.ts && /Parked\./.test(text(m.blocks))),
    );
    await h.app.scheduler.tick();
    assert.deepEqual(
      h.aws.calls.map((c) => c.operation),
      [],
      'no AWS call at all: not the approved step, not a poll, not an AssumeRole in her name',
    );
    assert.equal(await keyStatus(user, oldId), 'Active');
    const audit = h.auditEvents().find((e) => e['rotation_id'] && e['reason'] === 'not_mapped');
    assert.ok(audit, 'the parking is audited with why');

    // Someone without the role cannot take it over; Carol, who may use it, can.
    const refused = await click('rotation_take_over', post, BOB);
    assert.match(await ephemeralReply(refused), /no locksmith role/);
    const taken = await click('rotation_take_over', post, CAROL);
    assert.equal(taken.status, 200);
    await h.slack.waitFor(() => {
      const replaced = h.slack.responseUrlPosts.find((p) => p.url === taken.responseUrl && p.status === 200);
      return replaced && /taken over by <@U0CAROL>/.test(text(replaced.body)) ? replaced : undefined;
    });

    // The rotation goes on in Carol's DM, under her session; the request asked in Alice's name is
    // withdrawn, and Carol acknowledges the tag-only search herself before a new one is asked.
    const hers = await statusWhen(user, /rotation_ack_search/, CAROL);
    await h.slack.waitFor(() =>
      h.slack
        .channelMessages(h.slack.dmChannelFor(CAROL))
        .find(
          (m) => m.threadTs === hers.ts && /took this rotation over from <@U0ALICE>/.test(text(m.blocks)),
        ),
    );
    assert.ok(assumedFor(CAROL).length > 0, "polled under Carol's own session");
    assert.equal(assumedFor(ALICE).length, 0);
    const moved = h.slack.channelMessages(parked.channel).find((m) => m.ts === parked.ts)!;
    assert.match(text(moved.blocks), /<@U0CAROL> took this rotation/);
    assert.doesNotMatch(text(moved.blocks), /rotation_cancel/);

    await click('rotation_ack_search', hers, CAROL);
    const second = await deactivationRequest(oldId);
    assert.notEqual(second.ts, first.ts);
    assert.match(text(second.blocks), /<@U0CAROL>/);
    await click('approval_approve', second, BOB);
    await statusWhen(user, /is \*inactive\*/, CAROL);
    assert.equal(await keyStatus(user, oldId), 'Inactive');
  });

  it('a scheduled poll for a deactivated requester parks; someone who may use the role cancels it and AWS is put back', async () => {
    const user = 'svc-polled';
    const old = oldKeys[user]!;
    // Dan is the requester this time (still in the group).
    const sent = await h.sender.slashCommand({ userId: DAN, command: '/rotate-key', text: user });
    assert.equal(sent.status, 200);
    await click('rotation_confirm_places', await statusWhen(user, /rotation_confirm_places/, DAN), DAN);
    await statusWhen(user, /Switch-over/, DAN);
    const before = await currentSecret(`${user}/app`);
    assert.doesNotMatch(before, new RegExp(old.accessKeyId), 'the new key was written');

    // Dan leaves the company: Slack deactivates his account. The next poll finds out.
    h.slack.updateUser(DAN, { deleted: true });
    await h.slack.eventsDelivered();
    h.aws.clear();
    now += HOUR;
    await h.app.scheduler.tick();
    const post = await parkedPost(user);
    assert.match(text(post.blocks), /<@U0DAN>'s Slack account is deactivated/);
    assert.deepEqual(
      h.aws.calls.filter(
        (c) => c.params['UserName'] === user || c.params['RoleSessionName'] === `slack-${DAN}`,
      ),
      [],
      "the poll made no AWS call about the rotation, nor in Dan's name",
    );

    // Carol cancels it from the post: under her session, AWS is put back.
    h.aws.clear();
    const res = await click('rotation_cancel_parked', post, CAROL);
    await h.slack.waitFor(() => {
      const replaced = h.slack.responseUrlPosts.find((p) => p.url === res.responseUrl && p.status === 200);
      return replaced && /cancelled by <@U0CAROL>/.test(text(replaced.body)) ? replaced : undefined;
    });
    await statusWhen(user, /Cancelled\./, DAN);
    assert.equal(await keyStatus(user, old.accessKeyId), 'Active');
    assert.match(await currentSecret(`${user}/app`), new RegExp(old.accessKeyId));
    assert.equal(assumedFor(DAN).length, 0, "nothing under Dan's name");
    const cancelled = h
      .auditEvents()
      .find(
        (e) =>
          e['action'] === 'rotation.action' &&
          e['note'] === 'cancel' &&
          (e['person'] as { slack_id?: string } | undefined)?.slack_id === CAROL,
      );
    assert.equal(cancelled?.['outcome'], 'ok', "cancelled under Carol's own session, audited as hers");
    const keys = await iam.send(new ListAccessKeysCommand({ UserName: user }));
    assert.deepEqual(
      keys.AccessKeyMetadata?.map((k) => k.AccessKeyId),
      [old.accessKeyId],
      'the new key, never used, was deleted',
    );
  });
});
