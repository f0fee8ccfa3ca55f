import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isUserError } from '../../src/core/errors.js';
import { MAX_DIGITS, MAX_PERIOD, MIN_DIGITS, parseSeed } from '../../src/otp/otpauth.js';
import { nastyText, nastyTextMaybeHuge, propertyRuns } from './support.js';

const RUNS = propertyRuns(500);

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abcdefghijklmnopqrstuvwxyz';

/** Secret values: plausible base32 (right or wrong length), base32 with typos, or anything. */
const secretValue = fc.oneof(
  fc.string({ unit: fc.constantFrom(...BASE32), minLength: 6, maxLength: 120 }),
  fc
    .tuple(
      fc.string({ unit: fc.constantFrom(...BASE32), minLength: 6, maxLength: 40 }),
      fc.constantFrom('1', '0', '8', '9', '!', ' ', '=', '%', '&', '<!channel>', '\u0000', '\ud800', 'é'),
      fc.nat(40),
    )
    .map(([s, bad, at]) => s.slice(0, at) + bad + s.slice(at)),
  nastyText(8),
);

/** The value as it would sit in a query: sometimes percent-encoded, sometimes raw. */
const param = (name: string, v: fc.Arbitrary<string>) =>
  fc.tuple(v, fc.boolean()).map(([value, encode]) => ({
    name,
    value,
    text: `${name}=${encode ? encodeURIComponent(value.replace(/[\ud800-\udfff]/g, 'x')) : value}`,
  }));

const otherParam = fc.oneof(
  param('issuer', nastyText(4)),
  param('algorithm', fc.constantFrom('SHA1', 'sha256', 'SHA512', 'MD5', '', '<@U123>')),
  param(
    'digits',
    fc.oneof(fc.integer({ min: -1, max: 12 }).map(String), fc.constantFrom('6.0', '1e1', ' 6', '')),
  ),
  param(
    'period',
    fc.oneof(fc.integer({ min: -1, max: MAX_PERIOD + 2 }).map(String), fc.constantFrom('0x1e', '30s')),
  ),
  param('Secret', secretValue),
  param('image', nastyText(3)),
);

/** An otpauth URI with a secret parameter, shuffled among others, with odd types and labels. */
const uriWithSecret = fc
  .tuple(
    fc.constantFrom('otpauth://', 'OTPAUTH://', 'otpauth:', ' otpauth://'),
    fc.constantFrom('totp', 'TOTP', 'hotp', '', 'x', '<!channel>'),
    fc.oneof(fc.constant(''), nastyText(5), fc.constantFrom('/ACME:alice', '/%E0%A4%A', '/a%', '/é:ü')),
    param('secret', secretValue),
    fc.array(otherParam, { maxLength: 4 }),
    fc.nat(4),
    fc.constantFrom('', '#frag', '&', '&&secret'),
  )
  .map(([scheme, type, label, secret, others, at, tail]) => {
    const params = others.map((p) => p.text);
    params.splice(Math.min(at, params.length), 0, secret.text);
    const path = label === '' || label.startsWith('/') ? label : `/${label}`;
    return { uri: `${scheme}${type}${path}?${params.join('&')}${tail}`, secret: secret.value };
  });

function expectSeedOrBadSeed(input: string, secrets: string[]): void {
  try {
    const seed = parseSeed(input);
    assert.ok(seed.secret instanceof Uint8Array && seed.secret.length >= 10 && seed.secret.length <= 64);
    assert.ok(['SHA1', 'SHA256', 'SHA512'].includes(seed.algorithm));
    assert.ok(seed.digits >= MIN_DIGITS && seed.digits <= MAX_DIGITS);
    assert.ok(seed.period >= 1 && seed.period <= MAX_PERIOD);
  } catch (err) {
    assert.ok(isUserError(err), `not a UserError: ${String(err)}`);
    assert.equal(err.code, 'bad_seed');
    for (const s of secrets) {
      const t = s.trim();
      // Short all-letter secrets ("length", "allowed") are words of the fixed messages themselves.
      if (t.length < 6 || (t.length < 16 && /^[a-z ]+$/i.test(t))) continue;
      assert.ok(!err.message.includes(t), `the message echoes the secret: ${err.message}`);
      assert.ok(!err.message.toUpperCase().includes(t.toUpperCase()), 'nor in another case');
    }
  }
}

describe('parseSeed on any input (property)', () => {
  it('returns a valid seed or a bad_seed refusal for any text at all', () => {
    fc.assert(
      fc.property(
        fc.oneof(nastyTextMaybeHuge(10_000), fc.string({ unit: 'binary', maxLength: 200 })),
        (input) => {
          // A bare value is the secret itself, so no message may echo it either.
          expectSeedOrBadSeed(input, /^\s*[a-z][a-z0-9+.-]*:/i.test(input) ? [] : [input]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('never quotes the secret parameter back in a refusal', () => {
    fc.assert(
      fc.property(uriWithSecret, ({ uri, secret }) => {
        expectSeedOrBadSeed(uri, [secret]);
      }),
      { numRuns: RUNS },
    );
  });

  it('never quotes a bare base32 seed back, typo or not', () => {
    fc.assert(
      fc.property(secretValue, fc.constantFrom('', ' ', '\n', '===='), (secret, pad) => {
        expectSeedOrBadSeed(`${pad}${secret}${pad}`, [secret]);
      }),
      { numRuns: RUNS },
    );
  });
});
