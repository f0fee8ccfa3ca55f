import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type Harness, startHarness } from '../support/app-harness.js';
import { hiddenWindow, shownIn, viewsSentTo } from '../support/windows.js';
import {
  CANARY_BAD_SEED,
  CANARY_PASSWORD,
  CANARY_SEED,
  CANARY_TOKEN,
  config,
  OTP_SEEDS,
  otpSeed,
  usergroups,
  users,
} from '../support/fixtures.js';

// ---- An independent RFC 6238 implementation (node:crypto), not src/otp ----

function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of clean) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error('test seed is not base32');
    buffer = (buffer << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** RFC 6238 TOTP (T0 = 0) for a base32 key at a Unix time in milliseconds. */
function rfc6238(
  base32: string,
  atMs: number,
  {
    algorithm = 'sha1',
    digits = 6,
    period = 30,
  }: { algorithm?: string; digits?: number; period?: number } = {},
): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 1000 / period)));
  const mac = createHmac(algorithm, base32Decode(base32)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

function grouped(codeText: string): string {
  const half = Math.floor(codeText.length / 2);
  return `${codeText.slice(0, half)} ${codeText.slice(half)}`;
}

// ---- The injected clock ----

/** The start of a 30 s period (a multiple of 30 000 ms). */
const PERIOD_START = 1_750_000_020_000;
let nowMs = PERIOD_START + 10_000;
const clock = { now: () => nowMs };

/** Every code the bot could have shown in these tests, for the leak check. */
const codesSeen = new Set<string>();
function expect(base32: string, atMs: number, opts?: Parameters<typeof rfc6238>[2]): string {
  const c = rfc6238(base32, atMs, opts);
  codesSeen.add(c);
  return c;
}

let h: Harness;

before(async () => {
  assert.equal(PERIOD_START % 30_000, 0);
  h = await startHarness({ config, seed: otpSeed, users, usergroups, enforceIam: true, clock });
});
after(async () => {
  await h?.stop();
});

type Block = {
  type: string;
  block_id?: string;
  text?: { text: string };
  elements?: Array<{ action_id: string; value?: string; text?: { text: string } | string }>;
};

/**
 * Sends /totp. A NAME answers in a codes window (what it showed first: codes, a seed picker or a
 * refusal); bare /totp and help answer with an ephemeral reply through the response_url.
 */
async function totp(userId: string, text: string) {
  const sent = await h.sender.slashCommand({ userId, command: '/totp', text });
  assert.equal(sent.status, 200);
  if (text.trim() !== '' && !/^help$/i.test(text.trim())) {
    const shown = await shownIn(h.slack, sent.triggerId);
    const view = shown.view as { blocks: Block[]; title: { text: string } };
    return {
      sent,
      viewId: shown.viewId,
      body: { blocks: view.blocks, text: view.title.text },
      json: shown.json,
    };
  }
  const reply = await h.slack.waitFor(() => h.slack.responseUrlPosts.find((p) => p.url === sent.responseUrl));
  const body = reply.body as { blocks: Block[]; text: string };
  return { sent, viewId: undefined, body, json: JSON.stringify(reply.body) };
}

function headerOf(blocks: Block[] | undefined): string | undefined {
  return blocks?.find((b) => b.type === 'header')?.text?.text;
}

/** A button in a codes window. */
function buttonOf(blocks: Block[], actionId: string) {
  return blocks
    .flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []))
    .find((e) => e.action_id === actionId);
}

/** Clicks a button in a window and waits until the window shows something new. */
async function click(userId: string, viewId: string | undefined, actionId: string) {
  assert.ok(viewId, 'a window to click in');
  const before = viewsSentTo(h.slack, viewId).length;
  const res = await h.sender.blockActions({ userId, actionId, view: { id: viewId } });
  assert.equal(res.status, 200);
  const view = await h.slack.waitFor(() => viewsSentTo(h.slack, viewId).slice(before)[0]);
  return { res, view, blocks: view['blocks'] as Block[], json: JSON.stringify(view) };
}

describe('/totp NAME', () => {
  it('shows the current and next code for the injected time, only to the asker', async () => {
    nowMs = PERIOD_START + 10_000;
    h.aws.clear();
    const { body, json, viewId, sent } = await totp('U0ALICE', '2ndline/fastly');
    const current = expect(CANARY_SEED, nowMs);
    const next = expect(CANARY_SEED, nowMs + 30_000);
    assert.notEqual(current, next);

    assert.equal(h.slack.view(viewId!)?.user, 'U0ALICE', 'a window only the asker sees');
    assert.equal(h.slack.responseUrlPosts.filter((p) => p.url === sent.responseUrl).length, 0, 'no message');
    assert.equal(headerOf(body.blocks), grouped(current), 'the current code, large and grouped');
    assert.ok(json.includes('```' + current + '```'), 'the ungrouped code, copyable');
    assert.ok(json.includes(`next code \`${grouped(next)}\``));
    assert.match(json, /\*20 s\* left/);
    assert.match(json, /hides in 50 s/);
    assert.match(json, /\*Fastly\* · cdn-bot/);
    assert.match(json, /read as role `2ndline`/);
    assert.ok(!json.includes(CANARY_SEED), 'the seed is never shown');
    assert.ok(!json.includes(CANARY_PASSWORD), 'other fields are not shown');
    assert.ok(!body.text.includes(current), 'the notification text holds no code');

    const refresh = buttonOf(body.blocks, 'totp_refresh')!;
    assert.ok(buttonOf(body.blocks, 'reveal_hide'), 'and Hide now');
    assert.deepEqual(JSON.parse(refresh.value!), { s: '2ndline/fastly', f: '2fa-seed', r: '2ndline' });

    const [read] = h.aws.callsOf('GetSecretValue');
    assert.ok(read);
    assert.notEqual(read.accessKeyId, h.seeded.botCredentials!.accessKeyId, 'read under the person’s role');
    assert.equal(read.params.SecretId, '2ndline/fastly');
  });

  it('writes an otp.code audit event with person, role, secret, field and outcome, never a code', async () => {
    const e = await h.slack.waitFor(() =>
      h
        .auditEvents()
        .findLast(
          (x) => x.action === 'otp.code' && (x.person as { slack_id: string }).slack_id === 'U0ALICE',
        ),
    );
    assert.equal(e.outcome, 'ok');
    assert.equal((e.person as { email: string }).email, 'alice@example.com');
    assert.deepEqual(e.role, { name: '2ndline', arn: h.seeded.roleArns['locksmith-2ndline'] });
    assert.equal(e.target, '2ndline/fastly');
    assert.equal(e.field, '2fa-seed');
    const text = JSON.stringify(e);
    for (const c of codesSeen) assert.doesNotMatch(text, new RegExp(`(?<!\\d)${c}(?!\\d)`));
  });

  it('"Refresh" puts codes for the time of the click into the same window', async () => {
    nowMs = PERIOD_START + 10_000;
    const first = await totp('U0ALICE', '2ndline/fastly');
    const reads = h.aws.callsOf('GetSecretValue').length;

    nowMs = PERIOD_START + 40_000; // one period on: the old "next" is now current
    const { blocks, json } = await click('U0ALICE', first.viewId, 'totp_refresh');
    const current = expect(CANARY_SEED, nowMs);
    const next = expect(CANARY_SEED, nowMs + 30_000);
    assert.equal(
      h.slack.screen('U0ALICE').modal.filter((v) => v.id === first.viewId).length,
      1,
      'the same window',
    );
    assert.equal(headerOf(blocks), grouped(current));
    assert.equal(current, expect(CANARY_SEED, PERIOD_START + 10_000 + 30_000), 'the old next code');
    assert.ok(json.includes(`next code \`${grouped(next)}\``));
    assert.ok(!json.includes(CANARY_SEED));

    const after = h.aws.callsOf('GetSecretValue');
    assert.equal(after.length, reads + 1, 'the secret is read again at click time');
    assert.notEqual(after.at(-1)!.accessKeyId, h.seeded.botCredentials!.accessKeyId);
    // Recorded once Slack took the window's update, a moment after the stand-in saw it.
    await h.slack.waitFor(
      () => h.auditEvents().filter((x) => x.action === 'otp.code' && x.outcome === 'ok').length >= 3,
    );
  });

  it('hides itself when the next code expires, and a refresh moves that hide', async () => {
    // period=1 on the injected clock: the command's hide is due 1.1 s after it (next period ends
    // at +12 000); a refresh 0.3 s later, at injected +12 100, moves it to 1.9 s after the refresh.
    nowMs = PERIOD_START + 10_900;
    const first = await totp('U0ALICE', '2ndline/fast');
    assert.equal(headerOf(first.body.blocks), grouped(expect(OTP_SEEDS.fast, nowMs, { period: 1 })));
    assert.match(first.json, /\*1 s\* left/);
    assert.match(first.json, /hides in 2 s/);
    await new Promise((r) => setTimeout(r, 300));
    nowMs = PERIOD_START + 12_100;
    const refreshed = await click('U0ALICE', first.viewId, 'totp_refresh');
    const code = expect(OTP_SEEDS.fast, nowMs, { period: 1 });
    assert.equal(headerOf(refreshed.blocks), grouped(code));

    // Past the command's own deadline, the refreshed codes are still there.
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal(
      headerOf(h.slack.view(first.viewId!)?.view['blocks'] as Block[]),
      grouped(code),
      'the refresh moved the hide; it did not fire at the old time',
    );

    const hidden = await hiddenWindow(h.slack, first.viewId!, 4000);
    assert.match(JSON.stringify(hidden?.view), /Run `\/totp 2ndline\/fast 2fa-seed` for new codes/);
    assert.equal(headerOf(hidden?.view['blocks'] as Block[]), undefined, 'no code is left on screen');
    assert.ok(!h.slack.screenText('U0ALICE').includes(code), 'no surface the asker sees holds the code');
    const hideEvents = () =>
      h.auditEvents().filter((e) => e.action === 'otp.hide' && e.target === '2ndline/fast');
    await h.slack.waitFor(() => hideEvents().length > 0);
    const hides = hideEvents();
    assert.equal(hides.length, 1, 'one hide, at the refreshed time');
    assert.equal((hides[0]!.hide as { how: string }).how, 'ttl');
    assert.equal(hides[0]!.field, '2fa-seed');
    assert.equal(
      h.slack.responseUrlPosts.filter((p) => p.url === first.sent.responseUrl).length,
      0,
      'nothing went through the command’s response_url',
    );
  });

  it('uses --role to pick among several roles, and refreshes under that role', async () => {
    nowMs = PERIOD_START + 10_000;
    const denied = await totp('U0BOB', '2ndline/fastly');
    assert.match(denied.json, /Your role `nothing` is not allowed to read `2ndline\/fastly`/);
    const ok = await totp('U0BOB', '2ndline/fastly --role 2ndline');
    assert.equal(headerOf(ok.body.blocks), grouped(expect(CANARY_SEED, nowMs)));
    const { json } = await click('U0BOB', ok.viewId, 'totp_refresh');
    assert.match(json, /read as role `2ndline`/);
  });
});

describe('/totp with several seeds and other forms', () => {
  it('lists several seeds as buttons; a click replaces the list with that seed’s codes', async () => {
    nowMs = PERIOD_START + 10_000;
    const { body, json, viewId } = await totp('U0ALICE', '2ndline/multi');
    const buttons = body.blocks
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements!)
      .filter((b) => b.action_id !== 'reveal_hide');
    assert.deepEqual(
      buttons.map((b) => (b.text as { text: string }).text),
      ['github', 'aws'],
    );
    assert.equal(headerOf(body.blocks), undefined, 'no code before a seed is picked');
    for (const seedValue of Object.values(OTP_SEEDS)) assert.ok(!json.includes(seedValue));
    // The picker read the secret: audited as a read that showed names only (issue 14, item 8).
    const read = await h.slack.waitFor(() =>
      h.auditEvents().findLast((e) => e.action === 'secret.read' && e.target === '2ndline/multi'),
    );
    assert.equal(read.outcome, 'ok');
    assert.match(String(read.note), /seed picker/);

    const aws = buttons[1]!;
    const { blocks, json: picked } = await click('U0ALICE', viewId, aws.action_id);
    assert.equal(headerOf(blocks), grouped(expect(OTP_SEEDS.aws, nowMs)));
    assert.match(picked, /`2ndline\/multi` › `aws`/);
    assert.match(picked, /:key: \*AWS\* · root/);
  });

  it('/totp NAME FIELD picks a seed directly', async () => {
    const { body, json } = await totp('U0ALICE', '2ndline/multi github');
    assert.equal(headerOf(body.blocks), grouped(expect(OTP_SEEDS.github, nowMs)));
    assert.ok(json.includes(`next code \`${grouped(expect(OTP_SEEDS.github, nowMs + 30_000))}\``));
  });

  it('refuses a FIELD that holds no seed, naming the ones that do', async () => {
    const { json } = await totp('U0ALICE', '2ndline/multi username');
    assert.match(json, /no 2FA seed in a field named `username`\. Its seeds are in: `github`, `aws`/);
  });

  it('reads a plain-string otpauth secret with SHA256 and 8 digits', async () => {
    const { body, json } = await totp('U0ALICE', '2ndline/okta-uri');
    const opts = { algorithm: 'sha256', digits: 8 };
    assert.equal(headerOf(body.blocks), grouped(expect(OTP_SEEDS.okta, nowMs, opts)));
    assert.match(headerOf(body.blocks)!, /^\d{4} \d{4}$/);
    assert.match(json, /\*Okta\* · ops@example.com/);
  });

  it('reads a bare base32 seed (spaces and all) from the 2fa-seed field', async () => {
    const { body } = await totp('U0ALICE', '2ndline/bare');
    assert.equal(headerOf(body.blocks), grouped(expect(OTP_SEEDS.bare, nowMs)));
  });
});

describe('/totp refusals', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['bad base32', '2ndline/bad-base32', /not valid base32: the \d+(st|nd|rd|th) character is not allowed/],
    ['HOTP', '2ndline/hotp', /for HOTP \(counter-based codes\).*only shows time-based/],
    [
      'an unsupported algorithm',
      '2ndline/md5',
      /`algorithm` is not supported; it must be SHA1, SHA256 or SHA512/,
    ],
    ['unsupported digits', '2ndline/ten-digits', /`digits` must be a whole number from 6 to 8/],
    ['a malformed URI', '2ndline/malformed', /not a valid `otpauth:\/\/` URI/],
    ['no seed in a JSON secret', 'prod/db', /`prod\/db` holds no 2FA seed/],
    ['no seed in a plain secret', '2ndline/plain', /`2ndline\/plain` holds no 2FA seed/],
    ['a secret that does not exist', '2ndline/nope', /No secret named `2ndline\/nope` was found/],
    ['a binary secret', '2ndline/binary', /`2ndline\/binary` holds a binary value, so it has no 2FA seed/],
    ['an invalid name', 'bad!name', /not a valid secret name/],
  ];
  for (const [what, text, expected] of cases) {
    it(`explains ${what} clearly, without the seed or a code`, async () => {
      const { json, body, sent } = await totp('U0ALICE', text);
      assert.match(json, expected);
      assert.equal(headerOf(body.blocks), undefined, 'no code is shown');
      assert.ok(!body.blocks.some((b) => b.type === 'actions'), 'nothing to click');
      for (const s of [...Object.values(OTP_SEEDS), CANARY_BAD_SEED, CANARY_PASSWORD, CANARY_TOKEN])
        assert.ok(!json.includes(s), `the reply holds ${s}`);
      assert.equal(
        h.slack.responseUrlPosts.filter((p) => p.url === sent.responseUrl).length,
        0,
        'the refusal is in the window; nothing else',
      );
    });
  }

  it('names the secret and field in a bad-seed refusal, and audits it', async () => {
    const { json } = await totp('U0ALICE', '2ndline/hotp');
    assert.match(json, /No codes from the `2fa-seed` field of `2ndline\/hotp`/);
    const e = await h.slack.waitFor(() =>
      h.auditEvents().findLast((x) => x.action === 'otp.code' && x.target === '2ndline/hotp'),
    );
    // A refusal of what the secret holds, not a failure (issue 18).
    assert.equal(e?.outcome, 'refused');
    assert.equal(e?.reason, 'bad_seed');
  });

  it('audits a secret with no seed as refused, and a 5,000-character name capped', async () => {
    await totp('U0ALICE', '2ndline/plain');
    const e = await h.slack.waitFor(() =>
      h.auditEvents().findLast((x) => x.action === 'otp.code' && x.target === '2ndline/plain'),
    );
    assert.equal(e?.outcome, 'refused');
    assert.equal(e?.reason, 'no_seed');
    const long = `2ndline/${'a'.repeat(5000)}`;
    await totp('U0ALICE', long);
    const capped = await h.slack.waitFor(() =>
      h.auditEvents().findLast((x) => x.action === 'otp.code' && String(x.target).startsWith('2ndline/aaa')),
    );
    assert.ok(String(capped.target).length < 2100, `target of ${String(capped.target).length} characters`);
    assert.match(String(capped.target), /…\(\d+ more characters\)$/);
  });

  it('audits access denied', async () => {
    await totp('U0BOB', '2ndline/fastly');
    const e = await h.slack.waitFor(() =>
      h.auditEvents().findLast((x) => x.action === 'otp.code' && x.outcome === 'denied'),
    );
    assert.equal((e.person as { slack_id: string }).slack_id, 'U0BOB');
    assert.equal((e.role as { name: string }).name, 'nothing');
  });

  for (const [who, expected] of [
    ['U0STRANGER', /no locksmith role yet.*#platform-help/],
    ['U0GONE', /deactivated/],
    ['U0GUEST', /Guest and bot accounts/],
  ] as const) {
    it(`refuses ${who} before any AWS call`, async () => {
      // Earlier reads' after-work (notify-on-view's DescribeSecret) lands first.
      for (let seen = -1; h.aws.calls.length !== seen;) {
        seen = h.aws.calls.length;
        await new Promise((r) => setTimeout(r, 200));
      }
      h.aws.clear();
      const { json } = await totp(who, '2ndline/fastly');
      assert.match(json, expected);
      assert.equal(h.aws.calls.length, 0, 'no AWS call was made');
      const e = await h.slack.waitFor(() =>
        h.auditEvents().findLast((x) => (x.person as { slack_id: string }).slack_id === who),
      );
      assert.equal(e?.action, 'otp.code');
      assert.equal(e?.outcome, 'refused');
    });
  }

  it('answers bare /totp and /totp help with usage, making no AWS call', async () => {
    h.aws.clear();
    for (const text of ['', 'help', 'HELP']) {
      const { json } = await totp('U0STRANGER', text);
      assert.match(json, /\/totp NAME \[--role ROLE\]/, text);
    }
    assert.equal(h.aws.calls.length, 0);
  });

  it('refuses unknown options in a message, opening no window', async () => {
    const sent = await h.sender.slashCommand({
      userId: 'U0ALICE',
      command: '/totp',
      text: '2ndline/fastly --algo sha1',
    });
    const reply = await h.slack.waitFor(() =>
      h.slack.responseUrlPosts.find((p) => p.url === sent.responseUrl),
    );
    assert.match(JSON.stringify(reply.body), /Unknown option `--algo`/);
    assert.equal(
      h.slack.callsTo('views.open').filter((c) => c.args['trigger_id'] === sent.triggerId).length,
      0,
    );
  });
});

describe('/totp leak check', () => {
  it('no seed reaches any Slack call or log line; no code reaches a log or a non-ephemeral call', async () => {
    const seeds = [CANARY_SEED, CANARY_BAD_SEED, ...Object.values(OTP_SEEDS)].flatMap((s) => [
      s,
      s.replace(/\s/g, ''),
    ]);
    assert.ok(codesSeen.size >= 10, 'codes were generated');
    const logs = h.logs.join('\n');
    assert.ok(h.logs.length > 20, 'logs were captured');
    const posts = JSON.stringify(h.slack.responseUrlPosts);
    const calls = JSON.stringify(h.slack.calls);
    for (const s of seeds) {
      assert.ok(!logs.includes(s), `a log line holds the seed ${s}`);
      assert.ok(!posts.includes(s), `a response_url post holds the seed ${s}`);
      assert.ok(!calls.includes(s), `a Web API call holds the seed ${s}`);
    }
    // Every Web API call is non-ephemeral as far as leaks go, except chat.postEphemeral and the
    // windows (modals), which only their person sees.
    const isModal = (c: { args: Record<string, unknown> }) =>
      (c.args['view'] as { type?: string } | undefined)?.type === 'modal';
    const visible = JSON.stringify(
      h.slack.calls.filter(
        (c) =>
          c.method !== 'chat.postEphemeral' && !(/^views\.(open|push|update)$/.test(c.method) && isModal(c)),
      ),
    );
    const inChannel = JSON.stringify(
      h.slack.responseUrlPosts.filter(
        (p) => (p.body as { response_type?: string }).response_type === 'in_channel',
      ),
    );
    const channelMessages = JSON.stringify(h.slack.channelMessages(undefined, { includeDeleted: true }));
    for (const c of codesSeen) {
      const pattern = new RegExp(`(?<!\\d)${c}(?!\\d)`);
      assert.doesNotMatch(logs, pattern, `a log line holds the code ${c}`);
      assert.doesNotMatch(visible, pattern, `a non-ephemeral Slack call holds the code ${c}`);
      assert.doesNotMatch(inChannel, pattern);
      assert.doesNotMatch(channelMessages, pattern);
    }
    // Button values hold only the secret name, field and role.
    const sentViews = h.slack.calls.map((c) => c.args['view'] as { blocks?: Block[] } | undefined);
    for (const v of sentViews) {
      const blocks = (v?.blocks ?? []).filter((b) => b.type === 'actions');
      for (const el of blocks.flatMap((b) => b.elements ?? []).filter((e) => e.value !== undefined)) {
        const keys = Object.keys(JSON.parse(el.value!) as object).sort();
        assert.ok(
          keys.every((k) => ['f', 'r', 's'].includes(k)),
          `button value keys ${keys.join(',')}`,
        );
      }
    }
    // Once every window's time is up (the job applies the hides due on the injected clock), no
    // code is on anyone's screen.
    nowMs += 5 * 60_000;
    await h.app.scheduler.tick();
    assert.equal(h.deps.reveals.pending, 0);
    for (const user of ['U0ALICE', 'U0BOB'])
      for (const c of codesSeen)
        assert.doesNotMatch(
          h.slack.screenText(user),
          new RegExp(`(?<!\\d)${c}(?!\\d)`),
          `${user} still sees ${c}`,
        );
  });
});
