/**
 * Rotation respects guards (issue 14, item 5), end to end over HTTP against the Slack stand-in
 * and moto with IAM enforced: when a place found for the key is a guarded secret, confirming the
 * places asks an approver first and creates nothing; once approved, the new key is written into
 * the guarded secret under a session scoped to it (moto does not evaluate session policies, so
 * the test asserts the policy sent and which session's key signed each call), and the new pair
 * is shown to nobody, though a checklist place would otherwise have had it shown.
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
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { roleArn } from '../../devkit/aws-seed.js';
import type { StandinMessage } from '../../devkit/standin-types.js';
import { KEY_TAG } from '../../src/rotation/core/locate.js';
import { type Harness, REGION, startHarness } from '../support/app-harness.js';
import { ROTATE_KEYS } from '../support/fixtures.js';

const APPROVALS = 'C0APPROVALS';
const SECONDLINE = 'C0SECONDLINE';
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
const USER = 'svc-payments';

let h: Harness;
let iam: IAMClient;
let sm: SecretsManagerClient;
let oldKeyId: string;
let guardedArn: string;

before(async () => {
  h = await startHarness({
    config: {
      roles: { rotator: roleArn('locksmith-rotator') },
      people: { [ALICE]: ['rotator'] },
      access: { contact: '#platform-help' },
      approvals: {
        channel: APPROVALS,
        approvers: { people: [BOB] },
        guarded_secrets: ['prod/*'],
        guarded_edits: ['prod/*'],
      },
      rotation: {
        notify_channel: SECONDLINE,
        third_party_places: [{ name: 'Fastly', link: 'https://manage.fastly.com/account/tokens' }],
      },
    },
    seed: { roles: [{ name: 'locksmith-rotator', policy: ROTATE_KEYS }], bot: {} },
    users: [
      { id: ALICE, name: 'alice', email: 'alice@example.com' },
      { id: BOB, name: 'bob', email: 'bob@example.com' },
    ],
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
  await seeding.iam.send(new CreateUserCommand({ UserName: USER }));
  const key = (await seeding.iam.send(new CreateAccessKeyCommand({ UserName: USER }))).AccessKey!;
  oldKeyId = key.AccessKeyId!;
  // The key lives in a guarded secret and an ordinary one, both tagged by an earlier rotation.
  for (const name of ['prod/payments-aws', 'ci/payments-aws']) {
    await seeding.sm.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: JSON.stringify({
          aws_access_key_id: key.AccessKeyId,
          aws_secret_access_key: key.SecretAccessKey,
        }),
        Tags: [{ Key: KEY_TAG, Value: key.AccessKeyId! }],
      }),
    );
  }
  guardedArn = (await seeding.sm.send(new DescribeSecretCommand({ SecretId: 'prod/payments-aws' }))).ARN!;
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

async function statusWhen(pattern: RegExp): Promise<StandinMessage> {
  return h.slack.waitFor(() => {
    const m = h.slack
      .channelMessages(h.slack.dmChannelFor(ALICE))
      .findLast(
        (x) => x.threadTs === undefined && text(x.blocks).includes(`Rotating the access key of ${USER}`),
      );
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

async function keyIds(): Promise<string[]> {
  const res = await iam.send(new ListAccessKeysCommand({ UserName: USER }));
  return (res.AccessKeyMetadata ?? []).map((k) => k.AccessKeyId!);
}

async function current(name: string): Promise<Record<string, string>> {
  const res = await sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSCURRENT' }));
  return JSON.parse(res.SecretString!) as Record<string, string>;
}

describe('rotation respects guards', () => {
  it('a guarded place needs an approval before the new key is created, is written under a session scoped to it, and the new key is shown to nobody', async () => {
    const sent = await h.sender.slashCommand({ userId: ALICE, command: '/rotate-key', text: USER });
    assert.equal(sent.status, 200);
    const found = await statusWhen(/rotation_confirm_places/);
    assert.match(text(found.blocks), /prod\/payments-aws[^"]*guarded/);

    // Confirming asks an approver; nothing is created meanwhile.
    h.aws.clear();
    await click('rotation_confirm_places', found, ALICE);
    const request = await h.slack.waitFor(
      () =>
        h.slack
          .channelMessages(APPROVALS)
          .find(
            (m) => /approval_approve/.test(text(m.blocks)) && text(m.blocks).includes('prod/payments-aws'),
          ),
      15_000,
    );
    assert.match(text(request.blocks), /write a new key into a guarded secret/);
    assert.deepEqual(h.aws.callsOf('CreateAccessKey'), [], 'no key before the approval');
    assert.deepEqual(await keyIds(), [oldKeyId]);
    await statusWhen(/Waiting for an approver/);

    // Alice cannot approve her own request; Bob can.
    await click('approval_approve', request, ALICE);
    assert.deepEqual(await keyIds(), [oldKeyId]);
    await click('approval_approve', request, BOB);
    await statusWhen(/Switch-over/);

    const keys = await keyIds();
    assert.equal(keys.length, 2);
    const newKeyId = keys.find((k) => k !== oldKeyId)!;
    const guarded = await current('prod/payments-aws');
    const ordinary = await current('ci/payments-aws');
    assert.equal(guarded['aws_access_key_id'], newKeyId, 'the guarded secret holds the new key');
    assert.equal(ordinary['aws_access_key_id'], newKeyId);
    const newSecret = guarded['aws_secret_access_key']!;

    // The guarded secret was read and written under a session scoped to it, and only that one.
    const scoped = h.aws.callsOf('AssumeRole').find((c) => String(c.params['Policy']).includes(guardedArn));
    assert.ok(scoped, 'a session scoped to the guarded secret was assumed');
    const policy = JSON.parse(String(scoped.params['Policy'])) as {
      Statement: Array<{ Effect: string; Action: string[]; Resource: string }>;
    };
    assert.ok(policy.Statement.every((s) => s.Effect === 'Allow'));
    assert.equal(policy.Statement[0]!.Resource, guardedArn);
    assert.ok(policy.Statement[0]!.Action.includes('secretsmanager:PutSecretValue'));
    const onGuarded = h.aws.calls.filter(
      (c) =>
        ['GetSecretValue', 'PutSecretValue'].includes(c.operation) &&
        String(c.params['SecretId']).startsWith('prod/'),
    );
    assert.ok(onGuarded.some((c) => c.operation === 'PutSecretValue'));
    const onOrdinary = h.aws.calls.filter(
      (c) => c.operation === 'PutSecretValue' && String(c.params['SecretId']).startsWith('ci/'),
    );
    assert.equal(onOrdinary.length, 1);
    const guardedKeys = new Set(onGuarded.map((c) => c.accessKeyId));
    assert.equal(guardedKeys.size, 1, 'one session for the guarded secret');
    assert.ok(
      !guardedKeys.has(onOrdinary[0]!.accessKeyId),
      'not the ordinary session, whose policy denies the guarded secret',
    );
    const creator = h.aws.callsOf('CreateAccessKey')[0]!;
    assert.ok(!guardedKeys.has(creator.accessKeyId), 'the scoped session does nothing else');

    // Write-only: Fastly is on the checklist, yet nobody is shown the new pair.
    const everything =
      text(h.slack.calls) + text(h.slack.responseUrlPosts) + h.logs.join('\n') + text(h.auditEvents());
    assert.ok(!everything.includes(newSecret), 'the new secret is in no view, message, log or audit line');
    assert.ok(!h.auditEvents().some((e) => e['action'] === 'rotation.reveal'));
    const audited = h.auditEvents().find((e) => e['note'] === 'approval-granted');
    assert.equal(audited?.['outcome'], 'ok');
  });
});
