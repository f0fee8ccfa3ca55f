/**
 * Notify on view: a secret tagged `locksmith:notify` = a channel ID gets a notice there on every
 * reveal and one-time code (who, when, which role), never the value.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateSecretCommand,
  SecretsManagerClient,
  UntagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { NOTIFY_TAG_TTL_MS } from '../../src/trail/notify-on-view.js';
import { type Harness, REGION, startHarness } from '../support/app-harness.js';
import { answered } from '../support/windows.js';
import { CANARY_PASSWORD, CANARY_SEED, config, seed, usergroups, users } from '../support/fixtures.js';

const AUDIT_CHANNEL = 'C0AUDIT';
let h: Harness;
/** The app's clock: real time, moved on by `skipped` ms when a test needs time to pass. */
let skipped = 0;
const clock = { now: () => Date.now() + skipped };

before(async () => {
  h = await startHarness({ config, seed, users, usergroups, clock });
  const sm = new SecretsManagerClient({
    region: REGION,
    endpoint: h.moto.url,
    credentials: { accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'moto' },
  });
  const tagged = [
    { name: 'watched/db', value: { password: CANARY_PASSWORD }, tag: AUDIT_CHANNEL },
    {
      name: 'watched/otp',
      value: { user: 'ops', '2fa-seed': `otpauth://totp/X:ops?secret=${CANARY_SEED}` },
      tag: AUDIT_CHANNEL,
    },
    { name: 'watched/bad-tag', value: { password: CANARY_PASSWORD }, tag: '#audit <!channel>' },
  ];
  for (const s of tagged) {
    await sm.send(
      new CreateSecretCommand({
        Name: s.name,
        SecretString: JSON.stringify(s.value),
        Tags: [{ Key: 'locksmith:notify', Value: s.tag }],
      }),
    );
  }
  sm.destroy();
  const ssm = new SSMClient({
    region: REGION,
    endpoint: h.moto.url,
    credentials: { accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'moto' },
  });
  await ssm.send(
    new PutParameterCommand({
      Name: '/watched/token',
      Value: CANARY_PASSWORD,
      Type: 'SecureString',
      Tags: [{ Key: 'locksmith:notify', Value: AUDIT_CHANNEL }],
    }),
  );
  await ssm.send(new PutParameterCommand({ Name: '/quiet/token', Value: 'x', Type: 'SecureString' }));
  ssm.destroy();
});
after(async () => {
  await h?.stop();
});

/** Runs a command as alice; its answer: what the window showed, or the response_url reply. */
async function run(command: string, text: string) {
  const sent = await h.sender.slashCommand({ userId: 'U0ALICE', command, text });
  assert.equal(sent.status, 200);
  return answered(h.slack, sent);
}

function notices(): string[] {
  return h.slack.channelMessages(AUDIT_CHANNEL).map((m) => JSON.stringify(m.blocks));
}

describe('notify on view', () => {
  it('posts who revealed a tagged secret, and under which role, in the tag’s channel; never the value', async () => {
    const reply = await run('/secret', 'get watched/db');
    assert.ok(reply.includes(CANARY_PASSWORD), 'Alice sees the value');
    const notice = await h.slack.waitFor(() => notices().find((n) => n.includes('watched/db')));
    assert.match(
      notice,
      /:eye: <@U0ALICE> \(alice@example.com\) revealed `watched\/db` under role `2ndline`, <!date\^\d+/,
    );
    assert.ok(!notice.includes(CANARY_PASSWORD), 'never the value');
    const audit = await h.slack.waitFor(() => h.auditEvents().find((e) => e.action === 'secret.notify'));
    assert.equal(audit.outcome, 'ok');
    assert.equal(audit.target, 'watched/db');
    assert.match(String(audit.note), /reveal notice to C0AUDIT/);
  });

  it('posts a notice for a one-time code too, never the seed or the code', async () => {
    const reply = await run('/totp', 'watched/otp');
    const code = /\b(\d{6})\b/.exec(reply)?.[1];
    assert.ok(code, 'Alice got a code');
    const notice = await h.slack.waitFor(() => notices().find((n) => n.includes('watched/otp')));
    assert.match(notice, /<@U0ALICE> \(alice@example.com\) generated a one-time code from `watched\/otp`/);
    assert.ok(!notice.includes(CANARY_SEED));
    assert.ok(!notice.includes(code));
  });

  it('honours the tag on a Parameter Store parameter, read with ssm:ListTagsForResource, not DescribeSecret', async () => {
    h.aws.clear();
    const reply = await run('/secret', 'get ssm:/watched/token');
    assert.ok(reply.includes(CANARY_PASSWORD), 'Alice sees the value');
    const notice = await h.slack.waitFor(() => notices().find((n) => n.includes('ssm:/watched/token')));
    assert.match(
      notice,
      /<@U0ALICE> \(alice@example.com\) revealed `ssm:\/watched\/token` under role `2ndline`/,
    );
    assert.ok(!notice.includes(CANARY_PASSWORD), 'never the value');
    const [tags] = h.aws.callsOf('ListTagsForResource');
    assert.equal(tags?.service, 'ssm');
    assert.equal(h.aws.callsOf('DescribeSecret').length, 0, 'no Secrets Manager call for a parameter');

    const before = notices().length;
    await run('/secret', 'get ssm:/quiet/token');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(notices().length, before, 'an untagged parameter: no notice');
  });

  it('posts nothing for a secret without the tag, or with a tag that is not a channel ID', async () => {
    const before = h.slack.calls.filter((c) => c.method === 'chat.postMessage').length;
    await run('/secret', 'get 2ndline/plain');
    await run('/secret', 'get watched/bad-tag');
    await new Promise((r) => setTimeout(r, 300));
    const posts = h.slack.calls.filter((c) => c.method === 'chat.postMessage').slice(before);
    assert.deepEqual(posts, []);
  });

  it('remembers a secret’s tag for NOTIFY_TAG_TTL_MS: the next reveal reads no tags; a removed tag stops notices after that', async () => {
    // watched/db's tag was read by the first test.
    h.aws.clear();
    const before = notices().length;
    await run('/secret', 'get watched/db');
    await h.slack.waitFor(() => notices().length === before + 1);
    assert.equal(h.aws.callsOf('DescribeSecret').length, 0, 'the tag was remembered');

    const sm = new SecretsManagerClient({
      region: REGION,
      endpoint: h.moto.url,
      credentials: { accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'moto' },
    });
    await sm.send(new UntagResourceCommand({ SecretId: 'watched/db', TagKeys: ['locksmith:notify'] }));
    sm.destroy();
    skipped += NOTIFY_TAG_TTL_MS + 1000;
    await run('/secret', 'get watched/db');
    await h.slack.waitFor(() => h.aws.callsOf('DescribeSecret').length === 1);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(notices().length, before + 1, 'the tag is gone: no notice');
  });
});
