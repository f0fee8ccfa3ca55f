/**
 * Guards IAM enforces too (issue 14, item 2). moto 5.2.1 does not evaluate session policies
 * (test/devkit/moto-session-policy.test.ts proves it, docs/moto.md says so), so these tests
 * assert what AWS would enforce: the policy each AssumeRole sends, that every call for a guarded
 * secret runs under the session scoped to it, and that locksmith's own check still stops an
 * unapproved reveal before any read.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { RecordedAwsCall } from '../../devkit/aws-recorder.js';
import type { StandinView } from '../../devkit/standin-types.js';
import type { PersonSession } from '../../src/identity/sessions.js';
import type { Harness } from '../support/app-harness.js';
import { answered } from '../support/windows.js';
import { CANARY_PASSWORD } from '../support/fixtures.js';
import { APPROVALS, editorClient, startFullHarness } from '../property/app-support.js';

interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

let h: Harness;
let prodDbArn: string;

before(async () => {
  h = await startFullHarness();
  const sm = await editorClient(h);
  prodDbArn = (await sm.send(new DescribeSecretCommand({ SecretId: 'prod/db' }))).ARN!;
});
after(async () => {
  await h?.stop();
});

function policyOf(call: RecordedAwsCall): { Statement: PolicyStatement[] } {
  assert.equal(typeof call.params.Policy, 'string', 'the AssumeRole call carries a session policy');
  const text = call.params.Policy as string;
  assert.ok(text.length <= 2048, `within STS's 2,048 characters (${text.length})`);
  return JSON.parse(text) as { Statement: PolicyStatement[] };
}

const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

/** The access key a session's clients sign with: matches the recorder's `accessKeyId`. */
async function keyOf(session: PersonSession): Promise<string> {
  const credentials = await session.clients.secretsManager.config.credentials();
  return credentials.accessKeyId;
}

/** Alice asks for `prod/db` (reveal, or edit), Bob approves; the DM's grant button. */
async function approved(kind: 'get' | 'edit', reason: string) {
  const sent = await h.sender.slashCommand({
    userId: 'U0ALICE',
    command: '/secret',
    text: `${kind} prod/db`,
  });
  assert.equal(sent.status, 200);
  const modal = await h.slack.waitFor(() => h.slack.openModalOf('U0ALICE', 'approval_request_reason'));
  const posted = h.slack.channelMessages(APPROVALS).length;
  await h.sender.viewSubmission({
    userId: 'U0ALICE',
    view: {
      id: modal.id,
      callback_id: 'approval_request_reason',
      state: { values: { approval_reason: { reason: { type: 'plain_text_input', value: reason } } } },
    },
  });
  const request = await h.slack.waitFor(() => h.slack.channelMessages(APPROVALS)[posted]);
  const dmChannel = h.slack.dmChannelFor('U0ALICE');
  const seen = h.slack.channelMessages(dmChannel).length;
  await h.sender.blockActions({
    userId: 'U0BOB',
    actionId: 'approval_approve',
    channelId: APPROVALS,
    messageTs: request.ts,
  });
  const dm = await h.slack.waitFor(() =>
    h.slack
      .channelMessages(dmChannel)
      .slice(seen)
      .find((m) => /approval_use_grant/.test(JSON.stringify(m.blocks))),
  );
  return dm;
}

describe('session policies', () => {
  it('an ordinary session denies the guarded secrets in IAM: GetSecretValue on guarded_secrets, writes on guarded_edits', async () => {
    const sent = await h.sender.slashCommand({
      userId: 'U0DAVE',
      command: '/secret',
      text: 'get 2ndline/fastly --role editor',
    });
    await answered(h.slack, sent);
    const assume = h.aws.callsOf('AssumeRole').find((c) => c.params.RoleSessionName === 'slack-U0DAVE');
    assert.ok(assume, 'a session was assumed');
    const policy = policyOf(assume);
    const allow = policy.Statement.find((s) => s.Effect === 'Allow');
    assert.deepEqual(
      [allow?.Action, allow?.Resource],
      ['*', '*'],
      'everything the role allows, nothing more',
    );
    const deny = (action: string) =>
      policy.Statement.filter((s) => s.Effect === 'Deny' && list(s.Action).includes(action)).flatMap((s) =>
        list(s.Resource),
      );
    assert.deepEqual(deny('secretsmanager:GetSecretValue'), ['arn:aws:secretsmanager:*:*:secret:prod/*']);
    for (const write of [
      'secretsmanager:PutSecretValue',
      'secretsmanager:UpdateSecret',
      'secretsmanager:UpdateSecretVersionStage',
    ])
      assert.deepEqual(deny(write), ['arn:aws:secretsmanager:*:*:secret:prod/*'], write);
    // The pattern covers the real ARN of the guarded secret, as IAM would match it.
    assert.match(prodDbArn, /^arn:aws:secretsmanager:[^:]+:\d{12}:secret:prod\/.*$/);
  });

  it('the application check stays: an unapproved reveal of a guarded secret reads nothing', async () => {
    h.aws.clear();
    const sent = await h.sender.slashCommand({ userId: 'U0ALICE', command: '/secret', text: 'get prod/db' });
    assert.equal(sent.status, 200);
    await h.slack.waitFor(() => h.slack.openModalOf('U0ALICE', 'approval_request_reason'));
    assert.equal(h.aws.callsOf('GetSecretValue').length, 0);
    const modal = h.slack.openModalOf('U0ALICE', 'approval_request_reason')!;
    h.slack.closeView(modal.id);
  });

  it('an approved reveal reads under a session that may touch only that secret, by its ARN', async () => {
    const dm = await approved('get', 'INC-7 reveal');
    h.aws.clear();
    await h.sender.blockActions({
      userId: 'U0ALICE',
      actionId: 'approval_use_grant',
      channelId: dm.channel,
      messageTs: dm.ts,
    });
    const shown: StandinView = await h.slack.waitFor(() =>
      h.slack.views('U0ALICE').find((v) => JSON.stringify(v.view).includes(CANARY_PASSWORD)),
    );
    assert.ok(shown);
    const scoped = h.aws.callsOf('AssumeRole').find((c) => String(c.params.Policy).includes(prodDbArn));
    assert.ok(scoped, 'a session was assumed for exactly this secret');
    assert.equal(scoped.params.SourceIdentity, 'alice@example.com');
    const policy = policyOf(scoped);
    assert.ok(
      policy.Statement.every((s) => s.Effect === 'Allow'),
      'only allows: the role’s own policy still applies',
    );
    const secretStatement = policy.Statement.find((s) =>
      list(s.Action).some((a) => a.startsWith('secretsmanager:')),
    )!;
    assert.deepEqual(list(secretStatement.Resource), [prodDbArn]);
    assert.ok(list(secretStatement.Action).includes('secretsmanager:GetSecretValue'));
    assert.ok(
      !list(secretStatement.Action).includes('secretsmanager:PutSecretValue'),
      'a reveal cannot write',
    );
    const kms = policy.Statement.find((s) => list(s.Action).includes('kms:Decrypt'))!;
    assert.deepEqual(kms.Condition, { StringLike: { 'kms:ViaService': 'secretsmanager.*.amazonaws.com' } });

    const [read] = h.aws.callsOf('GetSecretValue');
    assert.ok(read);
    const person = await h.deps.directory.lookup('U0ALICE', h.slack.teamId);
    const role = { name: 'editor', arn: h.deps.config.roles['editor']! };
    const scopedSession = await h.deps.sessions.sessionFor(person, role, {
      secretArn: prodDbArn,
      access: 'read',
    });
    assert.equal(read.accessKeyId, await keyOf(scopedSession), 'read with the scoped session’s key');
    assert.notEqual(
      read.accessKeyId,
      await keyOf(await h.deps.sessions.sessionFor(person, role)),
      'not the ordinary one',
    );
  });

  it('an approved edit reads and writes under a session scoped to that secret with write access', async () => {
    const dm = await approved('edit', 'INC-8 edit');
    h.aws.clear();
    const known = new Set(h.slack.views('U0ALICE').map((v) => v.id));
    await h.sender.blockActions({
      userId: 'U0ALICE',
      actionId: 'approval_use_grant',
      channelId: dm.channel,
      messageTs: dm.ts,
    });
    const form = await h.slack.waitFor(() =>
      h.slack
        .views('U0ALICE')
        .find(
          (v) =>
            !known.has(v.id) && v.callbackId === 'secret_edit' && /approved by/.test(JSON.stringify(v.view)),
        ),
    );
    const state: Record<string, unknown> = {};
    for (const b of form.view['blocks'] as Array<{
      type: string;
      block_id: string;
      label?: { text: string };
    }>) {
      if (b.type !== 'input') continue;
      const actionId = b.block_id === 'secret_edit_new_name' ? 'name' : 'value';
      state[b.block_id] = {
        [actionId]: {
          type: 'plain_text_input',
          value: b.label?.text === 'password' ? 'CANARY-scoped-edit' : null,
        },
      };
    }
    await h.sender.viewSubmission({
      userId: 'U0ALICE',
      view: { id: form.id, callback_id: 'secret_edit', state: { values: state } },
    });
    await h.slack.waitFor(() => h.aws.callsOf('PutSecretValue')[0]);
    const scoped = h.aws.callsOf('AssumeRole').find((c) => String(c.params.Policy).includes(prodDbArn));
    assert.ok(scoped);
    const actions = policyOf(scoped).Statement.flatMap((s) => list(s.Action));
    assert.ok(actions.includes('secretsmanager:PutSecretValue'));
    assert.ok(actions.includes('kms:GenerateDataKey'));
    const person = await h.deps.directory.lookup('U0ALICE', h.slack.teamId);
    const role = { name: 'editor', arn: h.deps.config.roles['editor']! };
    const key = await keyOf(
      await h.deps.sessions.sessionFor(person, role, { secretArn: prodDbArn, access: 'edit' }),
    );
    const touching = h.aws.calls.filter(
      (c) =>
        ['GetSecretValue', 'PutSecretValue', 'DescribeSecret'].includes(c.operation) && c.accessKeyId === key,
    );
    assert.ok(
      touching.some((c) => c.operation === 'PutSecretValue'),
      'the write used the scoped session',
    );
    assert.ok(
      touching.some((c) => c.operation === 'GetSecretValue'),
      'so did the read',
    );
    const ordinary = await keyOf(await h.deps.sessions.sessionFor(person, role));
    assert.ok(!h.aws.calls.some((c) => c.operation === 'PutSecretValue' && c.accessKeyId === ordinary));
  });

  it('sessions are cached per person, role and policy: one AssumeRole each, reused', async () => {
    const person = await h.deps.directory.lookup('U0ALICE', h.slack.teamId);
    const role = { name: 'editor', arn: h.deps.config.roles['editor']! };
    h.aws.clear();
    await h.deps.sessions.sessionFor(person, role);
    await h.deps.sessions.sessionFor(person, role, { secretArn: prodDbArn, access: 'read' });
    await h.deps.sessions.sessionFor(person, role, { secretArn: prodDbArn, access: 'edit' });
    assert.equal(h.aws.callsOf('AssumeRole').length, 0, 'all three were made before and kept');
    await assert.rejects(
      h.deps.sessions.sessionFor(person, role, { secretArn: 'prod/*', access: 'read' }),
      /needs a secret's full ARN/,
    );
  });
});
