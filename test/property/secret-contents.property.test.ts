/**
 * Hostile secret contents, read through the running bot: huge values, deeply nested JSON,
 * arrays and scalars, binary and invalid UTF-8, mrkdwn and link syntax, field names that are
 * pings. Each is stored in moto, then `/secret get`, `/secret edit` and `/totp` run on it over
 * HTTP. The asker always gets a reply Slack accepts (or a clear refusal); nothing Slack would
 * display pings anyone; no log line holds the value; the bot does not crash.
 */
import assert from 'node:assert/strict';
import { answered } from '../support/windows.js';
import { after, before, describe, it } from 'node:test';
import { PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import fc from 'fast-check';
import type { Harness } from '../support/app-harness.js';
import {
  assertCleanOutput,
  editorClient,
  mark,
  settle,
  startFullHarness,
  unexpectedErrors,
  watchCrashes,
} from './app-support.js';
import { NASTY_PIECES, nastyText, propertyRuns } from './support.js';

const RUNS = propertyRuns(25);
const SECRET = 'edit/plain';

let h: Harness;
let sm: SecretsManagerClient;
const crashes = watchCrashes();
let serial = 0;

before(async () => {
  h = await startFullHarness();
  sm = await editorClient(h);
});
after(async () => {
  crashes.stop();
  await h?.stop();
});

/** A canary unique to one run: it may reach the asker's reply, never a log line. */
function canary(): string {
  serial += 1;
  return `CANARY-prop-${serial}-${Math.random().toString(36).slice(2, 10)}`;
}

const nastyKey = fc.oneof(fc.constantFrom(...NASTY_PIECES, '2fa-seed', 'password', ''), nastyText(3));
const nastyLeaf = fc.oneof(
  nastyText(6),
  fc.constantFrom(...NASTY_PIECES),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant('otpauth://totp/x?secret=JBSWY3DPEHPK3PXP'),
  fc.constant('otpauth://totp/x?secret=<!channel>'),
);

/** What a secret holds: text (maybe huge), JSON of any shape, or bytes. */
const contents = fc.oneof(
  { weight: 3, arbitrary: fc.dictionary(nastyKey, nastyLeaf, { maxKeys: 8 }).map((o) => ({ json: o })) },
  {
    weight: 2,
    arbitrary: fc
      .letrec((tie) => ({
        node: fc.oneof(
          { depthSize: 'small', withCrossShrink: true },
          nastyLeaf,
          fc.array(tie('node'), { maxLength: 3 }),
          fc.dictionary(nastyKey, tie('node'), { maxKeys: 3 }),
        ),
      }))
      .node.map((v) => ({ json: v })),
  },
  { weight: 2, arbitrary: nastyText(30).map((t) => ({ text: t })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...NASTY_PIECES, 'x', '`', '\n'), fc.integer({ min: 1000, max: 60_000 }))
      .map(([piece, n]) => ({ text: piece.repeat(Math.ceil(n / piece.length)).slice(0, n) })),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1000, max: 60_000 })
      .map((n) => ({ json: { big: 'y'.repeat(n), small: '<!here>' } as unknown })),
  },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 2000 }).map((b) => ({ bytes: b })) },
  // Invalid UTF-8 (a lone continuation byte, an overlong form, a truncated sequence) as bytes.
  {
    weight: 1,
    arbitrary: fc
      .constantFrom([0x80], [0xc0, 0xaf], [0xe2, 0x82], [0xff, 0xfe], [0xed, 0xa0, 0x80])
      .map((b) => ({ bytes: new Uint8Array([...Buffer.from('user=ops '), ...b]) })),
  },
);

type Contents = { json: unknown } | { text: string } | { bytes: Uint8Array };

/** Stores the contents, with a fresh canary mixed in where text can hold it. */
async function store(c: Contents, mark_: string): Promise<void> {
  if ('bytes' in c) {
    await sm.send(new PutSecretValueCommand({ SecretId: SECRET, SecretBinary: c.bytes }));
    return;
  }
  const text =
    'json' in c
      ? JSON.stringify(
          typeof c.json === 'object' && c.json !== null && !Array.isArray(c.json)
            ? { ...c.json, canary: mark_ }
            : { value: c.json, canary: mark_ },
        )
      : `${c.text}${mark_}`;
  // Secrets Manager's limit is 65,536 bytes; beyond it the bot never sees the value at all.
  const bounded = Buffer.byteLength(text) > 65_000 ? text.slice(0, 30_000) + mark_ : text;
  await sm.send(new PutSecretValueCommand({ SecretId: SECRET, SecretString: bounded }));
}

/** Runs a command as Alice and waits for what she sees: a response_url reply or a window. */
async function run(cmd: string, text: string): Promise<string> {
  const before = mark(h);
  const sent = await h.sender.slashCommand({ userId: 'U0ALICE', command: cmd, text });
  assert.equal(sent.status, 200);
  // A reply through the response_url, or a window past its "Reading…" (the value, the form or
  // a refusal): a slow read opens the window first and puts the value in with views.update.
  await answered(h.slack, sent, 8000);
  for (const post of h.slack.responseUrlPosts.slice(before.posts)) {
    assert.equal(post.status, 200, `Slack refused the reply to ${cmd} ${text}: ${post.responseBody}`);
  }
  const refused = h.slack.calls.slice(before.calls).filter((c) => c.response['ok'] === false);
  assert.deepEqual(
    refused.map((c) => `${c.method}: ${String(c.response['error'])}`),
    [],
    `Slack refused a call for ${cmd} ${text}`,
  );
  return [
    ...h.slack.responseUrlPosts.slice(before.posts).map((p) => JSON.stringify(p.body)),
    ...h.slack.calls.slice(before.calls).map((c) => JSON.stringify(c.args)),
  ].join('\n');
}

describe('hostile secret contents through the running bot (property)', () => {
  it('/secret get, /secret edit and /totp answer every content clearly, within Slack limits, without pings or leaks', async () => {
    const from = mark(h);
    const canaries: string[] = [];
    await fc.assert(
      fc.asyncProperty(contents, async (c) => {
        const mark_ = canary();
        canaries.push(mark_);
        await store(c as Contents, mark_);
        const reveal = await run('/secret', `get ${SECRET}`);
        if ('bytes' in c) assert.match(reveal, /binary/i, 'a binary secret is refused clearly');
        // A plain-string secret that is an otpauth:// URI is a 2FA seed: hidden, by design. A
        // long value is shown in parts, which may cut the canary in two.
        else
          assert.ok(
            reveal.includes(mark_) || /too large|AWS CLI|2FA seed|part \d+ of \d+/i.test(reveal),
            'shown (whole or in parts), refused as too large, or hidden as a 2FA seed',
          );
        await run('/secret', `edit ${SECRET}`);
        await run('/totp', SECRET);
      }),
      { numRuns: RUNS },
    );
    await settle(h);
    assert.deepEqual(crashes.problems, []);
    assert.deepEqual(unexpectedErrors(h, from), []);
    assertCleanOutput(h, from, canaries);
  });
});
