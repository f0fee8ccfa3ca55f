import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { type Harness, startHarness } from '../support/app-harness.js';
import { hiddenWindow, shownIn } from '../support/windows.js';
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

/**
 * Sends /secret. `get NAME` answers in a reveal window (what it showed first: the value or a
 * refusal); everything else with an ephemeral reply through the command's response_url.
 */
async function secret(userId: string, text: string) {
  const sent = await h.sender.slashCommand({ userId, command: '/secret', text });
  assert.equal(sent.status, 200);
  if (/^get\s+\S/.test(text)) {
    const shown = await shownIn(h.slack, sent.triggerId);
    return { sent, shown, json: shown.json };
  }
  const reply = await h.slack.waitFor(() => h.slack.responseUrlPosts.find((p) => p.url === sent.responseUrl));
  return { sent, json: JSON.stringify(reply.body) };
}

/** Earlier reveals' after-work (notify-on-view's DescribeSecret) has landed: AWS is quiet. */
async function quietAws(): Promise<void> {
  await h.aws.quiet();
  h.aws.clear();
}

describe('/secret get', () => {
  it('shows a mapped person the secret in a window only they see, read under their own assumed role', async () => {
    h.aws.clear();
    const { json, shown, sent } = await secret('U0ALICE', 'get 2ndline/fastly');
    assert.match(json, /"type":"modal"/);
    assert.match(json, /"notify_on_close":true/, 'Slack tells the bot when it is closed');
    assert.match(json, /\*username\*\\n```cdn-bot```/);
    assert.ok(json.includes(CANARY_PASSWORD));
    assert.ok(json.includes(CANARY_TOKEN));
    assert.ok(!json.includes(CANARY_SEED), 'the 2FA seed is never shown');
    assert.match(json, /\/totp 2ndline\/fastly/);
    assert.match(json, /Read as role `2ndline`/);
    assert.equal(h.slack.view(shown!.viewId)?.user, 'U0ALICE', 'the window is the asker’s');
    assert.equal(
      h.slack.responseUrlPosts.filter((p) => p.url === sent.responseUrl).length,
      0,
      'nothing is posted as a message',
    );
    for (const other of ['U0BOB', 'U0CAROL'])
      assert.ok(!h.slack.screenText(other).includes(CANARY_PASSWORD), `${other} never sees it`);

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
    // The value, then the secret's tags (notify on view, trail/notify-on-view.ts), which the
    // window does not wait for.
    await h.slack.waitFor(() =>
      h.aws.callsOf('DescribeSecret').find((c) => c.accessKeyId === read.accessKeyId),
    );
    const bySession = h.aws.calls.filter((c) => c.accessKeyId === read.accessKeyId);
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
      await quietAws();
      const { json } = await secret(who, 'get 2ndline/fastly');
      assert.match(json, expected);
      assert.equal(h.aws.calls.length, 0, 'no AWS call was made');
      // The reveal's audit event is recorded once the window shows the outcome.
      const e = await h.slack.waitFor(() =>
        h
          .auditEvents()
          .findLast(
            (x) => x.action === 'secret.reveal' && (x.person as { slack_id: string }).slack_id === who,
          ),
      );
      assert.equal(e.outcome, 'refused');
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

  it('hides the window by itself after reveal.ttl_seconds: nothing on the asker’s screen holds the value', async () => {
    const { shown } = await secret('U0ALICE', 'get 2ndline/fastly');
    const hidden = await hiddenWindow(h.slack, shown!.viewId, 4000);
    assert.match(JSON.stringify(hidden?.view), /`2ndline\/fastly` hid itself/);
    assert.match(JSON.stringify(hidden?.view), /Run `\/secret get 2ndline\/fastly` to see it again/);
    for (const canary of [CANARY_PASSWORD, CANARY_TOKEN])
      assert.ok(!h.slack.screenText('U0ALICE').includes(canary), 'no surface holds the value');
    const hide = await h.slack.waitFor(() =>
      h.auditEvents().findLast((e) => e.action === 'secret.hide' && e.target === '2ndline/fastly'),
    );
    assert.equal(hide.outcome, 'ok');
    assert.equal((hide.hide as { how: string }).how, 'ttl');
    assert.equal((hide.role as { name: string }).name, '2ndline');
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
    await quietAws();
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
    await quietAws();
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
    // Every Web API call is non-ephemeral as far as leaks go, except chat.postEphemeral and the
    // modals (reveal windows), which only their person sees.
    const isModal = (c: { args: Record<string, unknown> }) =>
      (c.args['view'] as { type?: string } | undefined)?.type === 'modal';
    const visible = h.slack.calls.filter(
      (c) =>
        c.method !== 'chat.postEphemeral' && !(/^views\.(open|push|update)$/.test(c.method) && isModal(c)),
    );
    for (const c of canaries)
      assert.ok(!JSON.stringify(visible).includes(c), `a Slack Web API call contains ${c}`);
    // Response-url posts that are not ephemeral (in_channel) must hold no value either.
    const inChannel = h.slack.responseUrlPosts.filter(
      (p) => (p.body as { response_type?: string }).response_type === 'in_channel',
    );
    for (const c of canaries) assert.ok(!JSON.stringify(inChannel).includes(c));
    // The seed never goes anywhere, not even ephemerally or in a window.
    assert.ok(!JSON.stringify(h.slack.responseUrlPosts).includes(CANARY_SEED));
    assert.ok(!JSON.stringify(h.slack.calls).includes(CANARY_SEED));
  });

  it('leaves no value on anyone’s screen once every window has hidden itself', async () => {
    const people = ['U0ALICE', 'U0BOB', 'U0CAROL', 'U0GUEST', 'U0GONE', 'U0STRANGER'];
    const shown = () =>
      people.flatMap((user) =>
        [CANARY_PASSWORD, CANARY_TOKEN, CANARY_SEED]
          .filter((c) => h.slack.screenText(user).includes(c))
          .map((c) => `${user}: ${c}`),
      );
    // reveal.ttl_seconds is 1 here: within a few seconds every window has hidden itself.
    await h.slack.waitFor(() => shown().length === 0 || undefined, 5000).catch(() => undefined);
    assert.deepEqual(shown(), [], 'values still on screen');
  });
});

describe('/rotate-key without a rotation section', () => {
  it('says rotation is not set up for every word, and still answers help', async () => {
    for (const text of ['ci-deploy', 'due', 'index --role 2ndline']) {
      const sent = await h.sender.slashCommand({ userId: 'U0ALICE', command: '/rotate-key', text });
      const reply = await h.slack.waitFor(() =>
        h.slack.responseUrlPosts.find((p) => p.url === sent.responseUrl),
      );
      assert.match(
        JSON.stringify(reply.body),
        /Key rotation is not set up here: locksmith's config has no `rotation` section/,
        text,
      );
    }
    for (const text of ['', 'help']) {
      const sent = await h.sender.slashCommand({ userId: 'U0ALICE', command: '/rotate-key', text });
      const reply = await h.slack.waitFor(() =>
        h.slack.responseUrlPosts.find((p) => p.url === sent.responseUrl),
      );
      assert.match(
        JSON.stringify(reply.body),
        /`\/rotate-key USER \[--role ROLE\]`: rotate the access key/,
        text,
      );
    }
  });
});
