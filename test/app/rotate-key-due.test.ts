/**
 * The keys-due report and the bare /rotate-key modal, end to end over HTTP against the Slack
 * stand-in and moto: `/rotate-key due` (from IAM's credential report), its "Open" button (the
 * user's keys read live) and "Start rotation", the scheduled post (once
 * per due time), and the modal (block_suggestion for the IAM users, then view_submission).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { roleArn } from '../../devkit/aws-seed.js';
import { type Harness, REGION, startHarness } from '../support/app-harness.js';
import { ROTATE_KEYS, usergroups, users } from '../support/fixtures.js';

const ALICE = 'U0ALICE';
const REPORTS = 'C0REPORTS';
const DAY = 24 * 60 * 60 * 1000;

let now = Date.now();
const clock = { now: () => now };
let h: Harness;
const keyIds: Record<string, string> = {};

const text = (v: unknown) => JSON.stringify(v ?? null);

before(async () => {
  h = await startHarness({
    config: {
      roles: { rotator: roleArn('locksmith-rotator') },
      people: { [ALICE]: ['rotator'] },
      rotation: {
        notify_channel: 'C0SECONDLINE',
        background_role: 'rotator',
        approvals: {
          require_for_delete_extra: false,
          require_for_deactivate: false,
          require_for_delete: false,
        },
        due_report: { channel: REPORTS, schedule: 'mon 09:00' },
      },
    },
    seed: { roles: [{ name: 'locksmith-rotator', policy: ROTATE_KEYS }], bot: {} },
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
  for (const user of ['svc-aged', 'svc-pair', 'svc-picked']) {
    await iam.send(new CreateUserCommand({ UserName: user }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey!;
    keyIds[user] = key.AccessKeyId!;
    const sts = new STSClient({
      region: REGION,
      endpoint: h.moto.url,
      credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! },
    });
    await sts.send(new GetCallerIdentityCommand({}));
    sts.destroy();
  }
  await iam.send(new CreateAccessKeyCommand({ UserName: 'svc-pair' })); // never used
  iam.destroy();
  // svc-picked's key sits in a secret nobody tagged, among others that hold none.
  const sm = new SecretsManagerClient(admin);
  await sm.send(
    new CreateSecretCommand({
      Name: 'ci/picked',
      SecretString: JSON.stringify({
        aws_access_key_id: keyIds['svc-picked'],
        aws_secret_access_key: 'x'.repeat(40),
      }),
    }),
  );
  for (let i = 0; i < 25; i++)
    await sm.send(new CreateSecretCommand({ Name: `other/${i}`, SecretString: `v${i}` }));
  sm.destroy();
  // The keys look 100 days old to the bot.
  now = Date.now() + 100 * DAY;
});

after(async () => {
  await h?.stop();
});

async function command(commandText: string) {
  const sent = await h.sender.slashCommand({ userId: ALICE, command: '/rotate-key', text: commandText });
  assert.equal(sent.status, 200);
  return sent;
}

async function replyTo(sent: { responseUrl: string }) {
  const post = await h.slack.waitFor(
    () => h.slack.responseUrlPosts.find((p) => p.url === sent.responseUrl),
    20_000,
  );
  return post.body as { text: string; blocks: Array<Record<string, unknown>> };
}

function statusOf(iamUser: string) {
  return h.slack
    .channelMessages(h.slack.dmChannelFor(ALICE))
    .find(
      (m) => m.threadTs === undefined && text(m.blocks).includes(`Rotating the access key of ${iamUser}`),
    );
}

describe('/rotate-key due', () => {
  it('reports the keys due from IAM’s credential report, with its age, each line with an Open button', async () => {
    h.aws.clear();
    const reply = await replyTo(await command('due'));
    const shown = text(reply.blocks);
    assert.match(shown, /Keys due: role rotator/);
    assert.match(
      shown,
      /From IAM's credential report as of (\d{4}-\d\d-\d\d )?\d\d:\d\d UTC; IAM makes a new one at most every 4 hours/,
    );
    assert.match(shown, /Keys older than 90 days\* \(\d\)/);
    assert.match(shown, /`svc-aged` · access key 1, 100 days old, last used/);
    assert.match(shown, /Users with two keys\* \(1\)/);
    assert.match(shown, /Keys never used, older than 7 days\* \(1\)/);
    assert.match(shown, /rotation_due_open:0/);
    assert.ok(reply.blocks.length <= 50);
    // No call per user: the report only.
    assert.deepEqual(
      [...new Set(h.aws.calls.filter((c) => c.service === 'iam').map((c) => c.operation))].sort(),
      ['GenerateCredentialReport', 'GetCredentialReport'],
    );
  });

  async function click(blocks: Array<Record<string, unknown>>, match: (block: string) => boolean) {
    const line = blocks.find((b) => match(text(b)));
    const accessory = (line as { accessory: { action_id: string; value: string } }).accessory;
    const res = await h.sender.blockActions({
      userId: ALICE,
      actionId: accessory.action_id,
      value: accessory.value,
      channelId: h.slack.dmChannelFor(ALICE),
      message: { ts: '1700000000.000100', blocks },
    });
    assert.equal(res.status, 200);
    const answer = await h.slack.waitFor(
      () => h.slack.responseUrlPosts.find((p) => p.url === res.responseUrl && p.status === 200),
      20_000,
    );
    return answer.body as { text: string; blocks: Array<Record<string, unknown>> };
  }

  it('Open reads that user’s keys live; Start rotation starts it as /rotate-key USER --role R does', async () => {
    const reply = await replyTo(await command('due --role rotator'));
    h.aws.clear();
    const opened = await click(
      reply.blocks,
      (b) => b.includes('`svc-aged`') && b.includes('rotation_due_open'),
    );
    assert.match(text(opened), /"replace_original":false/);
    assert.match(text(opened.blocks), /`svc-aged`\*: keys read from IAM at/);
    assert.match(
      text(opened.blocks),
      /`AKIA[A-Z0-9]{16}` · Active · created .* \(100 days old\) · last used/,
    );
    assert.deepEqual(
      h.aws.calls.filter((c) => c.service === 'iam').map((c) => c.operation),
      ['ListAccessKeys', 'GetAccessKeyLastUsed'],
      'one user read, live',
    );
    const started = await click(opened.blocks, (b) => b.includes('rotation_due_start'));
    assert.match(text(started), /Started the rotation of `svc-aged` under role `rotator`/);
    assert.match(text(started), /"replace_original":false/);
    await h.slack.waitFor(() => statusOf('svc-aged'), 10_000);
  });

  it('Where it lives… keeps places outside AWS and a note for the user; the report and Open show them', async () => {
    const reply = await replyTo(await command('due --role rotator'));
    const opened = await click(
      reply.blocks,
      (b) => b.includes('`svc-pair`') && b.includes('rotation_due_open'),
    );
    assert.match(text(opened.blocks), /No record yet of where this key lives/);
    const edit = (opened.blocks as Array<{ accessory?: { action_id: string; value: string } }>).find((b) =>
      b.accessory?.action_id.startsWith('rotation_edit_home'),
    )!.accessory!;
    await h.sender.blockActions({
      userId: ALICE,
      actionId: edit.action_id,
      value: edit.value,
      channelId: h.slack.dmChannelFor(ALICE),
      message: { ts: '1700000000.000200', blocks: opened.blocks },
    });
    const modal = await h.slack.waitFor(() => h.slack.openModalOf(ALICE, 'rotation_home'), 10_000);
    const saved = await h.sender.viewSubmission({
      userId: ALICE,
      view: {
        id: modal.id,
        callback_id: 'rotation_home',
        private_metadata: (modal.view as { private_metadata: string }).private_metadata,
        state: {
          values: {
            rotation_home_places: {
              value: { type: 'plain_text_input', value: 'Fastly https://manage.fastly.example\nLogit' },
            },
            rotation_home_note: { value: { type: 'plain_text_input', value: 'rotated with the CDN team' } },
          },
        },
      },
    });
    assert.match(
      text(saved.json),
      /Saved where the key of `svc-pair` lives: 2 places outside AWS and a note/,
    );
    const event = h.auditEvents().find((e) => e.note === 'key home edited');
    assert.equal(event?.target, 'svc-pair');

    const again = await replyTo(await command('due --role rotator'));
    assert.match(text(again.blocks), /`svc-pair` · .* · lives in Fastly, Logit/);
    const reopened = await click(
      again.blocks,
      (b) => b.includes('`svc-pair`') && b.includes('rotation_due_open'),
    );
    assert.match(
      text(reopened.blocks),
      /Where the key lives.*Fastly.*manage.fastly.example.*Logit.*rotated with the CDN team/,
    );
  });

  it('/rotate-key index reads every secret once, 20 a call, after a warning, and tags each that holds a key', async () => {
    h.aws.clear();
    const prompt = await replyTo(await command('index'));
    assert.match(text(prompt.blocks), /credential-harvesting alerts/);
    assert.equal(
      h.aws.calls.filter((c) => c.service === 'secretsmanager').length,
      0,
      'nothing read before the click',
    );
    h.aws.clear();
    const indexed = await click(prompt.blocks, (b) => b.includes('rotation_index_start'));
    assert.match(text(indexed), /"replace_original":true/);
    const result = await h.slack.waitFor(() => {
      const post = h.slack.responseUrlPosts.filter((p) => /Indexed/.test(text(p.body))).at(-1);
      return post ? text(post.body) : undefined;
    }, 20_000);
    assert.match(result, /read 26 of 26 secrets/);
    assert.match(result, /1 hold an access key id: 1 tagged now/);
    assert.equal(h.aws.callsOf('BatchGetSecretValue').length, 2, '⌈26 / 20⌉ calls');
    assert.equal(h.aws.callsOf('GetSecretValue').length, 0);
    assert.deepEqual(
      h.aws.callsOf('TagResource').map((c) => c.params.Tags),
      [[{ Key: 'locksmith:access-key-id', Value: keyIds['svc-picked'] }]],
    );
    assert.ok(h.auditEvents().some((e) => e.note === 'index' && e.outcome === 'ok' && e.count === 1));
  });

  it('posts the scheduled report once per due time, under the background role', async () => {
    // The schedule began when the app started (real time); the bot's clock has moved on since,
    // so a due time may already have been posted: count from here.
    await h.app.scheduler.tick();
    await h.app.scheduler.tick();
    const before = h.slack.channelMessages(REPORTS).length;
    assert.ok(before <= 1);
    now += 8 * DAY; // a Monday 09:00 UTC has passed
    await h.app.scheduler.tick();
    const post = await h.slack.waitFor(() => h.slack.channelMessages(REPORTS)[before], 20_000);
    assert.match(text(post.blocks), /Keys due: role rotator/);
    assert.match(text(post.blocks), /posted every Monday at 09:00 UTC/);
    assert.match(text(post.blocks), /Rotations in progress\* \(1\)/);
    await h.app.scheduler.tick();
    await h.app.scheduler.tick();
    assert.equal(h.slack.channelMessages(REPORTS).length, before + 1, 'once per due time');
  });
});

describe('bare /rotate-key', () => {
  it('opens a modal: role, then a searchable IAM user; submitting starts the rotation', async () => {
    const sent = await command('');
    const modal = await h.slack.waitFor(() => h.slack.openModalOf(ALICE, 'rotation_pick_user'), 10_000);
    assert.match(text(modal.view), /static_select.*rotator/);
    const state = {
      values: {
        rotation_pick_role: {
          role: {
            type: 'static_select',
            selected_option: { text: { type: 'plain_text', text: 'rotator' }, value: 'rotator' },
          },
        },
      },
    };
    const all = await h.sender.blockSuggestion({
      userId: ALICE,
      actionId: 'rotation_pick_user_select',
      value: '',
      view: { id: modal.id, state },
    });
    assert.equal(all.status, 200);
    assert.ok(all.options.some((o) => o.value === 'svc-picked'));
    const found = await h.sender.blockSuggestion({
      userId: ALICE,
      actionId: 'rotation_pick_user_select',
      value: 'PICK',
      view: { id: modal.id, state },
    });
    assert.deepEqual(
      found.options.map((o) => o.value),
      ['svc-picked'],
    );

    const submitted = await h.sender.viewSubmission({
      userId: ALICE,
      view: {
        id: modal.id,
        callback_id: 'rotation_pick_user',
        state: {
          values: {
            ...state.values,
            rotation_pick_user_block: {
              rotation_pick_user_select: {
                type: 'external_select',
                selected_option: { text: { type: 'plain_text', text: 'svc-picked' }, value: 'svc-picked' },
              },
            },
          },
        },
      },
    });
    assert.equal(submitted.status, 200);
    await h.slack.waitFor(() => statusOf('svc-picked'), 20_000);
    // No reply to the command itself: the modal was the answer.
    assert.equal(h.slack.responseUrlPosts.filter((p) => p.url === sent.responseUrl).length, 0);
  });

  it('an empty choice is refused in the modal', async () => {
    await command('');
    const modal = await h.slack.waitFor(() => h.slack.openModalOf(ALICE, 'rotation_pick_user'), 10_000);
    const submitted = await h.sender.viewSubmission({
      userId: ALICE,
      view: { id: modal.id, callback_id: 'rotation_pick_user', state: { values: {} } },
    });
    assert.match(text(submitted.json), /Choose an IAM user/);
  });
});
