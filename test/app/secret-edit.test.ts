/**
 * /secret edit end to end over HTTP, against the Slack stand-in and moto with IAM enforced:
 * the form, the new version, Undo, repeats, validation, guarded edits, and where new values
 * must never go.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { StandinView } from '../../devkit/standin-types.js';
import { type Harness, REGION, startHarness } from '../support/app-harness.js';
import { shownIn, viewsSentTo } from '../support/windows.js';
import {
  CANARY_NEW_FIELD,
  CANARY_NEW_PASSWORD,
  CANARY_NEW_PLAIN,
  CANARY_PASSWORD,
  CANARY_SEED,
  editConfig,
  editSeed,
  usergroups,
  users,
} from '../support/fixtures.js';

const APPROVALS = 'C0APPROVALS';
const CANARY_NEW_SEED = 'NEWSEEDCANARYQQQQ2222QQQQ3333QQQ';
const CANARY_RETRY = 'CANARY-retry-61e0f2aa';
const CANARY_GUARDED = 'CANARY-guarded-3b9d07c4';
const NEW_VALUES = [
  CANARY_NEW_PASSWORD,
  CANARY_NEW_FIELD,
  CANARY_NEW_PLAIN,
  CANARY_NEW_SEED,
  CANARY_RETRY,
  CANARY_GUARDED,
];

let h: Harness;
let sm: SecretsManagerClient;

before(async () => {
  h = await startHarness({
    config: {
      ...editConfig,
      reveal: { ttl_seconds: 60 },
      approvals: {
        channel: APPROVALS,
        approvers: { people: ['U0BOB'] },
        guarded_edits: ['prod/*'],
      },
    },
    seed: {
      ...editSeed,
      secrets: [
        ...(editSeed.secrets ?? []),
        { name: 'edit/big', value: { blob: 'x'.repeat(63_000) } },
        // Each Undo test has its own secret: after UpdateSecretVersionStage, moto (unlike AWS)
        // demotes the wrong version on the next PutSecretValue, leaving two AWSCURRENT labels.
        { name: 'edit/undo', value: { username: 'app', password: CANARY_PASSWORD } },
        { name: 'edit/undo-other', value: { username: 'app', password: CANARY_PASSWORD } },
      ],
    },
    users: [...users, { id: 'U0DAVE', name: 'dave', email: 'dave@example.com' }],
    usergroups,
    enforceIam: true,
  });
  // The tests' own view of AWS: straight to moto, under the editor role, not through the bot.
  const sts = new STSClient({ region: REGION, endpoint: h.moto.url, credentials: h.seeded.botCredentials! });
  const assumed = await sts.send(
    new AssumeRoleCommand({
      RoleArn: h.seeded.roleArns['locksmith-editor']!,
      RoleSessionName: 'test-checker',
    }),
  );
  sts.destroy();
  const c = assumed.Credentials!;
  sm = new SecretsManagerClient({
    region: REGION,
    endpoint: h.moto.url,
    credentials: {
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken!,
    },
  });
});
after(async () => {
  sm?.destroy();
  await h?.stop();
});

async function awsState(name: string) {
  const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
  const stages = described.VersionIdsToStages ?? {};
  const current = Object.keys(stages).find((id) => stages[id]!.includes('AWSCURRENT'));
  const previous = Object.keys(stages).find((id) => stages[id]!.includes('AWSPREVIOUS'));
  // The stage is named because moto, unlike AWS, keeps serving the last written version by
  // default after UpdateSecretVersionStage.
  const value = (await sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSCURRENT' })))
    .SecretString;
  const listed = await sm.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
  return { current: current!, previous, value: value!, versions: listed.Versions?.length ?? 0 };
}

function inputBlocks(view: StandinView) {
  return (view.view.blocks as Array<{ type: string; block_id: string; label?: { text: string } }>).filter(
    (b) => b.type === 'input',
  );
}

/** Waits for a new edit form for `userId` (one not seen before `known`). */
async function newEditForm(userId: string, known: Set<string>): Promise<StandinView> {
  return h.slack.waitFor(() =>
    h.slack.views(userId).find((v) => !known.has(v.id) && v.callbackId === 'secret_edit'),
  );
}

function viewIds(userId: string): Set<string> {
  return new Set(h.slack.views(userId).map((v) => v.id));
}

/** `/secret edit …` and the form it opens. */
async function openEdit(userId: string, text: string) {
  const known = viewIds(userId);
  const sent = await h.sender.slashCommand({ userId, command: '/secret', text: `edit ${text}` });
  assert.equal(sent.status, 200);
  const form = await newEditForm(userId, known);
  return { sent, form };
}

/** Submits the form with the given new values by field label; `add` fills the new-field pair. */
async function submit(
  userId: string,
  form: StandinView,
  values: Record<string, string>,
  add?: { name: string; value: string },
  privateMetadata?: string,
) {
  const state: Record<string, unknown> = {};
  for (const b of inputBlocks(form)) {
    const label = b.label?.text.replace(/ \(2FA seed\)$/, '') ?? '';
    const value =
      b.block_id === 'secret_edit_new_name'
        ? (add?.name ?? null)
        : b.block_id === 'secret_edit_new_value'
          ? (add?.value ?? null)
          : (values[label] ?? null);
    const actionId = b.block_id === 'secret_edit_new_name' ? 'name' : 'value';
    state[b.block_id] = { [actionId]: { type: 'plain_text_input', value } };
  }
  const res = await h.sender.viewSubmission({
    userId,
    view: {
      id: form.id,
      callback_id: 'secret_edit',
      state: { values: state },
      ...(privateMetadata !== undefined ? { private_metadata: privateMetadata } : {}),
    },
  });
  assert.equal(res.status, 200);
  return res;
}

/**
 * The form's window once it shows `pattern`: the confirmation (or refusal) goes into the same
 * window the form was in, not into a message.
 */
async function confirmationIn(form: StandinView, pattern: RegExp, nth = 1) {
  return h.slack.waitFor(() => {
    const sent = viewsSentTo(h.slack, form.id).filter((v) => pattern.test(JSON.stringify(v)));
    const current = h.slack.view(form.id);
    return sent.length >= nth && current
      ? { ...current, blocks: sent[nth - 1]!['blocks'] as unknown[] }
      : undefined;
  });
}

function undoValueOf(message: { blocks?: unknown[] }): string {
  const m = /"action_id":"secret_edit_undo","value":"((?:[^"\\]|\\.)*)"/.exec(JSON.stringify(message.blocks));
  assert.ok(m, 'the confirmation has an Undo button');
  return JSON.parse(`"${m[1]!}"`) as string;
}

/** alice changes a secret's password (edit/app's by default), maybe adds a field; what she saw. */
async function editApp(
  password = CANARY_NEW_PASSWORD,
  add?: { name: string; value: string },
  name = 'edit/app',
) {
  const before = await awsState(name);
  const { sent, form } = await openEdit('U0ALICE', name);
  const res = await submit('U0ALICE', form, { password }, add);
  assert.equal(
    (res.json as { response_action?: string }).response_action,
    'update',
    'the form gives way to "Saving…" in the same window',
  );
  const confirmation = await confirmationIn(form, /Saved a new version/);
  return { before, sent, form, confirmation };
}

describe('/secret edit: the form', () => {
  it('names every field, shows no value, and reads under the person role', async () => {
    h.aws.clear();
    const { form } = await openEdit('U0ALICE', 'edit/app');
    const labels = inputBlocks(form).map((b) => b.label?.text);
    assert.deepEqual(labels, ['username', 'password', 'port', 'New field name', 'New field value']);
    const json = JSON.stringify(form.view);
    assert.match(json, /leave empty to keep/);
    assert.match(json, /Editing `edit\/app` as role `editor`/);
    assert.ok(!json.includes(CANARY_PASSWORD), 'no current value in the form');
    assert.ok(!/initial_value/.test(json), 'no input is pre-filled');
    const [read] = h.aws.callsOf('GetSecretValue');
    assert.ok(read);
    assert.notEqual(read.accessKeyId, h.seeded.botCredentials!.accessKeyId);
    assert.equal(h.aws.callsOf('PutSecretValue').length, 0, 'opening the form writes nothing');
    // The read is audited though nothing was shown (issue 14, item 8).
    const audited = h.auditEvents().findLast((e) => e.action === 'secret.read' && e.target === 'edit/app');
    assert.equal(audited?.outcome, 'ok');
    assert.match(String(audited?.note), /edit form/);
    assert.equal((audited?.person as { email?: string }).email, 'alice@example.com');
  });

  it('names a 2FA seed without showing it, and lets it be replaced', async () => {
    const { sent, form } = await openEdit('U0ALICE', 'edit/seeded');
    const json = JSON.stringify(form.view);
    assert.match(json, /2fa-seed \(2FA seed\)/);
    assert.match(json, /never shown/);
    assert.ok(!json.includes(CANARY_SEED));
    await submit('U0ALICE', form, { '2fa-seed': CANARY_NEW_SEED });
    await confirmationIn(form, /Saved a new version of `edit\/seeded`/);
    assert.equal(h.slack.responseUrlPosts.filter((p) => p.url === sent.responseUrl).length, 0, 'no message');
    assert.deepEqual(JSON.parse((await awsState('edit/seeded')).value), {
      user: 'ops',
      '2fa-seed': CANARY_NEW_SEED,
    });
  });

  it('treats a plain-string secret as one value, with no fields to add', async () => {
    const { form } = await openEdit('U0ALICE', 'edit/plain');
    assert.deepEqual(
      inputBlocks(form).map((b) => b.label?.text),
      ['value'],
    );
    await submit('U0ALICE', form, { value: CANARY_NEW_PLAIN });
    await confirmationIn(form, /Saved a new version of `edit\/plain`/);
    assert.equal((await awsState('edit/plain')).value, CANARY_NEW_PLAIN);
  });

  it('refuses JSON arrays and binary secrets clearly', async () => {
    for (const [name, expected] of [
      ['edit/array', /holds a JSON array/],
      ['2ndline/binary', /binary value, which locksmith cannot edit/],
    ] as const) {
      const known = viewIds('U0ALICE');
      await h.sender.slashCommand({ userId: 'U0ALICE', command: '/secret', text: `edit ${name}` });
      const shown = await h.slack.waitFor(() =>
        h.slack.views('U0ALICE').find((v) => !known.has(v.id) && expected.test(JSON.stringify(v.view))),
      );
      assert.notEqual(shown.callbackId, 'secret_edit', 'no form to submit');
    }
  });

  it('refuses a person with no role before any AWS call, without opening a form', async () => {
    h.aws.clear();
    const known = viewIds('U0STRANGER');
    const sent = await h.sender.slashCommand({
      userId: 'U0STRANGER',
      command: '/secret',
      text: 'edit edit/app',
    });
    const reply = await h.slack.waitFor(() =>
      h.slack.responseUrlPosts.find((p) => p.url === sent.responseUrl),
    );
    assert.match(JSON.stringify(reply.body), /no locksmith role yet/);
    assert.equal(h.aws.calls.length, 0);
    assert.equal(h.slack.views('U0STRANGER').filter((v) => !known.has(v.id)).length, 0, 'no modal opened');
  });

  it('answers /secret edit without a name with the usage', async () => {
    const sent = await h.sender.slashCommand({ userId: 'U0ALICE', command: '/secret', text: 'edit' });
    const reply = await h.slack.waitFor(() =>
      h.slack.responseUrlPosts.find((p) => p.url === sent.responseUrl),
    );
    assert.match(JSON.stringify(reply.body), /\/secret edit NAME/);
  });
});

describe('/secret edit: saving', () => {
  it('writes a new AWSCURRENT version with the merged JSON: typed fields change, empty ones keep, added ones appear', async () => {
    h.aws.clear();
    const { before, confirmation } = await editApp(CANARY_NEW_PASSWORD, {
      name: 'api_key',
      value: CANARY_NEW_FIELD,
    });
    const after = await awsState('edit/app');
    assert.notEqual(after.current, before.current);
    assert.equal(after.previous, before.current, 'the old version is AWSPREVIOUS');
    assert.equal(after.versions, before.versions + 1);
    assert.deepEqual(JSON.parse(after.value), {
      username: 'app',
      password: CANARY_NEW_PASSWORD,
      port: 5432,
      api_key: CANARY_NEW_FIELD,
    });
    const text = JSON.stringify(confirmation.blocks);
    assert.match(text, new RegExp(`version \`${after.current}\` is now current`));
    assert.match(text, /\*Changed:\* `password`/);
    assert.match(text, /\*Added:\* `api_key`/);
    assert.ok(!text.includes(CANARY_NEW_PASSWORD) && !text.includes(CANARY_NEW_FIELD));

    const [put] = h.aws.callsOf('PutSecretValue');
    assert.ok(put);
    assert.notEqual(
      put.accessKeyId,
      h.seeded.botCredentials!.accessKeyId,
      'written under the person session',
    );
    assert.equal(put.params.ClientRequestToken, after.current);

    const event = h.auditEvents().findLast((e) => e.action === 'secret.edit' && e.outcome === 'ok');
    assert.ok(event);
    assert.equal(event.target, 'edit/app');
    assert.equal(event.version_id, after.current);
    assert.deepEqual(event.fields, ['password', 'api_key']);
    assert.equal((event.person as { slack_id: string }).slack_id, 'U0ALICE');
    assert.equal((event.role as { name: string }).name, 'editor');
  });

  it('makes one version for a submission sent twice', async () => {
    const { form } = await openEdit('U0ALICE', 'edit/app');
    const before = await awsState('edit/app');
    h.aws.clear();
    await submit('U0ALICE', form, { username: CANARY_RETRY });
    await confirmationIn(form, /Saved a new version/);
    const once = await awsState('edit/app');
    // Slack's retry of the same submission: the form's own metadata and values again.
    await submit('U0ALICE', form, { username: CANARY_RETRY }, undefined, form.privateMetadata);
    await confirmationIn(form, /Saved a new version/, 2);
    const twice = await awsState('edit/app');
    assert.equal(once.versions, before.versions + 1);
    assert.equal(twice.versions, once.versions, 'the repeat made no second version');
    assert.equal(twice.current, once.current);
    assert.equal(JSON.parse(twice.value).username, CANARY_RETRY);
    const tokens = h.aws.callsOf('PutSecretValue').map((c) => c.params.ClientRequestToken);
    assert.equal(tokens.length, 2);
    assert.equal(tokens[0], tokens[1], 'both carried the token derived from the form');
  });

  it('keeps the form open with errors when nothing changed or a new field name is taken', async () => {
    const { form } = await openEdit('U0ALICE', 'edit/app');
    h.aws.clear();
    const empty = await submit('U0ALICE', form, {});
    const emptyAck = empty.json as { response_action: string; errors: Record<string, string> };
    assert.equal(emptyAck.response_action, 'errors');
    assert.match(Object.values(emptyAck.errors).join(' '), /Nothing to save/);

    const taken = await submit('U0ALICE', form, {}, { name: 'username', value: 'x' });
    const takenAck = taken.json as { response_action: string; errors: Record<string, string> };
    assert.equal(takenAck.response_action, 'errors');
    assert.match(takenAck.errors.secret_edit_new_name ?? '', /already a field named "username"/);

    const nameless = await submit('U0ALICE', form, {}, { name: '', value: 'x' });
    assert.match(JSON.stringify(nameless.json), /Name the new field/);
    assert.equal(h.aws.callsOf('PutSecretValue').length, 0, 'nothing was written');
    assert.equal(h.slack.openModalOf('U0ALICE', 'secret_edit')?.id, form.id, 'the form is still open');
  });

  it('refuses a version larger than Secrets Manager takes', async () => {
    const { form } = await openEdit('U0ALICE', 'edit/big');
    const before = await awsState('edit/big');
    const res = await submit('U0ALICE', form, {}, { name: 'more', value: 'y'.repeat(3000) });
    assert.match(JSON.stringify(res.json), /would be \d+ bytes; Secrets Manager takes at most 65536/);
    assert.equal((await awsState('edit/big')).versions, before.versions);
  });

  it('refuses to overwrite a change someone else saved after the form opened', async () => {
    const { form } = await openEdit('U0ALICE', 'edit/plain');
    await sm.send(new PutSecretValueCommand({ SecretId: 'edit/plain', SecretString: 'changed-elsewhere' }));
    const res = await submit('U0ALICE', form, { value: 'mine' });
    assert.match(JSON.stringify(res.json), /was changed by someone else after this form opened/);
    assert.equal((await awsState('edit/plain')).value, 'changed-elsewhere');
  });

  it('tells a person whose role may read but not write, and writes nothing', async () => {
    const before = await awsState('edit/app');
    const { form } = await openEdit('U0ALICE', 'edit/app --role 2ndline');
    assert.match(JSON.stringify(form.view), /as role `2ndline`/);
    await submit('U0ALICE', form, { password: 'nope' });
    const reply = await confirmationIn(form, /not allowed to change/);
    assert.match(JSON.stringify(reply.blocks), /PutSecretValue/);
    assert.equal((await awsState('edit/app')).versions, before.versions);
    const event = h.auditEvents().findLast((e) => e.action === 'secret.edit');
    assert.equal(event?.outcome, 'denied');
  });
});

describe('/secret edit: Undo', () => {
  it('moves AWSCURRENT back to the version before, in place; a second click is harmless', async () => {
    const { before, confirmation, form } = await editApp('undo-me', undefined, 'edit/undo');
    const edited = await awsState('edit/undo');
    h.aws.clear();
    const value = undoValueOf(confirmation);
    assert.ok(!value.includes('undo-me'), 'the button holds no value');
    const res = await h.sender.blockActions({
      userId: 'U0ALICE',
      actionId: 'secret_edit_undo',
      view: { id: form.id },
    });
    assert.equal(res.status, 200);
    const replaced = await confirmationIn(form, /Undone/);
    assert.doesNotMatch(JSON.stringify(replaced.blocks), /secret_edit_undo/, 'the Undo button is gone');
    const undone = await awsState('edit/undo');
    assert.equal(undone.current, before.current);
    assert.equal(undone.previous, edited.current);
    assert.equal(undone.value, before.value);
    const [stage] = h.aws.callsOf('UpdateSecretVersionStage');
    assert.ok(stage);
    assert.notEqual(stage.accessKeyId, h.seeded.botCredentials!.accessKeyId);
    assert.equal(stage.params.MoveToVersionId, before.current);
    assert.equal(stage.params.RemoveFromVersionId, edited.current);

    // A second click (a Slack retry of the first one) finds it undone already.
    await h.sender.blockActions({
      userId: 'U0ALICE',
      actionId: 'secret_edit_undo',
      view: { id: form.id },
      value,
    });
    await confirmationIn(form, /already back at version/);
    assert.equal(h.aws.callsOf('UpdateSecretVersionStage').length, 1, 'no second move');
    assert.equal((await awsState('edit/undo')).current, before.current);
    const events = h.auditEvents().filter((e) => e.action === 'secret.undo' && e.outcome === 'ok');
    assert.ok(events.some((e) => e.note === 'already undone'));
  });

  it('only the person who edited can undo', async () => {
    const { confirmation, form } = await editApp('bob-cannot-undo', undefined, 'edit/undo-other');
    const edited = await awsState('edit/undo-other');
    h.aws.clear();
    // Bob cannot see alice's window; a payload made to look like a click there is refused.
    await h.sender.blockActions({
      userId: 'U0BOB',
      actionId: 'secret_edit_undo',
      view: { id: form.id },
      value: undoValueOf(confirmation),
    });
    const reply = await h.slack.waitFor(() =>
      h.slack
        .channelMessages(h.slack.dmChannelFor('U0BOB'))
        .find((m) => /Only the person who made this edit can undo it/.test(JSON.stringify(m.blocks))),
    );
    assert.ok(reply, 'bob is told, on his own');
    assert.equal(h.aws.calls.length, 0, 'no AWS call for the refused click');
    assert.equal((await awsState('edit/undo-other')).current, edited.current);
    const kept = h.slack.view(form.id);
    assert.match(JSON.stringify(kept?.view), /secret_edit_undo/, "alice's confirmation is untouched");
    const event = h.auditEvents().findLast((e) => e.action === 'secret.undo');
    assert.equal(event?.outcome, 'refused');
  });
});

describe('the reveal Edit button', () => {
  it('opens the same form on top of the reveal window, under the role the secret was read with', async () => {
    const sent = await h.sender.slashCommand({ userId: 'U0ALICE', command: '/secret', text: 'get edit/app' });
    const reveal = await shownIn(h.slack, sent.triggerId);
    assert.match(reveal.json, /"text":"Hide now".*"text":"Edit"/);
    const known = viewIds('U0ALICE');
    await h.sender.blockActions({
      userId: 'U0ALICE',
      actionId: 'secret_edit_open',
      view: { id: reveal.viewId },
    });
    const form = await newEditForm('U0ALICE', known);
    assert.equal(form.previousViewId, reveal.viewId, 'pushed onto the reveal window');
    assert.match(JSON.stringify(form.view), /Editing `edit\/app` as role `editor`/);
    await submit('U0ALICE', form, { username: 'from-reveal' });
    await confirmationIn(form, /Saved a new version of `edit\/app`/);
    assert.equal(JSON.parse((await awsState('edit/app')).value).username, 'from-reveal');
    // Nothing typed is on screen, and the reveal below still hides on its own schedule.
    assert.ok(!h.slack.screenText('U0ALICE').includes('from-reveal'));
  });
});

describe('guarded edits', () => {
  it('go request → approval → DM Edit button → form → new version', async () => {
    const before = await awsState('prod/db');
    h.aws.clear();
    const sent = await h.sender.slashCommand({ userId: 'U0ALICE', command: '/secret', text: 'edit prod/db' });
    const reason = await h.slack.waitFor(() => h.slack.openModalOf('U0ALICE', 'approval_request_reason'));
    assert.equal(h.aws.calls.length, 0, 'nothing read before approval');
    const posted = h.slack.channelMessages(APPROVALS).length;
    await h.sender.viewSubmission({
      userId: 'U0ALICE',
      view: {
        id: reason.id,
        callback_id: 'approval_request_reason',
        state: {
          values: {
            approval_reason: { reason: { type: 'plain_text_input', value: 'rotate the DB password' } },
          },
        },
      },
    });
    const request = await h.slack.waitFor(() => h.slack.channelMessages(APPROVALS)[posted]);
    assert.match(JSON.stringify(request.blocks), /edit a guarded secret/);
    await h.slack.waitFor(() => h.slack.responseUrlPosts.find((p) => p.url === sent.responseUrl));
    await h.sender.blockActions({
      userId: 'U0BOB',
      actionId: 'approval_approve',
      channelId: APPROVALS,
      messageTs: request.ts,
    });
    const dmChannel = h.slack.dmChannelFor('U0ALICE');
    const dm = await h.slack.waitFor(() =>
      h.slack
        .channelMessages(dmChannel)
        .find(
          (m) =>
            /approval_use_grant/.test(JSON.stringify(m.blocks)) && /prod\/db/.test(JSON.stringify(m.blocks)),
        ),
    );
    assert.match(JSON.stringify(dm.blocks), /"text":"Edit"/);
    const known = viewIds('U0ALICE');
    await h.sender.blockActions({
      userId: 'U0ALICE',
      actionId: 'approval_use_grant',
      channelId: dm.channel,
      messageTs: dm.ts,
    });
    const form = await newEditForm('U0ALICE', known);
    assert.match(JSON.stringify(form.view), /approved by <@U0BOB>/);
    assert.ok(!JSON.stringify(form.view).includes(CANARY_PASSWORD));
    await submit('U0ALICE', form, { password: CANARY_GUARDED });
    await confirmationIn(form, /Saved a new version of `prod\/db`/);
    const after = await awsState('prod/db');
    assert.equal(after.versions, before.versions + 1);
    assert.deepEqual(JSON.parse(after.value), { password: CANARY_GUARDED });
    const [put] = h.aws.callsOf('PutSecretValue');
    assert.notEqual(put?.accessKeyId, h.seeded.botCredentials!.accessKeyId);
    const event = h.auditEvents().findLast((e) => e.action === 'secret.edit' && e.target === 'prod/db');
    assert.equal(event?.outcome, 'ok');
    assert.equal(typeof event?.approval_id, 'string');
  });

  it('are refused without an approval, even by a form made to look like one', async () => {
    const before = await awsState('prod/db');
    const { form } = await openEdit('U0ALICE', 'edit/plain');
    h.aws.clear();
    const forged = JSON.stringify({ s: 'prod/db', r: 'editor', b: before.current, p: 'U0ALICE' });
    const res = await submit('U0ALICE', form, { value: 'sneaky' }, undefined, forged);
    assert.match(JSON.stringify(res.json), /guarded: it can only be edited after an approval/);
    assert.equal(h.aws.callsOf('PutSecretValue').length, 0);
    assert.equal((await awsState('prod/db')).versions, before.versions);
  });
});

describe('leak check', () => {
  it('new values reach no log line, store file, audit event or Slack call', () => {
    const logs = h.logs.join('\n');
    assert.ok(h.logs.length > 20, 'logs were captured');
    const audit = JSON.stringify(h.auditEvents());
    assert.ok(h.auditEvents().some((e) => e.action === 'secret.edit'));
    // Everyone-visible Slack traffic: Web API calls other than chat.postEphemeral and modals (only
    // their person sees those), in_channel posts.
    const inChannel = h.slack.responseUrlPosts.filter(
      (p) => (p.body as { response_type?: string }).response_type === 'in_channel',
    );
    const isModal = (c: { args: Record<string, unknown> }) =>
      (c.args['view'] as { type?: string } | undefined)?.type === 'modal';
    const visible = JSON.stringify([
      h.slack.calls.filter(
        (c) =>
          c.method !== 'chat.postEphemeral' && !(/^views\.(open|push|update)$/.test(c.method) && isModal(c)),
      ),
      inChannel,
    ]);
    // What the edit feature itself showed: forms, notices, confirmations, undo replies, in every
    // version of their windows. (The one /secret get here shows the current value in its own
    // reveal window, as it should.)
    const editViews = h.slack
      .views()
      .filter((v) => [v.view, ...v.history].some((x) => /^secret_edit/.test(String(x['callback_id']))));
    assert.ok(
      editViews.filter((v) =>
        [v.view, ...v.history].some((x) =>
          /Saved a new version|Undone|not allowed to change/.test(JSON.stringify(x)),
        ),
      ).length >= 5,
    );
    const shownByEdit = JSON.stringify(
      editViews.map((v) => [v.view, ...v.history].filter((x) => x['callback_id'] !== 'reveal_window')),
    );
    const store = readdirSync(h.dataDir).map((f) => readFileSync(join(h.dataDir, f)));
    for (const canary of NEW_VALUES) {
      assert.ok(!logs.includes(canary), `a log line holds ${canary}`);
      assert.ok(!audit.includes(canary), `an audit event holds ${canary}`);
      assert.ok(!visible.includes(canary), `a non-ephemeral Slack call holds ${canary}`);
      assert.ok(!shownByEdit.includes(canary), `an edit form or reply holds ${canary}`);
      for (const bytes of store) assert.ok(!bytes.includes(canary), `a store file holds ${canary}`);
    }
    // Old values are not shown by the edit feature either, and seeds never anywhere.
    assert.ok(!visible.includes(CANARY_PASSWORD));
    assert.ok(!shownByEdit.includes(CANARY_PASSWORD));
    assert.ok(!JSON.stringify([visible, shownByEdit, h.slack.responseUrlPosts]).includes(CANARY_SEED));
  });
});
