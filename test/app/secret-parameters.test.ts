/**
 * Parameter Store names in /secret and /totp (`ssm:/team/db/password`), end to end over HTTP
 * against the Slack stand-in and moto with IAM enforced: read under the person's own role, with
 * the reveal, audit, guard and seed rules of secrets.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { roleArn } from '../../devkit/aws-seed.js';
import { type Harness, REGION, startHarness } from '../support/app-harness.js';
import { answered } from '../support/windows.js';
import { CANARY_PASSWORD, CANARY_SEED, usergroups, users } from '../support/fixtures.js';

let h: Harness;

const READ_PARAMETERS = {
  Version: '2012-10-17' as const,
  Statement: [
    {
      Effect: 'Allow' as const,
      Action: ['ssm:GetParameter', 'ssm:DescribeParameters', 'kms:Decrypt'],
      Resource: '*',
    },
  ],
};

before(async () => {
  h = await startHarness({
    config: {
      roles: { ops: roleArn('locksmith-ops'), nothing: roleArn('locksmith-nothing') },
      people: { U0ALICE: ['ops'], U0BOB: ['nothing'] },
      access: { contact: '#platform-help' },
      reveal: { ttl_seconds: 1 },
      approvals: {
        channel: 'C0APPROVALS',
        approvers: { people: ['U0CAROL'] },
        guarded_secrets: ['ssm:/prod/*'],
      },
    },
    seed: {
      roles: [{ name: 'locksmith-ops', policy: READ_PARAMETERS }, { name: 'locksmith-nothing' }],
      bot: {},
    },
    users,
    usergroups,
  });
  const ssm = new SSMClient({
    region: REGION,
    endpoint: h.moto.url,
    credentials: { accessKeyId: 'AKIAMOTOADMINEXAMPLE', secretAccessKey: 'moto' },
  });
  const put = (Name: string, Value: string, Type: 'String' | 'SecureString' = 'SecureString') =>
    ssm.send(new PutParameterCommand({ Name, Value, Type, Description: `the ${Name} parameter` }));
  await put('/team/db/password', CANARY_PASSWORD);
  await put(
    '/team/vendor',
    JSON.stringify({
      user: 'ops',
      password: CANARY_PASSWORD,
      '2fa-seed': `otpauth://totp/V:ops?secret=${CANARY_SEED}`,
    }),
  );
  await put('/team/region', 'eu-west-1', 'String');
  await put('/prod/db', CANARY_PASSWORD);
  ssm.destroy();
  await h.moto.enforceIam();
});
after(async () => {
  await h?.stop();
});

/** Sends a command; its answer: a window (a value or a refusal), or a reply through the response_url. */
async function command(userId: string, name: string, text: string) {
  const sent = await h.sender.slashCommand({ userId, command: name, text });
  assert.equal(sent.status, 200);
  return { sent, json: await answered(h.slack, sent) };
}

describe('/secret get and /secret list with ssm: names', () => {
  it('shows a Parameter Store value to the asker only, read under their role, and audits it by its ssm: name', async () => {
    h.aws.clear();
    const { json, sent } = await command('U0ALICE', '/secret', 'get ssm:/team/db/password');
    assert.match(json, /"type":"modal"/, 'in a window only the asker sees');
    assert.equal(h.slack.responseUrlPosts.filter((p) => p.url === sent.responseUrl).length, 0);
    assert.ok(json.includes(CANARY_PASSWORD));
    assert.match(json, /ssm:\/team\/db\/password/);
    const [read] = h.aws.callsOf('GetParameter');
    assert.ok(read, 'GetParameter was called');
    assert.equal(read.params.WithDecryption, true);
    assert.notEqual(read.accessKeyId, h.seeded.botCredentials!.accessKeyId, 'under the person’s session');
    const event = await h.slack.waitFor(() =>
      h.auditEvents().find((e) => e.action === 'secret.reveal' && e.target === 'ssm:/team/db/password'),
    );
    assert.equal(event?.outcome, 'ok');
    assert.equal(event?.version_id, '1');
    assert.equal(h.logs.join('\n').includes(CANARY_PASSWORD), false, 'the value is in no log line');
  });

  it('hides a 2FA seed in a parameter as in a secret, and /totp reads it', async () => {
    const { json } = await command('U0ALICE', '/secret', 'get ssm:/team/vendor');
    assert.ok(json.includes(CANARY_PASSWORD));
    assert.ok(!json.includes(CANARY_SEED), 'the seed is never shown');
    const totp = await command('U0ALICE', '/totp', 'ssm:/team/vendor');
    assert.match(totp.json, /\d{3} ?\d{3}/);
    assert.ok(!totp.json.includes(CANARY_SEED));
  });

  it('lists parameters by prefix without reading a value', async () => {
    await h.aws.quiet(); // the earlier reveals' tag reads (notify on view) have landed
    h.aws.clear();
    const { json } = await command('U0ALICE', '/secret', 'list ssm:/team');
    for (const name of ['ssm:/team/db/password', 'ssm:/team/region', 'ssm:/team/vendor']) {
      assert.ok(json.includes(name), name);
    }
    assert.ok(!json.includes('ssm:/prod/db'));
    assert.deepEqual(
      h.aws.calls.filter((c) => c.service === 'ssm').map((c) => c.operation),
      ['DescribeParameters'],
    );
  });

  it('says clearly when a parameter does not exist, when IAM denies it, and when a name is malformed', async () => {
    assert.match(
      (await command('U0ALICE', '/secret', 'get ssm:/team/nope')).json,
      /No Parameter Store parameter named `ssm:\/team\/nope` was found \(looked up as role `ops`\)/,
    );
    const denied = await command('U0BOB', '/secret', 'get ssm:/team/db/password');
    assert.match(denied.json, /Your role `nothing` is not allowed to read `ssm:\/team\/db\/password`/);
    assert.ok(!denied.json.includes(CANARY_PASSWORD));
    assert.match(
      (await command('U0ALICE', '/secret', 'get ssm:/bad name*')).json,
      /not a valid Parameter Store name|Too many words/,
    );
  });

  it('asks for an approval before showing a guarded parameter', async () => {
    h.aws.clear();
    const sent = await h.sender.slashCommand({
      userId: 'U0ALICE',
      command: '/secret',
      text: 'get ssm:/prod/db',
    });
    assert.equal(sent.status, 200);
    await h.slack.waitFor(() => h.slack.openModalOf('U0ALICE', 'approval_request_reason'));
    assert.equal(h.aws.callsOf('GetParameter').length, 0, 'nothing read before the approval');
    const replies = h.slack.responseUrlPosts.filter((p) => p.url === sent.responseUrl);
    assert.equal(JSON.stringify(replies).includes(CANARY_PASSWORD), false);
  });

  it('refuses to edit a Parameter Store value, saying why', async () => {
    const { json } = await command('U0ALICE', '/secret', 'edit ssm:/team/region');
    assert.match(json, /is a Parameter Store name: locksmith shows those with `\/secret get`/);
  });
});
