/**
 * `/secret info NAME`: what Secrets Manager knows about a secret, read with DescribeSecret under
 * the asker's own role (no value read), as an ephemeral reply; audited as `secret.read` (note
 * `info`) under the name AWS returned. Also the example of adding a sub-command to a command
 * table (slack/command-table.ts): its domain module, its manifest entry, its block builder.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { roleArn } from '../../devkit/aws-seed.js';
import { type Harness, startHarness } from '../support/app-harness.js';
import { CANARY_PASSWORD, CANARY_TOKEN, config, seed, usergroups, users } from '../support/fixtures.js';

let h: Harness;

before(async () => {
  h = await startHarness({
    config: {
      ...config,
      roles: { ...config.roles, params: roleArn('locksmith-params') },
      people: { ...config.people, U0ALICE: ['2ndline', 'params'] },
      approvals: {
        channel: 'C0APPROVALS',
        approvers: { people: ['U0BOB'] },
        guarded_secrets: ['prod/*'],
      },
    },
    seed: {
      ...seed,
      roles: [
        ...(seed.roles ?? []),
        {
          name: 'locksmith-params',
          policy: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: ['ssm:DescribeParameters'], Resource: '*' }],
          },
        },
      ],
      parameters: ['/team/db/password', '/team/db/password-old'].map((name) => ({
        name,
        value: CANARY_PASSWORD,
        description: `the ${name} <!here>`,
      })),
      secrets: [
        ...(seed.secrets ?? []),
        {
          name: 'info/tagged',
          description: 'CDN <!channel> & friends',
          value: { password: CANARY_PASSWORD },
          tags: { team: 'cdn', 'locksmith:notify': '<!here>' },
        },
      ],
    },
    users,
    usergroups,
    enforceIam: true,
  });
});
after(async () => {
  await h?.stop();
});

async function secret(userId: string, text: string): Promise<string> {
  const sent = await h.sender.slashCommand({ userId, command: '/secret', text });
  assert.equal(sent.status, 200);
  const reply = await h.slack.waitFor(() => h.slack.responseUrlPosts.find((p) => p.url === sent.responseUrl));
  return JSON.stringify(reply.body);
}

describe('/secret info', () => {
  it('describes a secret with DescribeSecret under the asker’s role, reading no value', async () => {
    await h.aws.quiet();
    h.aws.clear();
    const json = await secret('U0ALICE', 'info 2ndline/fastly');
    assert.match(json, /`2ndline\/fastly`/);
    assert.match(json, /Fastly API user for the CDN/);
    assert.match(json, /Created <!date\^\d+\^/);
    assert.match(json, /Not rotated by Secrets Manager/);
    assert.match(json, /Read as role `2ndline` with DescribeSecret/);
    assert.match(json, /arn:aws:secretsmanager:[a-z0-9-]+:\d{12}:secret:2ndline\/fastly-/);
    assert.match(json, /"response_type":"ephemeral"/);
    for (const canary of [CANARY_PASSWORD, CANARY_TOKEN]) assert.ok(!json.includes(canary));
    assert.equal(h.aws.callsOf('DescribeSecret').length, 1);
    for (const read of ['GetSecretValue', 'BatchGetSecretValue', 'ListSecrets'])
      assert.equal(h.aws.callsOf(read).length, 0, `${read} is not called`);
    const [describe] = h.aws.callsOf('DescribeSecret');
    assert.notEqual(
      describe!.accessKeyId,
      h.seeded.botCredentials!.accessKeyId,
      'read under the asker’s assumed role, not the bot’s own key',
    );

    const audit = h.auditEvents().find((e) => e.action === 'secret.read' && e.note === 'info');
    assert.ok(audit, 'audited');
    assert.equal(audit.outcome, 'ok');
    assert.equal(audit.target, '2ndline/fastly');
    assert.equal((audit.person as { email: string }).email, 'alice@example.com');
    assert.equal((audit.role as { name: string }).name, '2ndline');
  });

  it('shows tags and the description escaped, and says when a secret is guarded', async () => {
    const tagged = await secret('U0ALICE', 'info info/tagged');
    assert.match(tagged, /`team` = `cdn`/);
    assert.match(tagged, /`locksmith:notify` = `&lt;!here&gt;`/);
    assert.match(tagged, /CDN &lt;!channel&gt; &amp; friends/);
    assert.doesNotMatch(tagged, /<!channel>|<!here>/, 'text from AWS cannot ping anyone');
    assert.ok(!tagged.includes(CANARY_PASSWORD));

    const guarded = await secret('U0ALICE', 'info prod/db');
    assert.match(guarded, /Guarded: showing it needs an approval/);
    assert.equal(
      h.slack.channelMessages('C0APPROVALS').length,
      0,
      'describing a guarded secret asks for no approval: it shows no value',
    );
  });

  it('refuses clearly, changing nothing: no name, extra words, unknown secret, no access, a parameter', async () => {
    assert.match(
      await secret('U0ALICE', 'info'),
      /Which secret\? Usage: `\/secret info NAME \[--role ROLE\]`/,
    );
    assert.match(await secret('U0ALICE', 'info a b'), /Too many words\. Usage: `\/secret info NAME/);
    assert.match(await secret('U0ALICE', 'info 2ndline/nope'), /No secret named `2ndline\/nope` was found/);
    assert.match(await secret('U0ALICE', 'info bad*name'), /not a valid secret name/);
    assert.match(
      await secret('U0BOB', 'info 2ndline/fastly'),
      /Your role `nothing` may not describe `2ndline\/fastly`: IAM denied `secretsmanager:DescribeSecret`/,
    );
    assert.match(
      await secret('U0ALICE', 'info ssm:/team/db/password'),
      /Your role `2ndline` may not describe Parameter Store parameters: IAM denied `ssm:DescribeParameters`/,
    );
    assert.match(
      await secret('U0ALICE', 'info ssm:/team/db --role params'),
      /No Parameter Store parameter named `ssm:\/team\/db` was found \(looked up as role `params`\)/,
      'the exact name, not a prefix',
    );
    assert.match(
      await secret('U0ALICE', 'info ssm:bad*name --role params'),
      /not a valid Parameter Store name/,
    );
    assert.match(await secret('U0STRANGER', 'info 2ndline/fastly'), /#platform-help/);
    const refused = h
      .auditEvents()
      .filter((e) => e.action === 'secret.read' && e.note === 'info' && e.outcome !== 'ok');
    assert.ok(refused.some((e) => e.outcome === 'not_found'));
    assert.ok(refused.some((e) => e.outcome === 'denied'));
  });

  it('describes a Parameter Store parameter with DescribeParameters on its exact name, reading no value', async () => {
    await h.aws.quiet();
    h.aws.clear();
    const json = await secret('U0ALICE', 'info ssm:/team/db/password --role params');
    assert.match(json, /`ssm:\/team\/db\/password`/);
    assert.match(json, /the \/team\/db\/password &lt;!here&gt;/);
    assert.match(json, /`SecureString` · version 1 · Standard tier/);
    assert.match(json, /Read as role `params` with DescribeParameters, which returns no value/);
    assert.ok(!json.includes(CANARY_PASSWORD));
    assert.equal(
      h.aws.callsOf('GetParameter').length + h.aws.callsOf('GetParameters').length,
      0,
      'no value read',
    );
    const [describe] = h.aws.callsOf('DescribeParameters');
    assert.ok(describe);
    assert.match(JSON.stringify(describe.params), /"Option":"Equals"/);
    const audit = h
      .auditEvents()
      .filter((e) => e.action === 'secret.read' && e.note === 'info')
      .at(-1);
    assert.equal(audit?.target, 'ssm:/team/db/password');
    assert.equal(audit?.outcome, 'ok');
  });

  it('is listed in /secret help, from the same table', async () => {
    assert.match(
      await secret('U0ALICE', 'help'),
      /`\/secret info NAME \[--role ROLE\]`: what AWS knows about a secret/,
    );
  });
});
