import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { type Harness, startHarness } from '../support/app-harness.js';
import {
  CANARY_PASSWORD,
  CANARY_SEED,
  CANARY_TOKEN,
  config,
  seed,
  usergroups,
  users,
} from '../support/fixtures.js';

let h: Harness;

before(async () => {
  h = await startHarness({ config, seed, users, usergroups, enforceIam: true });
});
after(async () => {
  await h?.stop();
});

/** Sends /secret and waits for the ephemeral reply posted through that command's response_url. */
async function secret(userId: string, text: string) {
  const sent = await h.sender.slashCommand({ userId, command: '/secret', text });
  assert.equal(sent.status, 200);
  const reply = await h.slack.waitFor(() => h.slack.responseUrlPosts.find((p) => p.url === sent.responseUrl));
  const message = h.slack.ephemeralMessages(userId).find((m) => m.responseUrl === sent.responseUrl);
  return { sent, reply, message, json: JSON.stringify(reply.body) };
}

describe('/secret get', () => {
  it('shows a mapped person the secret, only to them, read under their own assumed role', async () => {
    h.aws.clear();
    const { json, message } = await secret('U0ALICE', 'get 2ndline/fastly');
    assert.match(json, /"response_type":"ephemeral"/);
    assert.match(json, /\*username\*\\n```cdn-bot```/);
    assert.ok(json.includes(CANARY_PASSWORD));
    assert.ok(json.includes(CANARY_TOKEN));
    assert.ok(!json.includes(CANARY_SEED), 'the 2FA seed is never shown');
    assert.match(json, /\/totp 2ndline\/fastly/);
    assert.match(json, /Read as role `2ndline`/);
    assert.ok(message, 'an ephemeral message exists for the asker');
    assert.equal(message.user, 'U0ALICE');

    const [assume] = h.aws.callsOf('AssumeRole');
    assert.ok(assume, 'AssumeRole was called');
    assert.equal(
      assume.accessKeyId,
      h.seeded.botCredentials!.accessKeyId,
      'the bot assumes roles with its own key',
    );
    assert.equal(assume.params.RoleArn, h.seeded.roleArns['locksmith-2ndline']);
    assert.equal(assume.params.RoleSessionName, 'slack-U0ALICE');
    assert.equal(assume.params.SourceIdentity, 'alice@example.com');
    assert.equal(assume.params['Tags.member.1.Key'], 'slack_user_id');
    assert.equal(assume.params['Tags.member.1.Value'], 'U0ALICE');
    assert.equal(assume.params['Tags.member.2.Key'], 'slack_team_id');

    const [read] = h.aws.callsOf('GetSecretValue');
    assert.ok(read);
    assert.notEqual(read.accessKeyId, h.seeded.botCredentials!.accessKeyId, 'never read with the bot key');
    const bySession = h.aws.calls.filter((c) => c.accessKeyId === read.accessKeyId);
    // The value, and the secret's tags (notify on view, trail/notify-on-view.ts), read together.
    assert.deepEqual(bySession.map((c) => c.operation).sort(), ['DescribeSecret', 'GetSecretValue']);
    const botCalls = h.aws.calls.filter((c) => c.accessKeyId === h.seeded.botCredentials!.accessKeyId);
    assert.deepEqual(
      [...new Set(botCalls.map((c) => c.operation))],
      ['AssumeRole'],
      'the bot key only assumes roles',
    );

    // The cached session is the person's assumed role, as moto's GetCallerIdentity shows.
    const person = await h.deps.directory.lookup('U0ALICE', 'T0TEST');
    const session = await h.deps.sessions.sessionFor(person, {
      name: '2ndline',
      arn: h.seeded.roleArns['locksmith-2ndline']!,
    });
    const who = await session.clients.sts.send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, 'arn:aws:sts::123456789012:assumed-role/locksmith-2ndline/slack-U0ALICE');
    assert.equal(h.aws.callsOf('AssumeRole').length, 1, 'the session was reused, not assumed again');
  });

  it('writes an audit event naming the person, role, secret, version and outcome', async () => {
    const events = h.auditEvents().filter((e) => e.action === 'secret.reveal' && e.outcome === 'ok');
    const e = events.find((x) => (x.person as { slack_id: string }).slack_id === 'U0ALICE');
    assert.ok(e);
    assert.deepEqual(e.person, {
      slack_id: 'U0ALICE',
      team_id: (e.person as { team_id: string }).team_id,
      email: 'alice@example.com',
    });
    assert.equal((e.role as { arn: string }).arn, h.seeded.roleArns['locksmith-2ndline']);
    assert.equal(e.target, '2ndline/fastly');
    assert.match(String(e.version_id), /^[0-9a-f-]{36}$/);
    assert.equal(typeof e.duration_ms, 'number');
  });

  it('uses --role to pick among several roles; the default role is the first', async () => {
    const denied = await secret('U0BOB', 'get 2ndline/fastly');
    assert.match(denied.json, /Your role `nothing` is not allowed to read `2ndline\/fastly`/);
    assert.ok(!denied.json.includes(CANARY_PASSWORD));
    const ok = await secret('U0BOB', 'get 2ndline/fastly --role 2ndline');
    assert.ok(ok.json.includes(CANARY_PASSWORD));
    const refused = await secret('U0BOB', 'get 2ndline/fastly --role forbidden');
    assert.match(refused.json, /can't use the role `forbidden`/);
  });

  for (const [who, expected] of [
    ['U0STRANGER', /no locksmith role yet.*#platform-help/],
    ['U0GONE', /deactivated/],
    ['U0GUEST', /Guest and bot accounts/],
  ] as const) {
    it(`refuses ${who} before any AWS call`, async () => {
      h.aws.clear();
      const { json } = await secret(who, 'get 2ndline/fastly');
      assert.match(json, expected);
      assert.equal(h.aws.calls.length, 0, 'no AWS call was made');
      const e = h.auditEvents().findLast((x) => (x.person as { slack_id: string }).slack_id === who);
      assert.equal(e?.outcome, 'refused');
    });
  }

  it('says when locksmith may not assume a role, naming the role and the trust policy', async () => {
    const { json } = await secret('U0CAROL', 'get 2ndline/fastly');
    assert.match(json, /not allowed to assume the role `forbidden`/);
    assert.match(json, /trust policy/);
  });

  it('says when a secret does not exist', async () => {
    const { json } = await secret('U0ALICE', 'get 2ndline/nope');
    assert.match(json, /No secret named `2ndline\/nope` was found/);
  });

  it('refuses binary secrets clearly', async () => {
    const { json } = await secret('U0ALICE', 'get 2ndline/binary');
    assert.match(json, /binary value/);
  });

  it('shows a plain-string secret as one value', async () => {
    const { json } = await secret('U0ALICE', 'get 2ndline/plain');
    assert.ok(json.includes(`\`\`\`plain-${CANARY_PASSWORD}\`\`\``));
  });

  it('turns throttling that outlasts the SDK retries into a clear message', async () => {
    const throttle = {
      status: 400,
      body: JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }),
    };
    h.aws.failNext('GetSecretValue', throttle, 3);
    const { json } = await secret('U0ALICE', 'get 2ndline/fastly');
    assert.match(json, /throttling/);
  });

  it('turns an AWS outage into a clear message with no stack trace', async () => {
    h.aws.failNext(
      'GetSecretValue',
      { status: 503, body: '<html>Service Unavailable</html>', contentType: 'text/html' },
      3,
    );
    const { json } = await secret('U0ALICE', 'get 2ndline/fastly');
    assert.match(json, /could not be reached/);
    assert.doesNotMatch(json, /at .*\.js:\d+/);
  });

  it('hides the reveal by itself after reveal.ttl_seconds', async () => {
    const { sent, message } = await secret('U0ALICE', 'get 2ndline/fastly');
    assert.ok(message);
    const hidden = await h.slack.waitFor(
      () =>
        h.slack
          .ephemeralMessages('U0ALICE')
          .find((m) => m.responseUrl === sent.responseUrl && m.history.length > 0),
      4000,
    );
    const now = JSON.stringify(hidden.blocks);
    assert.match(now, /hid itself/);
    assert.ok(!now.includes(CANARY_PASSWORD));
  });

  it('"Hide now" replaces the reveal at once', async () => {
    const { reply, message } = await secret('U0ALICE', 'get 2ndline/plain');
    assert.ok(message);
    const blocks = (
      reply.body as {
        blocks: Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>;
      }
    ).blocks;
    const hide = blocks.find((b) => b.type === 'actions')!.elements![0]!;
    const res = await h.sender.blockActions({
      userId: 'U0ALICE',
      channelId: message.channel,
      actionId: hide.action_id,
      value: hide.value,
      responseUrl: message.responseUrl,
      message: { ts: message.ts, text: message.text, blocks: message.blocks },
    });
    assert.equal(res.status, 200);
    const hidden = await h.slack.waitFor(() => {
      const m = h.slack.ephemeralMessages('U0ALICE').find((x) => x.id === message.id);
      return m && /was hidden/.test(JSON.stringify(m.blocks)) ? m : undefined;
    });
    assert.ok(!JSON.stringify(hidden.blocks).includes(CANARY_PASSWORD));
  });
});

describe('/secret list and help', () => {
  it('lists names, descriptions and dates, never values', async () => {
    const { json } = await secret('U0ALICE', 'list 2ndline/');
    assert.match(json, /`2ndline\/fastly` · Fastly API user for the CDN/);
    assert.match(json, /`2ndline\/plain`/);
    assert.doesNotMatch(json, /prod\/db/);
    assert.ok(!json.includes(CANARY_PASSWORD));
  });

  it('answers bare /secret, help and unknown subcommands with usage', async () => {
    for (const text of ['', 'help', 'frobnicate']) {
      const { json } = await secret('U0STRANGER', text);
      assert.match(json, /\/secret get NAME/, text);
    }
  });
});

describe('one AssumeRole per person and role', () => {
  it('makes one AssumeRole for 20 requests by one person within the session lifetime', async () => {
    h.aws.clear();
    for (let i = 0; i < 20; i++) await secret('U0BOB', 'get 2ndline/plain --role 2ndline');
    assert.equal(h.aws.callsOf('AssumeRole').length, 0, 'bob already had a 2ndline session');
    assert.equal(h.aws.callsOf('GetSecretValue').length, 20);
  });
});

describe('request verification', () => {
  it('answers 401 to a bad signature and runs no handler', async () => {
    h.aws.clear();
    const res = await h.sender.slashCommand({
      userId: 'U0ALICE',
      command: '/secret',
      text: 'get 2ndline/fastly',
      badSignature: true,
    });
    assert.equal(res.status, 401);
    await new Promise((r) => setTimeout(r, 300));
    // Earlier tests' auto-hides may still land meanwhile; only this request's URL matters.
    assert.equal(h.slack.responseUrlPosts.filter((p) => p.url === res.responseUrl).length, 0);
    assert.equal(h.aws.calls.length, 0);
  });

  it('answers 401 to a timestamp older than 5 minutes and runs no handler', async () => {
    h.aws.clear();
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    const res = await h.sender.slashCommand({
      userId: 'U0ALICE',
      command: '/secret',
      text: 'get 2ndline/fastly',
      timestampSeconds: stale,
    });
    assert.equal(res.status, 401);
    await new Promise((r) => setTimeout(r, 300));
    // Earlier tests' auto-hides may still land meanwhile; only this request's URL matters.
    assert.equal(h.slack.responseUrlPosts.filter((p) => p.url === res.responseUrl).length, 0);
    assert.equal(h.aws.calls.length, 0);
  });
});

describe('leak check', () => {
  it('no canary value appears in any log line, non-ephemeral Slack call or error', async () => {
    const canaries = [CANARY_PASSWORD, CANARY_TOKEN, CANARY_SEED];
    const logs = h.logs.join('\n');
    for (const c of canaries) assert.ok(!logs.includes(c), `log lines contain ${c}`);
    assert.ok(h.logs.length > 20, 'logs were captured');
    assert.ok(!logs.includes('xoxb-test-bot-token'), 'the bot token is not logged');
    assert.ok(!logs.includes('/respond/'), 'response_urls are not logged');
    // Every Web API call is non-ephemeral as far as leaks go, except chat.postEphemeral.
    const visible = h.slack.calls.filter((c) => c.method !== 'chat.postEphemeral');
    for (const c of canaries)
      assert.ok(!JSON.stringify(visible).includes(c), `a Slack Web API call contains ${c}`);
    // Response-url posts that are not ephemeral (in_channel) must hold no value either.
    const inChannel = h.slack.responseUrlPosts.filter(
      (p) => (p.body as { response_type?: string }).response_type === 'in_channel',
    );
    for (const c of canaries) assert.ok(!JSON.stringify(inChannel).includes(c));
    // The seed never goes anywhere, not even ephemerally.
    assert.ok(!JSON.stringify(h.slack.responseUrlPosts).includes(CANARY_SEED));
  });
});
