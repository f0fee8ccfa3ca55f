import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { EphemeralMessage } from '../../src/devkit/standin-types.js';
import { type Harness, startHarness } from '../support/app-harness.js';
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

/** Sends /totp and waits for the ephemeral reply posted through that command's response_url. */
async function totp(userId: string, text: string) {
  const sent = await h.sender.slashCommand({ userId, command: '/totp', text });
  assert.equal(sent.status, 200);
  const reply = await h.slack.waitFor(() => h.slack.responseUrlPosts.find((p) => p.url === sent.responseUrl));
  const message = h.slack.ephemeralMessages(userId).find((m) => m.responseUrl === sent.responseUrl);
  const body = reply.body as { response_type?: string; blocks: Block[]; text: string };
  return { sent, reply, body, message, json: JSON.stringify(reply.body) };
}

function headerOf(blocks: Block[] | undefined): string | undefined {
  return blocks?.find((b) => b.type === 'header')?.text?.text;
}

/** Clicks a button in an ephemeral message and waits until the message is replaced. */
async function click(userId: string, message: EphemeralMessage, actionId: string) {
  const before = message.replacedCount;
  const res = await h.sender.blockActions({
    userId,
    actionId,
    channelId: message.channel,
    messageTs: message.ts,
  });
  assert.equal(res.status, 200);
  const replaced = await h.slack.waitFor(() => {
    const m = h.slack.ephemeralMessages(userId).find((x) => x.id === message.id);
    return m && m.replacedCount > before ? m : undefined;
  });
  return { res, replaced, json: JSON.stringify(replaced.blocks) };
}

describe('/totp NAME', () => {
  it('shows the current and next code for the injected time, only to the asker', async () => {
    nowMs = PERIOD_START + 10_000;
    h.aws.clear();
    const { body, json, message } = await totp('U0ALICE', '2ndline/fastly');
    const current = expect(CANARY_SEED, nowMs);
    const next = expect(CANARY_SEED, nowMs + 30_000);
    assert.notEqual(current, next);

    assert.equal(body.response_type, 'ephemeral');
    assert.ok(message, 'an ephemeral message exists for the asker');
    assert.equal(message.user, 'U0ALICE');
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

    const refresh = body.blocks.find((b) => b.type === 'actions')!.elements![0]!;
    assert.equal(refresh.action_id, 'totp_refresh');
    assert.deepEqual(JSON.parse(refresh.value!), { s: '2ndline/fastly', f: '2fa-seed', r: '2ndline' });

    const [read] = h.aws.callsOf('GetSecretValue');
    assert.ok(read);
    assert.notEqual(read.accessKeyId, h.seeded.botCredentials!.accessKeyId, 'read under the person’s role');
    assert.equal(read.params.SecretId, '2ndline/fastly');
  });

  it('writes an otp.code audit event with person, role, secret, field and outcome, never a code', async () => {
    const e = h
      .auditEvents()
      .findLast((x) => x.action === 'otp.code' && (x.person as { slack_id: string }).slack_id === 'U0ALICE');
    assert.ok(e);
    assert.equal(e.outcome, 'ok');
    assert.equal((e.person as { email: string }).email, 'alice@example.com');
    assert.deepEqual(e.role, { name: '2ndline', arn: h.seeded.roleArns['locksmith-2ndline'] });
    assert.equal(e.target, '2ndline/fastly');
    assert.equal(e.field, '2fa-seed');
    const text = JSON.stringify(e);
    for (const c of codesSeen) assert.doesNotMatch(text, new RegExp(`(?<!\\d)${c}(?!\\d)`));
  });

  it('"Refresh" replaces the message in place with codes for the time of the click', async () => {
    nowMs = PERIOD_START + 10_000;
    const first = await totp('U0ALICE', '2ndline/fastly');
    assert.ok(first.message);
    const reads = h.aws.callsOf('GetSecretValue').length;

    nowMs = PERIOD_START + 40_000; // one period on: the old "next" is now current
    const { replaced, json } = await click('U0ALICE', first.message, 'totp_refresh');
    const current = expect(CANARY_SEED, nowMs);
    const next = expect(CANARY_SEED, nowMs + 30_000);
    assert.equal(replaced.id, first.message.id, 'the same ephemeral message');
    assert.equal(replaced.replacedCount, 1);
    assert.equal(headerOf(replaced.blocks as Block[]), grouped(current));
    assert.equal(current, expect(CANARY_SEED, PERIOD_START + 10_000 + 30_000), 'the old next code');
    assert.ok(json.includes(`next code \`${grouped(next)}\``));
    assert.ok(!json.includes(CANARY_SEED));

    const after = h.aws.callsOf('GetSecretValue');
    assert.equal(after.length, reads + 1, 'the secret is read again at click time');
    assert.notEqual(after.at(-1)!.accessKeyId, h.seeded.botCredentials!.accessKeyId);
    const events = h.auditEvents().filter((x) => x.action === 'otp.code' && x.outcome === 'ok');
    assert.ok(events.length >= 3, 'one audit event per generation');
  });

  it('hides itself when the next code expires, and a refresh moves that hide', async () => {
    // period=1 on the injected clock: the command's hide is due 1.1 s after it (next period ends
    // at +12 000); a refresh 0.3 s later, at injected +12 100, moves it to 1.9 s after the refresh.
    nowMs = PERIOD_START + 10_900;
    const first = await totp('U0ALICE', '2ndline/fast');
    assert.ok(first.message);
    assert.equal(headerOf(first.body.blocks), grouped(expect(OTP_SEEDS.fast, nowMs, { period: 1 })));
    assert.match(first.json, /\*1 s\* left/);
    assert.match(first.json, /hides in 2 s/);
    await new Promise((r) => setTimeout(r, 300));
    nowMs = PERIOD_START + 12_100;
    const { res, replaced } = await click('U0ALICE', first.message, 'totp_refresh');
    assert.equal(headerOf(replaced.blocks as Block[]), grouped(expect(OTP_SEEDS.fast, nowMs, { period: 1 })));

    // Past the command's own deadline, the refreshed codes are still there.
    await new Promise((r) => setTimeout(r, 1100));
    const still = h.slack.ephemeralMessages('U0ALICE').find((x) => x.id === first.message!.id)!;
    assert.equal(still.replacedCount, 1, 'the refresh moved the hide; it did not fire at the old time');

    const hidden = await h.slack.waitFor(() => {
      const m = h.slack.ephemeralMessages('U0ALICE').find((x) => x.id === first.message!.id);
      return m && /have expired/.test(JSON.stringify(m.blocks)) ? m : undefined;
    }, 4000);
    assert.match(JSON.stringify(hidden.blocks), /Run `\/totp 2ndline\/fast 2fa-seed` for new ones/);
    assert.equal(headerOf(hidden.blocks as Block[]), undefined, 'no code is left on screen');
    assert.equal(hidden.replacedCount, 2, 'refreshed once, hidden once');
    const viaCommandUrl = h.slack.responseUrlPosts.filter((p) => p.url === first.sent.responseUrl);
    assert.equal(viaCommandUrl.length, 1, 'nothing more went through the command’s response_url');
    const viaClickUrl = h.slack.responseUrlPosts.filter((p) => p.url === res.responseUrl);
    assert.equal(viaClickUrl.length, 2, 'the refresh and the hide went through the click’s response_url');
  });

  it('uses --role to pick among several roles, and refreshes under that role', async () => {
    nowMs = PERIOD_START + 10_000;
    const denied = await totp('U0BOB', '2ndline/fastly');
    assert.match(denied.json, /Your role `nothing` is not allowed to read `2ndline\/fastly`/);
    const ok = await totp('U0BOB', '2ndline/fastly --role 2ndline');
    assert.equal(headerOf(ok.body.blocks), grouped(expect(CANARY_SEED, nowMs)));
    const { json } = await click('U0BOB', ok.message!, 'totp_refresh');
    assert.match(json, /read as role `2ndline`/);
  });
});

describe('/totp with several seeds and other forms', () => {
  it('lists several seeds as buttons; a click replaces the list with that seed’s codes', async () => {
    nowMs = PERIOD_START + 10_000;
    const { body, json, message } = await totp('U0ALICE', '2ndline/multi');
    assert.ok(message);
    const buttons = body.blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements!);
    assert.deepEqual(
      buttons.map((b) => (b.text as { text: string }).text),
      ['github', 'aws'],
    );
    assert.equal(headerOf(body.blocks), undefined, 'no code before a seed is picked');
    for (const seedValue of Object.values(OTP_SEEDS)) assert.ok(!json.includes(seedValue));

    const aws = buttons[1]!;
    const { replaced, json: picked } = await click('U0ALICE', message, aws.action_id);
    assert.equal(replaced.id, message.id);
    assert.equal(headerOf(replaced.blocks as Block[]), grouped(expect(OTP_SEEDS.aws, nowMs)));
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
      const before = h.slack.ephemeralMessages('U0ALICE').length;
      const { json, body } = await totp('U0ALICE', text);
      assert.match(json, expected);
      assert.equal(headerOf(body.blocks), undefined, 'no code is shown');
      assert.ok(!body.blocks.some((b) => b.type === 'actions'), 'nothing to click');
      for (const s of [...Object.values(OTP_SEEDS), CANARY_BAD_SEED, CANARY_PASSWORD, CANARY_TOKEN])
        assert.ok(!json.includes(s), `the reply holds ${s}`);
      assert.equal(h.slack.ephemeralMessages('U0ALICE').length, before + 1, 'one reply, nothing else');
    });
  }

  it('names the secret and field in a bad-seed refusal, and audits it', async () => {
    const { json } = await totp('U0ALICE', '2ndline/hotp');
    assert.match(json, /No codes from the `2fa-seed` field of `2ndline\/hotp`/);
    const e = h.auditEvents().findLast((x) => x.action === 'otp.code' && x.target === '2ndline/hotp');
    // A refusal of what the secret holds, not a failure (issue 18).
    assert.equal(e?.outcome, 'refused');
    assert.equal(e?.reason, 'bad_seed');
  });

  it('audits a secret with no seed as refused, and a 5,000-character name capped', async () => {
    await totp('U0ALICE', '2ndline/plain');
    const e = h.auditEvents().findLast((x) => x.action === 'otp.code' && x.target === '2ndline/plain');
    assert.equal(e?.outcome, 'refused');
    assert.equal(e?.reason, 'no_seed');
    const long = `2ndline/${'a'.repeat(5000)}`;
    await totp('U0ALICE', long);
    const capped = h
      .auditEvents()
      .findLast((x) => x.action === 'otp.code' && String(x.target).startsWith('2ndline/aaa'));
    assert.ok(capped, 'audited');
    assert.ok(String(capped.target).length < 2100, `target of ${String(capped.target).length} characters`);
    assert.match(String(capped.target), /…\(\d+ more characters\)$/);
  });

  it('audits access denied', async () => {
    await totp('U0BOB', '2ndline/fastly');
    const e = h.auditEvents().findLast((x) => x.action === 'otp.code' && x.outcome === 'denied');
    assert.ok(e);
    assert.equal((e.person as { slack_id: string }).slack_id, 'U0BOB');
    assert.equal((e.role as { name: string }).name, 'nothing');
  });

  for (const [who, expected] of [
    ['U0STRANGER', /no locksmith role yet.*#platform-help/],
    ['U0GONE', /deactivated/],
    ['U0GUEST', /Guest and bot accounts/],
  ] as const) {
    it(`refuses ${who} before any AWS call`, async () => {
      h.aws.clear();
      const { json } = await totp(who, '2ndline/fastly');
      assert.match(json, expected);
      assert.equal(h.aws.calls.length, 0, 'no AWS call was made');
      const e = h.auditEvents().findLast((x) => (x.person as { slack_id: string }).slack_id === who);
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

  it('refuses unknown options', async () => {
    const { json } = await totp('U0ALICE', '2ndline/fastly --algo sha1');
    assert.match(json, /Unknown option `--algo`/);
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
    // Every Web API call is non-ephemeral as far as leaks go, except chat.postEphemeral.
    const visible = JSON.stringify(h.slack.calls.filter((c) => c.method !== 'chat.postEphemeral'));
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
    for (const p of h.slack.responseUrlPosts) {
      const blocks = ((p.body as { blocks?: Block[] }).blocks ?? []).filter((b) => b.type === 'actions');
      for (const el of blocks.flatMap((b) => b.elements ?? [])) {
        const keys = Object.keys(JSON.parse(el.value!) as object).sort();
        assert.ok(
          keys.every((k) => ['f', 'r', 's'].includes(k)),
          `button value keys ${keys.join(',')}`,
        );
      }
    }
  });
});
