import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkView } from '../../devkit/block-kit-limits.js';
import { isUserError } from '../../src/core/errors.js';
import { holdsOtpauth } from '../../src/secrets/seed-fields.js';
import { buildRevealView } from '../../src/secrets/reveal-blocks.js';
import { interpretSecretString, type SecretRead } from '../../src/secrets/secret-reader.js';
import {
  loneSurrogate,
  NASTY_PIECES,
  nastyText,
  nastyTextMaybeHuge,
  propertyRuns,
  unescapedControl,
} from './support.js';

const RUNS = propertyRuns(150);
const SEED_FIELDS = ['2fa-seed'];
/** Marks seeds so they can be looked for in the output. Base32, so it is also a valid seed. */
const SEED_MARK = 'SEEDMARKQQQQ2222';

const ctx = { roleName: '2ndline', ttlSeconds: 60 };

/** The reveal window, read like a message: its title (what its frame shows) and blocks. */
function buildRevealMessage(read: Parameters<typeof buildRevealView>[0], c: typeof ctx) {
  const view = buildRevealView(read, c);
  return { view, text: (view as { title: { text: string } }).title.text, blocks: view.blocks };
}

/** Keys: ordinary, hostile, the seed field, or very long. */
const key = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('username', 'password', 'token', 'note', '2fa-seed', 'value') },
  { weight: 4, arbitrary: nastyText(6) },
  { weight: 1, arbitrary: nastyTextMaybeHuge(5000) },
);

/** Values: hostile text, sometimes huge, sometimes an otpauth URI (which is a seed, hidden). */
const value = fc.oneof(
  { weight: 6, arbitrary: nastyTextMaybeHuge(60_000) },
  { weight: 1, arbitrary: fc.constant(`otpauth://totp/X:y?secret=${SEED_MARK}`) },
  { weight: 1, arbitrary: fc.constant(`  OTPAUTH://totp/X?secret=${SEED_MARK}  `) },
);

/** Secret text: a JSON object of hostile fields, any JSON value, or any text at all. */
const secretText = fc.oneof(
  fc
    .array(
      fc.tuple(
        key,
        fc.oneof({ weight: 5, arbitrary: value }, { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) }),
      ),
      { maxLength: 8 },
    )
    .map((entries) => {
      const o: Record<string, unknown> = {};
      for (const [k, v] of entries) o[k] = v;
      // A seed field always holds the marked seed, whatever the generated value was.
      if ('2fa-seed' in o) o['2fa-seed'] = `${SEED_MARK}AAAA`;
      return JSON.stringify(o);
    }),
  fc.json({ maxDepth: 5 }),
  value,
  fc
    .array(fc.oneof(loneSurrogate, fc.constantFrom(...NASTY_PIECES)), { maxLength: 50 })
    .map((a) => a.join('')),
  fc.string({ unit: 'binary', maxLength: 2000 }),
);

/** Every mrkdwn text object in a message's blocks. */
function mrkdwnTexts(blocks: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record['type'] === 'mrkdwn' && typeof record['text'] === 'string') out.push(record['text']);
    Object.values(record).forEach(walk);
  };
  walk(blocks);
  return out;
}

/** The values a person can see, as given by the secret (not its seeds). */
function shownValues(read: Pick<SecretRead, 'fields'>): string[] {
  return read.fields.flatMap((f) => (f.hiddenSeed ? [] : [f.value]));
}

describe('reveal rendering of any secret content (property)', () => {
  it('renders a Slack-valid, ping-free window without the value in its title, or refuses too_large', () => {
    fc.assert(
      fc.property(secretText, fc.constantFrom('app/db', 'a', 'x'.repeat(512)), (text, name) => {
        const read = { name, ...interpretSecretString(text, { seedFields: SEED_FIELDS }) };
        let message;
        try {
          message = buildRevealMessage(read, ctx);
        } catch (err) {
          assert.ok(isUserError(err), `not a UserError: ${String(err)}`);
          assert.equal(err.code, 'too_large');
          assert.ok(!err.message.includes(SEED_MARK));
          for (const v of shownValues(read)) if (v.length >= 4) assert.ok(!err.message.includes(v));
          return;
        }
        const problem = checkView(message.view, ['modal']);
        assert.equal(problem, undefined, `Slack would refuse it: ${JSON.stringify(problem)}`);
        for (const t of mrkdwnTexts(message.blocks)) {
          const leak = unescapedControl(t);
          assert.equal(leak, undefined, `unescaped Slack syntax in mrkdwn: ${JSON.stringify(leak)}`);
        }
        assert.ok(!JSON.stringify(message).includes(SEED_MARK), 'a seed is never shown');
        assert.equal(message.text, 'Secret', 'the window’s title names nothing from the secret');
      }),
      { numRuns: RUNS },
    );
  });

  it('shows each value exactly: the parts, on new lines unless a part says the line goes on, give the value', () => {
    const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    fc.assert(
      fc.property(nastyTextMaybeHuge(20_000), (v) => {
        // Text holding otpauth:// anywhere is a seed, hidden whole (src/otp/seed-fields.ts).
        fc.pre(v !== '' && !holdsOtpauth(v));
        const read = { name: 'app/x', ...interpretSecretString(JSON.stringify({ v }), { seedFields: [] }) };
        let message;
        try {
          message = buildRevealMessage(read, ctx);
        } catch (err) {
          assert.ok(isUserError(err) && err.code === 'too_large');
          return;
        }
        const body = message.blocks.slice(2, -1) as Array<{ text: { type: string; text: string } }>;
        let joined = '';
        let separator = '';
        let goesOn = false;
        for (const t of body.map((b) => b.text)) {
          // A part's label says whether the next part goes on with its (overlong) line.
          if (t.type === 'mrkdwn') goesOn = t.text.includes('the line goes on in the next part');
          const m = t.type === 'plain_text' ? [t.text, t.text] : /\n```([\s\S]*)```$/.exec(t.text);
          if (!m) continue;
          const part = t.type === 'plain_text' ? m[1]! : unescape(m[1]!);
          joined += separator + part;
          separator = goesOn ? '' : '\n';
        }
        assert.equal(joined, v);
      }),
      { numRuns: RUNS },
    );
  });
});
