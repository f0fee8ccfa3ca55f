/**
 * /rotate-key for SES SMTP users (replaced, not rotated) and per-role approvals, end to end
 * over HTTP against the Slack stand-in and moto with IAM enforced.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListUsersCommand,
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
import { sesSmtpPassword } from '../../src/smtp-users/smtp-password.js';
import { matchesSmtpName, replacementName } from '../../src/smtp-users/iam-steps.js';
import { type Harness, REGION, startHarness } from '../support/app-harness.js';
import { ROTATE_KEYS, usergroups, users } from '../support/fixtures.js';

const APPROVALS = 'C0APPROVALS';
const SECONDLINE = 'C0SECONDLINE';
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
const HOUR = 60 * 60 * 1000;
const SMTP_TAG = { key: 'locksmith', value: 'ses-smtp' };
const SEND_MAIL = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'ses:SendRawEmail', Resource: '*' }],
});

/** ROTATE_KEYS plus what replacing an SMTP user takes. */
const REPLACE_USERS = {
  Version: '2012-10-17' as const,
  Statement: [
    ...ROTATE_KEYS.Statement,
    {
      Effect: 'Allow' as const,
      Action: [
        'iam:GetUser',
        'iam:ListUserTags',
        'iam:TagUser',
        'iam:CreateUser',
        'iam:DeleteUser',
        'iam:ListGroupsForUser',
        'iam:AddUserToGroup',
        'iam:RemoveUserFromGroup',
        'iam:ListAttachedUserPolicies',
        'iam:AttachUserPolicy',
        'iam:DetachUserPolicy',
        'iam:ListUserPolicies',
        'iam:GetUserPolicy',
        'iam:PutUserPolicy',
        'iam:DeleteUserPolicy',
        'iam:DeleteLoginProfile',
      ],
      Resource: '*',
    },
  ],
};

let now = Date.parse('2026-11-23T09:00:00Z');
const clock = { now: () => now };
const TODAY = '20261123';
let h: Harness;
let iam: IAMClient;
let sm: SecretsManagerClient;

function text(value: unknown): string {
  return JSON.stringify(value ?? null);
}

function dms(user = ALICE): StandinMessage[] {
  return h.slack.channelMessages(h.slack.dmChannelFor(user));
}

async function command(userId: string, commandText: string): Promise<string> {
  const sent = await h.sender.slashCommand({ userId, command: '/rotate-key', text: commandText });
  assert.equal(sent.status, 200);
  const reply = await h.slack.waitFor(
    () => h.slack.responseUrlPosts.find((p) => p.url === sent.responseUrl),
    15_000,
  );
  return text(reply.body);
}

async function click(actionId: string, message: StandinMessage, userId = ALICE) {
  const res = await h.sender.blockActions({
    userId,
    actionId,
    channelId: message.channel,
    messageTs: message.ts,
  });
  assert.equal(res.status, 200);
  return res;
}

function smtpStatus(user: string): StandinMessage | undefined {
  return dms().findLast(
    (m) => m.threadTs === undefined && text(m.blocks).includes(`Replacing SES SMTP user \`${user}\``),
  );
}

async function smtpStatusWhen(user: string, pattern: RegExp): Promise<StandinMessage> {
  return h.slack.waitFor(() => {
    const m = smtpStatus(user);
    return m && pattern.test(text(m.blocks)) ? m : undefined;
  }, 10_000);
}

async function userNames(): Promise<string[]> {
  const res = await iam.send(new ListUsersCommand({}));
  return (res.Users ?? []).map((u) => u.UserName!);
}

async function keyIds(user: string): Promise<string[]> {
  const res = await iam.send(new ListAccessKeysCommand({ UserName: user }));
  return (res.AccessKeyMetadata ?? []).map((k) => k.AccessKeyId!);
}

before(async () => {
  h = await startHarness({
    config: {
      roles: { rotator: roleArn('locksmith-rotator'), sandbox: roleArn('locksmith-sandbox') },
      people: { [ALICE]: ['rotator', 'sandbox'] },
      access: { contact: '#platform-help' },
      approvals: { channel: APPROVALS, approvers: { people: [BOB] } },
      rotation: {
        notify_channel: SECONDLINE,
        smtp_user_tag: SMTP_TAG,
        smtp_users: ['ses-smtp-*'],
        approvals_by_role: { sandbox: { require_for_deactivate: false } },
      },
    },
    seed: {
      roles: [
        { name: 'locksmith-rotator', policy: REPLACE_USERS },
        { name: 'locksmith-sandbox', policy: REPLACE_USERS },
      ],
      bot: {},
    },
    users,
    usergroups,
    clock,
  });
  const admin = new IAMClient({
    region: REGION,
    endpoint: h.moto.url,
    credentials: { accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'moto' },
  });
  const adminSm = new SecretsManagerClient({
    region: REGION,
    endpoint: h.moto.url,
    credentials: { accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'moto' },
  });
  await admin.send(new CreateUserCommand({ UserName: 'inspector' }));
  await admin.send(
    new PutUserPolicyCommand({
      UserName: 'inspector',
      PolicyName: 'all',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      }),
    }),
  );
  const inspectorKey = (await admin.send(new CreateAccessKeyCommand({ UserName: 'inspector' }))).AccessKey!;
  // Two SMTP users, marked by tag, in a group, with a managed and an inline policy and a key.
  await admin.send(new CreateGroupCommand({ GroupName: 'mail-senders' }));
  const managed = await admin.send(
    new CreatePolicyCommand({ PolicyName: 'ses-send', PolicyDocument: SEND_MAIL }),
  );
  for (const user of ['mailer', 'mailer-cancel']) {
    await admin.send(
      new CreateUserCommand({ UserName: user, Tags: [{ Key: SMTP_TAG.key, Value: SMTP_TAG.value }] }),
    );
    await admin.send(new AddUserToGroupCommand({ UserName: user, GroupName: 'mail-senders' }));
    await admin.send(new AttachUserPolicyCommand({ UserName: user, PolicyArn: managed.Policy!.Arn! }));
    await admin.send(
      new PutUserPolicyCommand({ UserName: user, PolicyName: 'from-noreply', PolicyDocument: SEND_MAIL }),
    );
    await admin.send(new CreateAccessKeyCommand({ UserName: user }));
  }
  // An SMTP user recognised by its name only (no tag).
  await admin.send(new CreateUserCommand({ UserName: 'ses-smtp-app' }));
  await admin.send(new CreateAccessKeyCommand({ UserName: 'ses-smtp-app' }));
  // A plain machine user rotated under the sandbox role, whose key is in a secret that an
  // earlier rotation tagged (found by tag, no value read).
  await admin.send(new CreateUserCommand({ UserName: 'svc-sandbox' }));
  const key = (await admin.send(new CreateAccessKeyCommand({ UserName: 'svc-sandbox' }))).AccessKey!;
  await adminSm.send(
    new CreateSecretCommand({
      Name: 'svc-sandbox/app',
      SecretString: JSON.stringify({
        aws_access_key_id: key.AccessKeyId,
        aws_secret_access_key: key.SecretAccessKey,
      }),
      Tags: [{ Key: KEY_TAG, Value: key.AccessKeyId }],
    }),
  );
  admin.destroy();
  adminSm.destroy();
  await h.moto.enforceIam();
  const inspector = {
    region: REGION,
    endpoint: h.moto.url,
    credentials: { accessKeyId: inspectorKey.AccessKeyId!, secretAccessKey: inspectorKey.SecretAccessKey! },
  };
  iam = new IAMClient(inspector);
  sm = new SecretsManagerClient(inspector);
});

after(async () => {
  iam?.destroy();
  sm?.destroy();
  await h?.stop();
});

describe('SES SMTP users: names', () => {
  it('names the replacement <old>.YYYYMMDD and matches by glob, also a replacement of a match', () => {
    assert.equal(replacementName('ses-smtp-app', now), `ses-smtp-app.${TODAY}`);
    assert.equal(replacementName(`ses-smtp-app.20250101`, now), `ses-smtp-app.${TODAY}`);
    assert.ok(matchesSmtpName('ses-smtp-app', ['ses-smtp-*']));
    assert.ok(matchesSmtpName('ses-smtp-app.20250101', ['ses-smtp-app']));
    assert.ok(!matchesSmtpName('svc-deploy', ['ses-smtp-*']));
  });
});

describe('/rotate-key for an SES SMTP user (by name glob)', () => {
  it('offers the replacement, not a key rotation, for a user matching rotation.smtp_users', async () => {
    const reply = await command(ALICE, 'ses-smtp-app');
    assert.match(reply, /`ses-smtp-app` is an SES SMTP user/);
    const status = await smtpStatusWhen('ses-smtp-app', /rotation_smtp_create/);
    assert.match(text(status.blocks), /rotation_smtp_cancel/);
    assert.ok(!(await userNames()).includes(`ses-smtp-app.${TODAY}`), 'nothing made before the click');
  });
});

describe('/rotate-key for an SES SMTP user (tagged)', () => {
  it('replaces the user step by step: create (credentials once) → approval → old user deleted', async () => {
    const oldKey = (await keyIds('mailer'))[0]!;
    const reply = await command(ALICE, 'mailer');
    assert.match(reply, /`mailer` is an SES SMTP user/);
    assert.match(reply, new RegExp(`mailer\\.${TODAY}`));
    const start = await smtpStatusWhen('mailer', /rotation_smtp_create/);
    assert.match(text(start.blocks), /rotation_smtp_cancel/);
    assert.ok(!(await userNames()).includes(`mailer.${TODAY}`), 'nothing made before the click');

    // Someone else cannot press the buttons.
    await click('rotation_smtp_create', start, BOB);
    assert.ok(!(await userNames()).includes(`mailer.${TODAY}`));

    // Create, double-clicked: one user, one key; the SMTP credentials in one modal, once.
    await Promise.all([click('rotation_smtp_create', start), click('rotation_smtp_create', start)]);
    const modal = await h.slack.waitFor(
      () => h.slack.views(ALICE).find((v) => /SMTP password/.test(text(v.view))),
      15_000,
    );
    await h.slack.waitFor(() =>
      h.slack.views(ALICE).find((v) => /already exists with an access key/.test(text(v.view))),
    );
    assert.equal(h.slack.views(ALICE).filter((v) => /SMTP password/.test(text(v.view))).length, 1);
    const newUser = `mailer.${TODAY}`;
    const newKeys = await keyIds(newUser);
    assert.equal(newKeys.length, 1);
    assert.ok(text(modal.view).includes(newKeys[0]!), 'SMTP user name = access key id');
    const password = /SMTP password\*\\n```([A-Za-z0-9+/=]+)```/.exec(text(modal.view))?.[1];
    assert.ok(password && Buffer.from(password, 'base64')[0] === 4, 'a version-4 SMTP password');
    const groups = await iam.send(new ListGroupsForUserCommand({ UserName: newUser }));
    assert.deepEqual(
      groups.Groups?.map((g) => g.GroupName),
      ['mail-senders'],
    );
    const attached = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: newUser }));
    assert.deepEqual(
      attached.AttachedPolicies?.map((p) => p.PolicyName),
      ['ses-send'],
    );
    const inline = await iam.send(
      new GetUserPolicyCommand({ UserName: newUser, PolicyName: 'from-noreply' }),
    );
    assert.deepEqual(JSON.parse(decodeURIComponent(inline.PolicyDocument!)), JSON.parse(SEND_MAIL));
    const created = await smtpStatusWhen('mailer', /rotation_smtp_delete_old/);
    assert.match(text(created.blocks), /mail-senders/);
    assert.ok(!text(dms()).includes(password), 'the password is never in a message');
    assert.ok(!h.logs.join('\n').includes(password), 'nor in a log line');

    // Delete the old user: an approver first, nothing deleted before.
    await click('rotation_smtp_delete_old', created);
    const approval = await h.slack.waitFor(() =>
      h.slack
        .channelMessages(APPROVALS)
        .find((m) => text(m.blocks).includes('mailer') && /approval_approve/.test(text(m.blocks))),
    );
    await smtpStatusWhen('mailer', /waits for an approver/);
    assert.deepEqual(await keyIds('mailer'), [oldKey]);
    await click('approval_approve', approval, BOB);
    await smtpStatusWhen('mailer', /\*Done\.\*/);
    const names = await userNames();
    assert.ok(!names.includes('mailer'), 'the old user is deleted');
    assert.ok(names.includes(newUser));
    const audit = h.auditEvents().filter((e) => e['target'] === 'mailer' || e['target'] === newUser);
    assert.ok(audit.some((e) => e['action'] === 'rotation.reveal'));
    assert.ok(audit.some((e) => /old user deleted/.test(String(e['note']))));
  });

  it('cancel before the deletion deletes the new user again and leaves the old one', async () => {
    await command(ALICE, 'mailer-cancel');
    const start = await smtpStatusWhen('mailer-cancel', /rotation_smtp_create/);
    await click('rotation_smtp_create', start);
    const created = await smtpStatusWhen('mailer-cancel', /rotation_smtp_delete_old/);
    const newUser = `mailer-cancel.${TODAY}`;
    assert.ok((await userNames()).includes(newUser));
    await click('rotation_smtp_cancel', created);
    await smtpStatusWhen('mailer-cancel', /\*Cancelled\.\*/);
    const names = await userNames();
    assert.ok(!names.includes(newUser));
    assert.ok(names.includes('mailer-cancel'));
    assert.equal((await keyIds('mailer-cancel')).length, 1);
  });
});

describe('SES SMTP users: the approved deletion runs later (issue 14, item 4)', () => {
  it('is not carried out when the requester may no longer use the role by then', async () => {
    await command(ALICE, 'ses-smtp-app');
    await click('rotation_smtp_create', await smtpStatusWhen('ses-smtp-app', /rotation_smtp_create/));
    const created = await smtpStatusWhen('ses-smtp-app', /rotation_smtp_delete_old/);
    await click('rotation_smtp_delete_old', created);
    const approval = await h.slack.waitFor(() =>
      h.slack
        .channelMessages(APPROVALS)
        .find((m) => text(m.blocks).includes('ses-smtp-app') && /approval_approve/.test(text(m.blocks))),
    );
    // Alice leaves before Bob approves: Slack deactivates her account.
    h.slack.updateUser(ALICE, { deleted: true });
    await h.slack.eventsDelivered();
    try {
      await click('approval_approve', approval, BOB);
      const refused = await smtpStatusWhen('ses-smtp-app', /may no longer use the role/);
      assert.match(text(refused.blocks), /does not act in their name/);
      await h.slack.waitFor(() =>
        h.slack
          .channelMessages(APPROVALS)
          .find(
            (m) => /ses-smtp-app/.test(text(m.blocks)) && /may no longer use the role/.test(text(m.blocks)),
          ),
      );
      assert.ok((await userNames()).includes('ses-smtp-app'), 'the old user is still there');
    } finally {
      h.slack.updateUser(ALICE, { deleted: false });
      await h.slack.eventsDelivered();
    }
  });
});

describe('approvals per role', () => {
  it('a role with deactivate approval off goes straight to a "Deactivate" confirmation', async () => {
    const reply = await command(ALICE, 'svc-sandbox --role sandbox');
    assert.match(reply, /Started the rotation of `svc-sandbox` under role `sandbox`/);
    const statusOf = () =>
      dms().findLast(
        (m) => m.threadTs === undefined && text(m.blocks).includes('Rotating the access key of svc-sandbox'),
      );
    const places = await h.slack.waitFor(() => {
      const m = statusOf();
      return m && /rotation_confirm_places/.test(text(m.blocks)) ? m : undefined;
    }, 15_000);
    await click('rotation_confirm_places', places);
    await h.slack.waitFor(() => {
      const m = statusOf();
      return m && /Switch-over/.test(text(m.blocks)) ? m : undefined;
    }, 15_000);
    const secret = JSON.parse(
      (await sm.send(new GetSecretValueCommand({ SecretId: 'svc-sandbox/app' }))).SecretString!,
    ) as Record<string, string>;
    const sts = new STSClient({
      region: REGION,
      endpoint: h.moto.url,
      credentials: {
        accessKeyId: secret['aws_access_key_id']!,
        secretAccessKey: secret['aws_secret_access_key']!,
      },
    });
    await sts.send(new GetCallerIdentityCommand({}));
    sts.destroy();
    now += 25 * HOUR;
    await h.app.scheduler.tick();
    // Found by tag only: before anything is deactivated, Alice acknowledges what was not searched.
    const ack = await h.slack.waitFor(() => {
      const m = statusOf();
      return m && /rotation_ack_search/.test(text(m.blocks)) ? m : undefined;
    }, 15_000);
    assert.match(text(ack.blocks), /Not every place that could hold the key was searched/);
    await click('rotation_ack_search', ack);
    const ready = await h.slack.waitFor(() => {
      const m = statusOf();
      return m && /rotation_confirm_deactivate/.test(text(m.blocks)) ? m : undefined;
    }, 15_000);
    assert.match(text(ready.blocks), /Deactivate AKIA/);
    assert.equal(
      h.slack.channelMessages(APPROVALS).filter((m) => /deactivate an access key/.test(text(m.blocks)))
        .length,
      0,
      'no approval asked for this role',
    );
    assert.ok(sesSmtpPassword('x', REGION), 'module loads');
  });
});
