/**
 * AWS failing while a /secret edit form is submitted: the form still answers Slack in time,
 * the person is told what happened, and Secrets Manager is left whole (no version, or exactly
 * the one version), so pressing Save again is always safe.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { internalError } from '../../devkit/aws-faults.js';
import type { StandinView } from '../../devkit/standin-types.js';
import type { Harness } from '../support/app-harness.js';
import { editorClient, startFullHarness } from '../property/app-support.js';
import { viewsSentTo } from '../support/windows.js';

const MAX_ATTEMPTS = 2;
/**
 * How long to wait for an outcome to show. Generous on purpose: it measures nothing (answering
 * Slack in time is asserted on the answer itself), and a loaded machine may take seconds.
 */
const WAIT_MS = 60_000;
/**
 * The bot's AWS timeouts. Above the form's 2 s budget, so a hung read is answered by the budget
 * (or by these timeouts, whichever comes first: the test accepts both), and far above what a
 * healthy call to moto takes even on a loaded machine: with 400 ms, ordinary STS and Secrets
 * Manager calls timed out under load, and every test failed for that reason alone.
 */
const AWS_TIMEOUT_MS = 5000;

let h: Harness;
let sm: SecretsManagerClient;

before(async () => {
  h = await startFullHarness({
    reveal: { ttl_seconds: 60 },
    aws: {
      request_timeout_ms: AWS_TIMEOUT_MS,
      connect_timeout_ms: AWS_TIMEOUT_MS,
      max_attempts: MAX_ATTEMPTS,
    },
  });
  sm = await editorClient(h);
});
after(async () => {
  await h?.stop();
});

async function versions(name: string): Promise<number> {
  const out = await sm.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
  return out.Versions?.length ?? 0;
}

/** Which versions hold AWSCURRENT and AWSPREVIOUS (moto drops versions with no label). */
async function stages(name: string): Promise<{ current?: string; previous?: string }> {
  const all = (await sm.send(new DescribeSecretCommand({ SecretId: name }))).VersionIdsToStages ?? {};
  const holding = (stage: string) => Object.keys(all).find((id) => all[id]!.includes(stage));
  return { current: holding('AWSCURRENT'), previous: holding('AWSPREVIOUS') };
}

async function value(name: string): Promise<string> {
  return (await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString ?? '';
}

async function openForm(name: string): Promise<{ form: StandinView; responseUrl: string }> {
  const known = new Set(h.slack.views('U0ALICE').map((v) => v.id));
  const sent = await h.sender.slashCommand({ userId: 'U0ALICE', command: '/secret', text: `edit ${name}` });
  const form = await h.slack.waitFor(
    () => h.slack.views('U0ALICE').find((v) => !known.has(v.id) && v.callbackId === 'secret_edit'),
    WAIT_MS,
  );
  return { form, responseUrl: sent.responseUrl };
}

/** Submits the form with the field labelled `field` set to `text`; the other inputs empty. */
function submit(form: StandinView, text: string, field = 'password') {
  const state: Record<string, unknown> = {};
  for (const b of (
    form.view['blocks'] as Array<{ type: string; block_id: string; label?: { text: string } }>
  ).filter((x) => x.type === 'input')) {
    const actionId = b.block_id === 'secret_edit_new_name' ? 'name' : 'value';
    state[b.block_id] = {
      [actionId]: { type: 'plain_text_input', value: b.label?.text === field ? text : null },
    };
  }
  // The form as Slack sends it, even when the window shows something else by now (a repeat).
  return h.sender.viewSubmission({
    userId: 'U0ALICE',
    view: {
      id: form.id,
      callback_id: 'secret_edit',
      state: { values: state },
      ...(form.privateMetadata !== undefined ? { private_metadata: form.privateMetadata } : {}),
    },
  });
}

/**
 * Submits as {@link submit} does, and presses Save again while the bot answers that AWS is slow
 * (its 2 s read budget ran out on a loaded machine): what the bot tells the person to do, and
 * safe, since a repeat never saves twice (which the callers assert by counting versions).
 */
async function submitUntilAnswered(form: StandinView, text: string, field = 'password') {
  for (let attempt = 1; ; attempt++) {
    const res = await submit(form, text, field);
    if (attempt >= 10 || !/AWS is slow to answer\. Press Save again/.test(res.body)) return res;
  }
}

/** What the form's window showed after it, as text: the outcome goes into the same window. */
function replies(form: StandinView): string[] {
  return viewsSentTo(h.slack, form.id).map((v) => JSON.stringify(v));
}

describe('AWS faults under /secret edit', () => {
  it('reads hanging at submit: the form answers in time with a clear error, nothing is written; Save again saves once', async () => {
    const { form } = await openForm('edit/app');
    const before = await versions('edit/app');
    const hungReads = () => h.aws.callsOf('GetSecretValue').filter((c) => c.status === 0).length;
    const hungBefore = hungReads();
    h.aws.failNext('GetSecretValue', { kind: 'hang' }, MAX_ATTEMPTS);
    const res = await submit(form, 'CANARY-after-hang');
    assert.equal(res.status, 200, 'Slack got its answer (within the 2 s budget, not after the AWS timeouts)');
    assert.match(res.body, /"response_action":"errors"/);
    // The bot's own AWS timeouts (here 2 × 400 ms) or the form's 2 s budget, whichever is first.
    assert.match(
      res.body,
      /did not answer in time\. Nothing was changed|AWS is slow to answer\. Press Save again/,
    );
    assert.equal(await versions('edit/app'), before, 'nothing written');

    // The bot let go of the hung reads: every attempt met its hang, and none is held any more.
    // (Waiting for "none held" alone could pass between the two attempts, or before the first.)
    await h.slack.waitFor(
      () => hungReads() - hungBefore >= MAX_ATTEMPTS && h.aws.hangingCalls === 0,
      WAIT_MS,
    );
    assert.equal(await versions('edit/app'), before, 'still nothing written once the reads gave up');
    const again = await submitUntilAnswered(form, 'CANARY-after-hang');
    assert.equal(again.status, 200);
    await h.slack.waitFor(() => replies(form).some((r) => /Saved a new version/.test(r)), WAIT_MS);
    assert.equal(await versions('edit/app'), before + 1);
    assert.match(await value('edit/app'), /CANARY-after-hang/);
  });

  it('PutSecretValue failing with 500 on every attempt: the person is told, no version exists; Save again saves once', async () => {
    const { form } = await openForm('edit/plain');
    const before = await versions('edit/plain');
    const original = await value('edit/plain');
    h.aws.failNext('PutSecretValue', internalError('json'), MAX_ATTEMPTS);
    assert.equal((await submitUntilAnswered(form, 'CANARY-first-try', 'value')).status, 200);
    const told = await h.slack.waitFor(
      () => replies(form).find((r) => /could not be reached/.test(r)),
      WAIT_MS,
    );
    assert.match(
      told,
      /AWS Secrets Manager could not be reached, so the change may or may not have been made/,
    );
    assert.equal(await versions('edit/plain'), before, 'no half-written version');
    assert.equal(await value('edit/plain'), original);

    // The form closed on the first submission; the person opens it again and saves.
    const retry = await openForm('edit/plain');
    await submitUntilAnswered(retry.form, 'CANARY-second-try', 'value');
    await h.slack.waitFor(() => replies(retry.form).some((r) => /Saved a new version/.test(r)), WAIT_MS);
    assert.equal(await versions('edit/plain'), before + 1);
  });

  it('a write that AWS applied but whose answer was lost: the person is told it may have happened; Save again makes no second version', async () => {
    const { form } = await openForm('edit/app');
    const before = await stages('edit/app');
    h.aws.failNext('PutSecretValue', { kind: 'lose-answer' }, MAX_ATTEMPTS);
    assert.equal((await submitUntilAnswered(form, 'CANARY-lost-answer')).status, 200);
    const told = await h.slack.waitFor(() => replies(form).find((r) => /may or may not/.test(r)), WAIT_MS);
    assert.match(told, /Check `edit\/app` with `\/secret get`/);
    const applied = await stages('edit/app');
    assert.notEqual(applied.current, before.current, 'AWS did apply the write');
    assert.equal(applied.previous, before.current, 'once: the version before is AWSPREVIOUS');
    assert.match(await value('edit/app'), /CANARY-lost-answer/);

    // Slack keeps the same form (and so the same token) for a repeat; the bot finds its own write.
    const again = await submitUntilAnswered(form, 'CANARY-lost-answer');
    assert.equal(again.status, 200);
    await h.slack.waitFor(() => replies(form).some((r) => /Saved a new version/.test(r)), WAIT_MS);
    assert.deepEqual(await stages('edit/app'), applied, 'the repeat made no second version');
  });
});
