/**
 * Slack retries a request it thinks failed, marked `X-Slack-Retry-Num`, often while the first
 * one is still being worked on. A retry must never repeat an effect: one decision per
 * approval, one new secret version per form, one Undo. Here the same signed payload is sent
 * again as Slack's retries (1 and 2), at the same time as the original and after it, some
 * while AWS is slow so the original is still in flight.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DescribeSecretCommand,
  ListSecretVersionIdsCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SentRequest } from '../../devkit/slack-request-sender.js';
import type { StandinView } from '../../devkit/standin-types.js';
import type { Harness } from '../support/app-harness.js';
import { APPROVALS, editorClient, startFullHarness } from '../property/app-support.js';
import { viewsSentTo } from '../support/windows.js';

let h: Harness;
let sm: SecretsManagerClient;

before(async () => {
  h = await startFullHarness();
  sm = await editorClient(h);
});
after(async () => {
  await h?.stop();
});

/** Sends `payload` again, signed afresh, as Slack's retry number `retryNum`. */
async function retry(payload: Record<string, unknown>, retryNum: number): Promise<SentRequest> {
  const raw = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return h.sender.post(raw, {
    ...h.sender.sign(raw),
    'x-slack-retry-num': String(retryNum),
    'x-slack-retry-reason': 'http_timeout',
  });
}

async function versions(name: string): Promise<number> {
  const out = await sm.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
  return out.Versions?.length ?? 0;
}

async function currentVersion(name: string): Promise<string> {
  const stages = (await sm.send(new DescribeSecretCommand({ SecretId: name }))).VersionIdsToStages ?? {};
  return Object.keys(stages).find((id) => stages[id]!.includes('AWSCURRENT'))!;
}

/** Alice opens the edit form of `name`; the form as the stand-in shows it. */
async function openEditForm(name: string): Promise<{ form: StandinView; responseUrl: string }> {
  const known = new Set(h.slack.views('U0ALICE').map((v) => v.id));
  const sent = await h.sender.slashCommand({ userId: 'U0ALICE', command: '/secret', text: `edit ${name}` });
  const form = await h.slack.waitFor(() =>
    h.slack.views('U0ALICE').find((v) => !known.has(v.id) && v.callbackId === 'secret_edit'),
  );
  return { form, responseUrl: sent.responseUrl };
}

/** The form's state with `password` set to `value` and every other input left empty. */
function passwordState(form: StandinView, value: string): Record<string, unknown> {
  const state: Record<string, unknown> = {};
  const inputs = (
    form.view['blocks'] as Array<{ type: string; block_id: string; label?: { text: string } }>
  ).filter((b) => b.type === 'input');
  for (const b of inputs) {
    const actionId = b.block_id === 'secret_edit_new_name' ? 'name' : 'value';
    state[b.block_id] = {
      [actionId]: { type: 'plain_text_input', value: b.label?.text === 'password' ? value : null },
    };
  }
  return state;
}

describe('Slack retries repeat no effect', () => {
  it('a retried approve click, concurrent and late, decides once and sends one Reveal DM', async () => {
    const ask = await h.sender.slashCommand({ userId: 'U0ALICE', command: '/secret', text: 'get prod/db' });
    assert.equal(ask.status, 200);
    const modal = await h.slack.waitFor(() => h.slack.openModalOf('U0ALICE', 'approval_request_reason'));
    await h.sender.viewSubmission({
      userId: 'U0ALICE',
      view: {
        id: modal.id,
        callback_id: 'approval_request_reason',
        state: { values: { approval_reason: { reason: { type: 'plain_text_input', value: 'INC-7' } } } },
      },
    });
    const request = await h.slack.waitFor(() => h.slack.channelMessages(APPROVALS)[0]);
    const dms = () =>
      h.slack
        .channelMessages(h.slack.dmChannelFor('U0ALICE'))
        .filter((m) => /approval_use_grant/.test(JSON.stringify(m.blocks)));

    const click = await h.sender.blockActions({
      userId: 'U0BOB',
      actionId: 'approval_approve',
      channelId: APPROVALS,
      messageTs: request.ts,
    });
    assert.equal(click.status, 200);
    const retries = await Promise.all([retry(click.payload, 1), retry(click.payload, 2)]);
    for (const r of retries) assert.equal(r.status, 200, 'each retry is answered');
    await h.slack.waitFor(() => dms().length >= 1);
    const late = await retry(click.payload, 3);
    assert.equal(late.status, 200);
    await h.slack.waitFor(() =>
      /Approved by <@U0BOB>/.test(JSON.stringify(h.slack.channelMessages(APPROVALS)[0]?.blocks))
        ? true
        : undefined,
    );

    await new Promise((r) => setTimeout(r, 300)); // room for any second effect to show up
    assert.equal(dms().length, 1, 'one Reveal button, not one per retry');
    const decisions = h.auditEvents().filter((e) => e.action === 'approval.decide' && e.outcome === 'ok');
    assert.ok(decisions.length <= 1, `one decision recorded, not ${decisions.length}`);
    const updates = h.slack
      .callsTo('chat.update')
      .filter((c) => c.args['ts'] === request.ts && /Approved by/.test(JSON.stringify(c.args['blocks'])));
    assert.equal(updates.length, 1, 'the request message was updated once');
  });

  it('a /secret edit submission retried while the first write is still in flight makes one version', async () => {
    const name = 'edit/app';
    const { form } = await openEditForm(name);
    const before = await versions(name);
    // The original's PutSecretValue is slow, so Slack's retries arrive while it is in flight.
    h.aws.failNext('PutSecretValue', { kind: 'delay', ms: 600 });
    const first = await h.sender.viewSubmission({
      userId: 'U0ALICE',
      view: {
        id: form.id,
        callback_id: 'secret_edit',
        state: { values: passwordState(form, 'CANARY-retried-1') },
      },
    });
    assert.equal(first.status, 200);
    const retries = await Promise.all([retry(first.payload, 1), retry(first.payload, 2)]);
    for (const r of retries) assert.equal(r.status, 200);
    await h.slack.waitFor(() =>
      viewsSentTo(h.slack, form.id).some((v) => /Saved a new version/.test(JSON.stringify(v))),
    );
    await new Promise((r) => setTimeout(r, 700)); // let every retry finish its write, if it made one
    assert.equal(await versions(name), before + 1, 'one new version, whatever Slack retried');
  });

  it('a retried Undo click moves AWSCURRENT back once', async () => {
    const name = 'edit/plain';
    const original = await currentVersion(name);
    const { form } = await openEditForm(name);
    const state: Record<string, unknown> = {};
    for (const b of (form.view['blocks'] as Array<{ type: string; block_id: string }>).filter(
      (x) => x.type === 'input',
    ))
      state[b.block_id] = { value: { type: 'plain_text_input', value: 'CANARY-undo-me' } };
    await h.sender.viewSubmission({
      userId: 'U0ALICE',
      view: { id: form.id, callback_id: 'secret_edit', state: { values: state } },
    });
    // The confirmation, with its Undo, in the form's window.
    await h.slack.waitFor(() =>
      viewsSentTo(h.slack, form.id).some((v) => /secret_edit_undo/.test(JSON.stringify(v))),
    );
    const edited = await currentVersion(name);
    assert.notEqual(edited, original);

    const undo = await h.sender.blockActions({
      userId: 'U0ALICE',
      actionId: 'secret_edit_undo',
      view: { id: form.id },
    });
    const retries = await Promise.all([retry(undo.payload, 1), retry(undo.payload, 2)]);
    for (const r of retries) assert.equal(r.status, 200);
    await h.slack.waitFor(() =>
      viewsSentTo(h.slack, form.id).some((v) => /Undone/.test(JSON.stringify(v))) ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await currentVersion(name), original, 'back at the version before the edit');
    const undos = h.auditEvents().filter((e) => e.action === 'secret.undo' && e.outcome === 'ok');
    assert.equal(undos.filter((e) => e.note === undefined).length, 1, 'one Undo applied');
    assert.ok(
      undos.filter((e) => e.note !== undefined).every((e) => e.note === 'already undone'),
      'the retries found it done',
    );
  });
});
