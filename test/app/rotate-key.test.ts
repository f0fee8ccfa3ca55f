/**
 * /rotate-key end to end over HTTP, against the Slack stand-in and moto with IAM enforced: the
 * whole rotation as people see it in Slack (the status message in the requester's DM, its
 * thread, the 2ndline post, the approvals channel, the one-time reveal modal), driven by signed
 * Slack requests, the injected clock and the scheduler's tick; and AWS as it ends up in moto.
 * A consumer "using" a key is any AWS call signed with it (moto marks the key used).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  ListSecretVersionIdsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { READ_ALL_SECRETS, roleArn } from '../../devkit/aws-seed.js';
import { KEY_TAG } from '../../src/rotation/core/locate.js';
import type { StandinMessage } from '../../devkit/standin-types.js';
import { type Harness, REGION, startHarness } from '../support/app-harness.js';
import { ROTATE_KEYS, usergroups, users } from '../support/fixtures.js';

const APPROVALS = 'C0APPROVALS';
const SECONDLINE = 'C0SECONDLINE';
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

interface KeyPair {
  accessKeyId: string;
  secretAccessKey: string;
}

interface Scenario {
  user: string;
  oldKey: KeyPair;
  /** A second key nobody ever used. */
  unusedKey?: KeyPair;
  /** Secret name → original value. */
  originals: Record<string, string>;
}

// The bot's clock; it starts at the real time because moto stamps key use with the real time.
let now = Date.now();
const clock = { now: () => now };
let h: Harness;
let iam: IAMClient;
let sm: SecretsManagerClient;
const scenarios: Record<string, Scenario> = {};

async function use(pair: KeyPair): Promise<void> {
  const sts = new STSClient({ region: REGION, endpoint: h.moto.url, credentials: pair });
  try {
    await sts.send(new GetCallerIdentityCommand({}));
  } finally {
    sts.destroy();
  }
}

/**
 * An IAM user whose one key a consumer uses, stored in a JSON secret and an "id:secret" one,
 * tagged with the key id as locksmith leaves them (`tagged: false`: an account never indexed);
 * `keys: 0` makes a user without keys, `'two'` adds a second key nobody uses.
 */
async function seedUser(
  admin: { iam: IAMClient; sm: SecretsManagerClient },
  user: string,
  keys: 0 | 1 | 'two' = 1,
  tagged = true,
) {
  await admin.iam.send(new CreateUserCommand({ UserName: user }));
  if (keys === 0) {
    scenarios[user] = { user, oldKey: { accessKeyId: '', secretAccessKey: '' }, originals: {} };
    return;
  }
  const createKey = async (): Promise<KeyPair> => {
    const res = await admin.iam.send(new CreateAccessKeyCommand({ UserName: user }));
    return { accessKeyId: res.AccessKey!.AccessKeyId!, secretAccessKey: res.AccessKey!.SecretAccessKey! };
  };
  const oldKey = await createKey();
  await use(oldKey);
  const unusedKey = keys === 'two' ? await createKey() : undefined;
  const originals: Record<string, string> = {
    [`${user}/app`]: JSON.stringify({
      aws_access_key_id: oldKey.accessKeyId,
      aws_secret_access_key: oldKey.secretAccessKey,
      region: REGION,
    }),
    [`${user}/ci`]: `${oldKey.accessKeyId}:${oldKey.secretAccessKey}`,
  };
  for (const [name, value] of Object.entries(originals)) {
    await admin.sm.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: value,
        ...(tagged ? { Tags: [{ Key: KEY_TAG, Value: oldKey.accessKeyId }] } : {}),
      }),
    );
  }
  scenarios[user] = { user, oldKey, originals, ...(unusedKey ? { unusedKey } : {}) };
}

before(async () => {
  h = await startHarness({
    config: {
      roles: { rotator: roleArn('locksmith-rotator'), reader: roleArn('locksmith-reader') },
      people: { [ALICE]: ['rotator'], 'carol@example.com': ['reader'] },
      access: { contact: '#platform-help' },
      approvals: { channel: APPROVALS, approvers: { people: [BOB] } },
      reveal: { one_time_ttl_seconds: 60 },
      rotation: {
        notify_channel: SECONDLINE,
        third_party_places: [{ name: 'Datadog', link: 'https://app.datadoghq.com/organization-settings' }],
      },
    },
    seed: {
      roles: [
        { name: 'locksmith-rotator', policy: ROTATE_KEYS },
        { name: 'locksmith-reader', policy: READ_ALL_SECRETS },
      ],
      bot: {},
    },
    users,
    usergroups,
    clock,
  });
  // Seeded with moto's auth off; then IAM is enforced. The tests look at AWS as an inspector
  // user with every permission, straight to moto, never through the bot.
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
  const key = (await seeding.iam.send(new CreateAccessKeyCommand({ UserName: 'inspector' }))).AccessKey!;
  await seedUser(seeding, 'svc-happy', 1, false);
  for (const user of [
    'svc-cancel',
    'svc-double',
    'svc-denied',
    'svc-reject',
    'svc-lost',
    'svc-reveal-ttl',
    'svc-reveal-stop',
    'svc-reveal-crash',
  ]) {
    await seedUser(seeding, user);
  }
  await seedUser(seeding, 'svc-nokeys', 0);
  await seedUser(seeding, 'svc-two', 'two');
  seeding.iam.destroy();
  seeding.sm.destroy();
  await h.moto.enforceIam();
  const inspector = {
    region: REGION,
    endpoint: h.moto.url,
    credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! },
  };
  iam = new IAMClient(inspector);
  sm = new SecretsManagerClient(inspector);
});

after(async () => {
  iam?.destroy();
  sm?.destroy();
  await h?.stop();
});

// -------------------------------------------------------------------------------------------
// Helpers

async function keysOf(user: string): Promise<Array<{ id: string; status: string }>> {
  const res = await iam.send(new ListAccessKeysCommand({ UserName: user }));
  return (res.AccessKeyMetadata ?? []).map((k) => ({ id: k.AccessKeyId!, status: k.Status! }));
}

async function current(name: string): Promise<string> {
  return (await sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSCURRENT' })))
    .SecretString!;
}

async function versionCount(name: string): Promise<number> {
  const res = await sm.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
  return res.Versions?.length ?? 0;
}

function text(value: unknown): string {
  return JSON.stringify(value ?? null);
}

function dmsTo(user: string): StandinMessage[] {
  return h.slack.channelMessages(h.slack.dmChannelFor(user));
}

/** The (newest) status message of the rotation of `iamUser` in the requester's DM. */
function statusOf(iamUser: string, user = ALICE): StandinMessage | undefined {
  return dmsTo(user).findLast(
    (m) => m.threadTs === undefined && text(m.blocks).includes(`Rotating the access key of ${iamUser}`),
  );
}

async function statusWhen(iamUser: string, pattern: RegExp, user = ALICE): Promise<StandinMessage> {
  return h.slack.waitFor(() => {
    const m = statusOf(iamUser, user);
    return m && pattern.test(text(m.blocks)) ? m : undefined;
  }, 10_000);
}

function threadOf(status: StandinMessage, user = ALICE): StandinMessage[] {
  return dmsTo(user).filter((m) => m.threadTs === status.ts);
}

async function threadNote(status: StandinMessage, pattern: RegExp): Promise<StandinMessage> {
  return h.slack.waitFor(() => threadOf(status).find((m) => pattern.test(text(m.blocks))), 10_000);
}

async function command(userId: string, commandText: string) {
  const sent = await h.sender.slashCommand({ userId, command: '/rotate-key', text: commandText });
  assert.equal(sent.status, 200);
  const reply = await h.slack.waitFor(
    () => h.slack.responseUrlPosts.find((p) => p.url === sent.responseUrl),
    15_000,
  );
  return { sent, reply: text(reply.body) };
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

async function ephemeralReply(res: { responseUrl?: string }): Promise<string> {
  const post = await h.slack.waitFor(() =>
    h.slack.responseUrlPosts.find((p) => p.url === res.responseUrl && p.status === 200),
  );
  return text(post.body);
}

/** The approval request for `target` in the approvals channel. */
async function approvalFor(target: string, kind: RegExp): Promise<StandinMessage> {
  return h.slack.waitFor(() =>
    h.slack
      .channelMessages(APPROVALS)
      .find(
        (m) =>
          text(m.blocks).includes(target) &&
          kind.test(text(m.blocks)) &&
          /approval_approve/.test(text(m.blocks)),
      ),
  );
}

/** Ticks the scheduler until `check` holds (a real-time tick may have done the work first). */
async function tickUntil<T>(check: () => T | undefined | false): Promise<T> {
  await h.app.scheduler.tick();
  return h.slack.waitFor(check, 10_000);
}

/** Clicks "Acknowledge: not everything searched" once the old key is ready to go. */
async function acknowledgeSearch(user: string): Promise<void> {
  const status = await statusWhen(user, /rotation_ack_search/);
  assert.match(text(status.blocks), /Not every place that could hold the key was searched/);
  await click('rotation_ack_search', status);
}

/** Starts a rotation of `user` by alice and waits for the places to be listed. */
async function startRotation(user: string): Promise<StandinMessage> {
  const { reply } = await command(ALICE, user);
  assert.match(reply, new RegExp(`Started the rotation of \`${user}\``));
  return statusWhen(user, /rotation_confirm_places/);
}

// -------------------------------------------------------------------------------------------

describe('/rotate-key', () => {
  it('runs the whole rotation through Slack: inspect → places → create → switch-over → 2ndline + approval → inactive → grace → delete → summary', async () => {
    const s = scenarios['svc-happy']!;
    const oldId = s.oldKey.accessKeyId;

    // Inspect and locate by tag: nothing is tagged in this account, and no value was read.
    h.aws.clear();
    const { reply } = await command(ALICE, 'svc-happy');
    assert.match(reply, /Started the rotation of `svc-happy`/);
    const nothing = await statusWhen('svc-happy', /rotation_full_scan/);
    assert.match(text(nothing.blocks), /that hold `AKIA[A-Z0-9]+`\*\\n_none found_/);
    assert.match(text(nothing.blocks), /no secret or parameter value was read/);
    assert.deepEqual(
      h.aws.calls.filter((c) => /GetSecretValue|GetParametersByPath|GetParameter$/.test(c.operation)),
      [],
    );

    // Search all: every secret read, 20 a call, and the two that hold the key tagged.
    await click('rotation_full_scan', nothing);
    const status = await statusWhen('svc-happy', /Read \d+ of \d+ secrets.*rotation_confirm_places/);
    const shown = text(status.blocks);
    assert.match(shown, /Read \d+ of \d+ secrets and 0 of 0 parameters your role can list; tagged 2/);
    assert.ok(h.aws.callsOf('BatchGetSecretValue').length > 0);
    assert.equal(h.aws.callsOf('GetSecretValue').length, 0, 'values read in batches only');
    assert.equal(h.aws.callsOf('TagResource').length, 2);
    assert.match(shown, new RegExp(`${oldId}.*Active.*0 days old.*last used .*\\(sts, ${REGION}\\)`));
    assert.match(shown, /within the maximum age/);
    assert.match(shown, /svc-happy\/app.*aws_access_key_id.*aws_secret_access_key/);
    assert.match(shown, /svc-happy\/ci/);
    assert.match(shown, /Datadog/);
    assert.doesNotMatch(shown, /svc-cancel\/app/, 'only secrets that hold this key');
    assert.match(shown, /rotation_cancel/);
    assert.equal(h.slack.channelMessages(APPROVALS).filter((m) => text(m.blocks).includes(oldId)).length, 0);

    // Confirm the places in the modal: both secrets and Datadog.
    await click('rotation_choose_places', status);
    const modal = await h.slack.waitFor(() => h.slack.openModalOf(ALICE, 'rotation_places'));
    const values: Record<string, unknown> = {};
    for (const block of modal.view.blocks as Array<{
      type: string;
      block_id: string;
      element: { options: unknown[] };
    }>) {
      if (block.type !== 'input') continue;
      values[block.block_id] = { places: { type: 'checkboxes', selected_options: block.element.options } };
    }
    assert.equal(Object.keys(values).length, 2, 'a group of secrets and a checklist group');
    h.aws.clear();
    await h.sender.viewSubmission({
      userId: ALICE,
      view: { id: modal.id, callback_id: 'rotation_places', state: { values } },
    });

    // The one-time reveal, in the modal only: the pair as written into the secrets.
    const reveal = await h.slack.waitFor(() => {
      const v = h.slack.view(modal.id);
      return v && /Secret access key/.test(text(v.view)) ? v : undefined;
    }, 10_000);
    const app = JSON.parse(await current('svc-happy/app')) as Record<string, string>;
    const newKey = { accessKeyId: app.aws_access_key_id!, secretAccessKey: app.aws_secret_access_key! };
    assert.notEqual(newKey.accessKeyId, oldId);
    assert.ok(text(reveal.view).includes(newKey.secretAccessKey), 'the modal shows the new secret');
    assert.ok(text(reveal.view).includes(newKey.accessKeyId));
    assert.equal(app.region, REGION, 'other fields kept');
    assert.equal(await current('svc-happy/ci'), `${newKey.accessKeyId}:${newKey.secretAccessKey}`);
    assert.deepEqual((await keysOf('svc-happy')).map((k) => k.id).sort(), [oldId, newKey.accessKeyId].sort());
    assert.equal(h.aws.callsOf('CreateAccessKey').length, 1);
    const sessionKeys = new Set(h.aws.callsOf('CreateAccessKey').map((c) => c.accessKeyId));
    assert.ok(!sessionKeys.has(h.seeded.botCredentials!.accessKeyId), "under alice's session, not the bot's");

    // Switch-over, updated in place: Datadog on the checklist until ticked off.
    let sw = await statusWhen('svc-happy', /Switch-over/);
    assert.equal(sw.ts, status.ts, 'the same message, updated in place');
    assert.match(text(sw.blocks), /New key .*not used yet/);
    await click('rotation_tick_place:0', sw);
    sw = await statusWhen('svc-happy', /Datadog.*updated by <@U0ALICE>/);
    assert.doesNotMatch(text(sw.blocks), /rotation_tick_place/);

    // The consumer picks the new key up from the secret; an hour later the poll sees it.
    await use(newKey);
    now += HOUR;
    sw = await tickUntil(() => {
      const m = statusOf('svc-happy');
      return m && /New key .*: used/.test(text(m.blocks)) ? m : undefined;
    });
    assert.match(text(sw.blocks), /no newer use seen by locksmith's checks since .*: 1 of 24 hours/);
    assert.equal(h.slack.channelMessages(SECONDLINE).length, 0, 'not quiet long enough yet');

    // A day of quiet: 2ndline is told and an approval is asked for.
    now += 24 * HOUR;
    const post = await tickUntil(() =>
      h.slack.channelMessages(SECONDLINE).find((m) => text(m.blocks).includes(oldId)),
    );
    assert.match(
      text(post.blocks),
      /<@U0ALICE> will \*deactivate\* access key `[A-Z0-9]+` of IAM user `svc-happy`/,
    );
    assert.match(text(post.blocks), /has not been used for 2\d hours/);
    assert.match(text(post.blocks), /An approver decides in <#C0APPROVALS>/);
    const approval = await approvalFor(oldId, /deactivate an access key/);
    await statusWhen('svc-happy', /Waiting for an approver/);
    assert.equal((await keysOf('svc-happy')).find((k) => k.id === oldId)?.status, 'Active');

    // The requester cannot approve; bob can: the key goes inactive, Reactivate stays offered.
    const self = await click('approval_approve', approval, ALICE);
    assert.match(await ephemeralReply(self), /cannot approve your own request/);
    await click('approval_approve', approval, BOB);
    const grace = await statusWhen('svc-happy', /is \*inactive\*/);
    assert.match(text(grace.blocks), /rotation_reactivate/);
    assert.equal((await keysOf('svc-happy')).find((k) => k.id === oldId)?.status, 'Inactive');
    await threadNote(status, /is now \*inactive\*/);

    // After the grace period the requester is asked to delete; deletion needs an approval too.
    now += 8 * DAY;
    const confirm = await tickUntil(() => {
      const m = statusOf('svc-happy');
      return m && /rotation_confirm_delete/.test(text(m.blocks)) ? m : undefined;
    });
    await threadNote(status, /grace period for .* is over/);
    await click('rotation_confirm_delete', confirm);
    const deleteApproval = await approvalFor(oldId, /delete an access key/);
    assert.equal((await keysOf('svc-happy')).length, 2, 'nothing deleted before approval');
    // 2ndline is told before the deletion too, with what CloudTrail says of the key (this role
    // may not read CloudTrail, and the post says so rather than stay silent).
    const deletePost = await h.slack.waitFor(() =>
      h.slack.channelMessages(SECONDLINE).find((m) => /will \*delete\*/.test(text(m.blocks))),
    );
    assert.match(
      text(deletePost.blocks),
      new RegExp(
        `<@U0ALICE> will \\*delete\\* the inactive access key \`${oldId}\` of IAM user \`svc-happy\``,
      ),
    );
    assert.match(text(deletePost.blocks), /has been inactive since/);
    assert.match(text(deletePost.blocks), /An approver decides in <#C0APPROVALS>/);
    assert.match(
      text(deletePost.blocks),
      /\*CloudTrail:\* could not be checked: Your role `rotator` may not read CloudTrail/,
    );
    await click('approval_approve', deleteApproval, BOB);

    // Done: the summary in the message and in its thread; moto has exactly the new key, active.
    const done = await statusWhen('svc-happy', /\*Done\.\*/);
    assert.doesNotMatch(text(done.blocks), /rotation_cancel|rotation_reactivate/, 'no buttons left');
    assert.match(text(done.blocks), /What happened/);
    const summary = await threadNote(status, /Rotation of `svc-happy` done/);
    for (const step of [
      /confirmed the places/,
      /created/,
      /switch-over complete/,
      /approved: deactivate/,
      /made .* inactive/,
      /deleted/,
    ]) {
      assert.match(text(summary.blocks), step);
    }
    assert.deepEqual(await keysOf('svc-happy'), [{ id: newKey.accessKeyId, status: 'Active' }]);
    assert.equal(await versionCount('svc-happy/app'), 2);

    // The new secret went only into the reveal modal: no message, no log line, no stored record.
    const secret = newKey.secretAccessKey;
    for (const call of h.slack.calls) {
      if (call.method === 'views.update') continue;
      assert.equal(text(call.args).includes(secret), false, `secret in ${call.method}`);
    }
    assert.equal(text(h.slack.responseUrlPosts).includes(secret), false, 'secret in a response_url post');
    assert.equal(h.logs.join('\n').includes(secret), false, 'secret in the logs');
    assert.equal(h.logs.join('\n').includes(s.oldKey.secretAccessKey), false, 'old secret in the logs');
    for (const file of readdirSync(h.dataDir)) {
      const bytes = readFileSync(join(h.dataDir, file));
      assert.equal(bytes.includes(secret), false, `secret in ${file}`);
    }

    const audit = h.auditEvents();
    const rotationId = audit.find((e) => e.action === 'rotation.start')?.rotation_id;
    assert.ok(typeof rotationId === 'string' && rotationId.startsWith('rot_'));
    assert.ok(
      audit.some((e) => e.action === 'rotation.reveal' && e.rotation_id === rotationId && e.outcome === 'ok'),
    );
    assert.ok(
      audit.some(
        (e) =>
          e.action === 'rotation.action' &&
          e.note === 'approval-granted' &&
          (e.person as { slack_id: string }).slack_id === BOB,
      ),
    );
    assert.ok(
      audit.some((e) => e.action === 'rotation.finish' && e.rotation_id === rotationId && e.note === 'done'),
    );
  });

  it('cancel during the switch-over puts AWS back: old key active, secrets on their old values, new key deleted', async () => {
    const s = scenarios['svc-cancel']!;
    const status = await startRotation('svc-cancel');
    await click('rotation_confirm_places', status);
    const sw = await statusWhen('svc-cancel', /Switch-over/);
    assert.equal((await keysOf('svc-cancel')).length, 2);
    assert.notEqual(await current('svc-cancel/app'), s.originals['svc-cancel/app']);

    await click('rotation_cancel', sw);
    const cancelled = await statusWhen('svc-cancel', /\*Cancelled\.\*/);
    assert.match(text(cancelled.blocks), /never used and was deleted/);
    assert.match(text(cancelled.blocks), /back on its previous version/);
    assert.deepEqual(await keysOf('svc-cancel'), [{ id: s.oldKey.accessKeyId, status: 'Active' }]);
    for (const [name, value] of Object.entries(s.originals)) assert.equal(await current(name), value, name);
    await threadNote(status, /Rotation of `svc-cancel` cancelled/);
  });

  it('a double click (and a Slack retry) on a step applies it once', async () => {
    const status = await startRotation('svc-double');
    h.aws.clear();
    const viewsBefore = h.slack.views(ALICE).length;
    await Promise.all([click('rotation_confirm_places', status), click('rotation_confirm_places', status)]);
    // A Slack retry of the first click: the same button on the same rendering.
    await h.sender.blockActions({
      userId: ALICE,
      actionId: 'rotation_confirm_places',
      channelId: status.channel,
      messageTs: status.ts,
      retryNum: 1,
    });
    const sw = await statusWhen('svc-double', /Switch-over/);
    // Each click opened a window; the ones that did not create the key say so.
    const windows = await h.slack.waitFor(() => {
      const said = h.slack
        .views(ALICE)
        .slice(viewsBefore)
        .filter((v) =>
          /already done|locksmith is on it|working on this rotation|Secret access key/.test(text(v.view)),
        );
      return said.length >= 3 ? said : undefined;
    }, 10_000);
    assert.equal(windows.filter((v) => /Secret access key/.test(text(v.view))).length, 1, 'one reveal');
    assert.equal(h.aws.callsOf('CreateAccessKey').length, 1);
    assert.equal(h.aws.callsOf('PutSecretValue').length, 2);
    assert.equal(await versionCount('svc-double/app'), 2);
    assert.equal((await keysOf('svc-double')).length, 2);

    // Cancel, double-clicked: compensated once.
    h.aws.clear();
    await Promise.all([click('rotation_cancel', sw), click('rotation_cancel', sw)]);
    await statusWhen('svc-double', /\*Cancelled\.\*/);
    assert.equal(h.aws.callsOf('DeleteAccessKey').length, 1);
    assert.equal(h.aws.callsOf('UpdateSecretVersionStage').length, 2);
    assert.equal((await keysOf('svc-double')).length, 1);
  });

  it('with a second, never-used key: deleting it needs an approval and 2ndline is told; then the rotation goes on', async () => {
    const s = scenarios['svc-two']!;
    const unused = s.unusedKey!.accessKeyId;
    await command(ALICE, 'svc-two');
    const status = await statusWhen('svc-two', /rotation_delete_extra/);
    assert.match(text(status.blocks), /has two keys/);
    assert.match(text(status.blocks), new RegExp(`${unused}.*never used`));
    assert.match(text(status.blocks), /rotation_retire/);
    await click('rotation_delete_extra', status);
    const post = await h.slack.waitFor(() =>
      h.slack.channelMessages(SECONDLINE).find((m) => text(m.blocks).includes(unused)),
    );
    assert.match(text(post.blocks), /will \*delete\* the never-used access key/);
    const approval = await approvalFor(unused, /delete an access key/);
    assert.equal((await keysOf('svc-two')).length, 2, 'nothing deleted before approval');
    await click('approval_approve', approval, BOB);
    await statusWhen('svc-two', /rotation_confirm_places/);
    assert.deepEqual(await keysOf('svc-two'), [{ id: s.oldKey.accessKeyId, status: 'Active' }]);
    await threadNote(status, new RegExp(`Deleted the never-used key \`${unused}\``));
  });

  it('a rejected deactivation goes back to waiting; "proceed anyway" asks for its own approval; reactivate undoes the deactivation', async () => {
    const s = scenarios['svc-reject']!;
    const oldId = s.oldKey.accessKeyId;
    const status = await startRotation('svc-reject');
    await click('rotation_confirm_places', status);
    await statusWhen('svc-reject', /Switch-over/);
    const app = JSON.parse(await current('svc-reject/app')) as Record<string, string>;
    await use({ accessKeyId: app.aws_access_key_id!, secretAccessKey: app.aws_secret_access_key! });
    now += 25 * HOUR;
    await h.app.scheduler.tick();
    await acknowledgeSearch('svc-reject');
    const approval = await approvalFor(oldId, /deactivate an access key/);
    assert.match(text(approval.blocks), /Not every place was searched/);

    // bob rejects, with a reason: back to the switch-over, the key untouched.
    await click('approval_reject', approval, BOB);
    const reasonModal = await h.slack.waitFor(() => h.slack.openModalOf(BOB, 'approval_decision_reason'));
    await h.sender.viewSubmission({
      userId: BOB,
      view: {
        id: reasonModal.id,
        callback_id: 'approval_decision_reason',
        state: {
          values: {
            approval_reason: { reason: { type: 'plain_text_input', value: 'not during the freeze' } },
          },
        },
      },
    });
    const back = await statusWhen('svc-reject', /Switch-over/);
    assert.match(text(back.blocks), /rotation_proceed_anyway/);
    assert.equal((await keysOf('svc-reject')).find((k) => k.id === oldId)?.status, 'Active');

    // Proceed anyway: a reason, then an approval of its own (skip the wait), and 2ndline is told.
    await click('rotation_proceed_anyway', back);
    const modal = await h.slack.waitFor(() => h.slack.openModalOf(ALICE, 'rotation_proceed'));
    await h.sender.viewSubmission({
      userId: ALICE,
      view: {
        id: modal.id,
        callback_id: 'rotation_proceed',
        state: {
          values: {
            rotation_proceed_reason: {
              reason: { type: 'plain_text_input', value: 'the old consumer is gone' },
            },
          },
        },
      },
    });
    const skip = await approvalFor(oldId, /skip the switch-over wait/);
    assert.match(text(skip.blocks), /the old consumer is gone/);
    await h.slack.waitFor(() =>
      h.slack
        .channelMessages(SECONDLINE)
        .find((m) => /the switch-over wait is skipped: the old consumer is gone/.test(text(m.blocks))),
    );
    await h.slack.waitFor(() =>
      /Asked for approval/.test(text(h.slack.view(modal.id)?.view)) ? true : undefined,
    );
    await click('approval_approve', skip, BOB);
    const grace = await statusWhen('svc-reject', /is \*inactive\*/);
    assert.equal((await keysOf('svc-reject')).find((k) => k.id === oldId)?.status, 'Inactive');

    // Something broke: reactivate. The key is active again and the wait starts over.
    await click('rotation_reactivate', grace);
    await statusWhen('svc-reject', /Switch-over/);
    assert.equal((await keysOf('svc-reject')).find((k) => k.id === oldId)?.status, 'Active');
    await threadNote(status, /is active again/);
  });

  it('sends an approval request again when it was lost (a crash between saving the step and posting)', async () => {
    const s = scenarios['svc-lost']!;
    const oldId = s.oldKey.accessKeyId;
    const status = await startRotation('svc-lost');
    await click('rotation_confirm_places', status);
    await statusWhen('svc-lost', /Switch-over/);
    const app = JSON.parse(await current('svc-lost/app')) as Record<string, string>;
    await use({ accessKeyId: app.aws_access_key_id!, secretAccessKey: app.aws_secret_access_key! });
    now += 25 * HOUR;
    await h.app.scheduler.tick();
    await acknowledgeSearch('svc-lost');
    const first = await approvalFor(oldId, /deactivate an access key/);
    const approvalId = /"action_id":"approval_approve","value":"([^"]+)"/.exec(text(first.blocks))![1]!;
    // The request as if it had never been saved: the rotation still waits for it.
    assert.ok(await h.deps.store.delete('approval', approvalId));
    now += 2 * 60_000;
    const again = await tickUntil(() =>
      h.slack
        .channelMessages(APPROVALS)
        .find(
          (m) =>
            m.ts !== first.ts && text(m.blocks).includes(oldId) && /approval_approve/.test(text(m.blocks)),
        ),
    );
    assert.ok(text(again.blocks).includes(approvalId), 'the same request id');
    await click('approval_approve', again, BOB);
    await statusWhen('svc-lost', /is \*inactive\*/);
    assert.equal((await keysOf('svc-lost')).find((k) => k.id === oldId)?.status, 'Inactive');
  });

  it('says so when the user has no keys, and keeps nothing running', async () => {
    const { reply } = await command(ALICE, 'svc-nokeys');
    assert.match(reply, /IAM user svc-nokeys has no access keys: nothing to rotate/);
    const status = await statusWhen('svc-nokeys', /Nothing to rotate/);
    assert.doesNotMatch(text(status.blocks), /rotation_cancel/);
  });

  it('reports an IAM denial clearly and stops, changing nothing', async () => {
    h.aws.clear();
    const { reply } = await command('U0CAROL', 'svc-denied');
    assert.match(reply, /IAM did not allow locksmith to list the keys of svc-denied \(role reader\)/);
    const status = await statusWhen('svc-denied', /Cancelled/, 'U0CAROL');
    assert.match(text(status.blocks), /IAM did not allow locksmith/);
    assert.match(text(status.blocks), /Nothing had been changed in AWS yet/);
    assert.deepEqual(await keysOf('svc-denied'), [
      { id: scenarios['svc-denied']!.oldKey.accessKeyId, status: 'Active' },
    ]);
    // Not retried by the scheduler: the rotation is over.
    const calls = () => h.aws.calls.filter((c) => c.params.UserName === 'svc-denied').length;
    const before = calls();
    assert.ok(before > 0);
    now += DAY;
    await h.app.scheduler.tick();
    assert.equal(calls(), before);
  });

  it('answers help, bad input and a missing role without touching AWS', async () => {
    h.aws.clear();
    assert.match((await command(ALICE, 'help')).reply, /rotate-key USER/);
    assert.match((await command(ALICE, 'a b')).reply, /Too many words/);
    assert.match((await command(ALICE, 'svc-happy --role reader')).reply, /can't use the role `reader`/);
    assert.match((await command('U0STRANGER', 'svc-happy')).reply, /no locksmith role/);
    assert.equal(h.aws.calls.length, 0);
  });
});

describe('the one-time reveal of the new key', () => {
  /** Starts a rotation of `user` and confirms every place: the window shows the new pair. */
  async function toReveal(user: string): Promise<{ viewId: string; secret: string }> {
    const status = await startRotation(user);
    await click('rotation_choose_places', status);
    const modal = await h.slack.waitFor(() => h.slack.openModalOf(ALICE, 'rotation_places'));
    const values: Record<string, unknown> = {};
    for (const block of modal.view.blocks as Array<{
      type: string;
      block_id: string;
      element: { options: unknown[] };
    }>) {
      if (block.type === 'input')
        values[block.block_id] = { places: { type: 'checkboxes', selected_options: block.element.options } };
    }
    await h.sender.viewSubmission({
      userId: ALICE,
      view: { id: modal.id, callback_id: 'rotation_places', state: { values } },
    });
    await h.slack.waitFor(
      () => (/Secret access key/.test(text(h.slack.view(modal.id)?.view)) ? true : undefined),
      10_000,
    );
    const app = JSON.parse(await current(`${user}/app`)) as Record<string, string>;
    const secret = app.aws_secret_access_key!;
    assert.ok(h.slack.screenText(ALICE).includes(secret), 'the new secret is on alice’s screen');
    return { viewId: modal.id, secret };
  }

  function hideOf(user: string) {
    return h.auditEvents().findLast((e) => e.action === 'rotation.hide' && e.target === user);
  }

  it('hides itself after reveal.one_time_ttl_seconds: the secret key is on no surface alice sees', async () => {
    const { viewId, secret } = await toReveal('svc-reveal-ttl');
    assert.match(text(h.slack.view(viewId)?.view), /"notify_on_close":true/);
    now += 30_000;
    await h.app.scheduler.tick();
    assert.ok(h.slack.screenText(ALICE).includes(secret), 'still there before its time');
    now += 31_000;
    await h.app.scheduler.tick();
    assert.ok(!h.slack.screenText(ALICE).includes(secret));
    assert.match(text(h.slack.view(viewId)?.view), /locksmith keeps no copy of it/);
    assert.equal((hideOf('svc-reveal-ttl')?.hide as { how: string }).how, 'ttl');
  });

  it('is hidden at shutdown', async () => {
    const { secret } = await toReveal('svc-reveal-stop');
    await h.restart();
    assert.ok(!h.slack.screenText(ALICE).includes(secret));
    assert.equal((hideOf('svc-reveal-stop')?.hide as { how: string }).how, 'shutdown');
  });

  it('is hidden by the next process after a crash (kill -9)', async () => {
    const { secret } = await toReveal('svc-reveal-crash');
    await h.restart({ crash: true });
    assert.ok(h.slack.screenText(ALICE).includes(secret), 'the dead process hid nothing');
    now += 61_000;
    await h.app.scheduler.tick();
    assert.ok(!h.slack.screenText(ALICE).includes(secret));
    assert.equal((hideOf('svc-reveal-crash')?.hide as { how: string }).how, 'restart');
  });
});
