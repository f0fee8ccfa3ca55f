import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../../src/core/errors.js';
import { findSeed, seedFields } from '../../../src/otp/seed-finder.js';

const options = { seedFields: ['2fa-seed'] };
const SEED = 'JBSWY3DPEHPK3PXP';
const URI_A = `otpauth://totp/GitHub:ops?secret=${SEED}`;
const URI_B = 'OTPAUTH://totp/AWS:root?secret=GEZDGNBVGY3TQOJQ';

function secret(value: string | Record<string, unknown>, name = '2ndline/x') {
  return { name, text: typeof value === 'string' ? value : JSON.stringify(value) };
}

/** Asserts findSeed refuses with `code` and a message matching `pattern` that holds no value. */
function assertRefused(
  run: () => unknown,
  code: 'no_seed' | 'bad_seed',
  pattern: RegExp,
  values: string[] = [SEED],
): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof UserError);
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    for (const v of values) assert.ok(!err.message.includes(v), 'the message holds a value');
    return true;
  });
}

describe('findSeed', () => {
  it('takes the configured field, whatever its value looks like (a bare base32 seed)', () => {
    assert.deepEqual(findSeed(secret({ user: 'ops', '2fa-seed': SEED }), options), {
      kind: 'found',
      field: '2fa-seed',
      seed: SEED,
    });
  });

  it('finds the configured field however it is cased or spaced (2FA-Seed, " 2fa-seed")', () => {
    for (const key of ['2FA-Seed', ' 2fa-seed', '2FA-SEED ']) {
      assert.deepEqual(findSeed(secret({ user: 'ops', [key]: SEED }), options), {
        kind: 'found',
        field: key,
        seed: SEED,
      });
    }
  });

  it('prefers configured fields over otpauth-valued ones', () => {
    const found = findSeed(secret({ backup: URI_B, '2fa-seed': URI_A }), options);
    assert.deepEqual(found, { kind: 'found', field: '2fa-seed', seed: URI_A });
  });

  it('honours a custom list of seed fields, in config order', () => {
    const opts = { seedFields: ['totp', 'mfa'] };
    assert.deepEqual(findSeed(secret({ mfa: SEED, user: 'ops' }), opts), {
      kind: 'found',
      field: 'mfa',
      seed: SEED,
    });
    assert.deepEqual(findSeed(secret({ mfa: SEED, totp: URI_A }), opts), {
      kind: 'choose',
      fields: ['totp', 'mfa'],
    });
    assertRefused(
      () => findSeed(secret({ '2fa-seed': SEED }), { seedFields: [] }),
      'no_seed',
      /holds no 2FA seed\. locksmith looks for any field whose value is an `otpauth:/,
    );
  });

  it('finds a single field holding an otpauth URI (any case of the scheme)', () => {
    assert.deepEqual(findSeed(secret({ user: 'ops', mfa: URI_B }), options), {
      kind: 'found',
      field: 'mfa',
      seed: URI_B,
    });
  });

  it('asks to choose among several otpauth fields, in the secret order, without values', () => {
    const found = findSeed(secret({ user: 'ops', github: URI_A, aws: URI_B }), options);
    assert.deepEqual(found, { kind: 'choose', fields: ['github', 'aws'] });
    assert.ok(!JSON.stringify(found).includes(SEED));
  });

  it('gives the named field among several', () => {
    assert.deepEqual(findSeed(secret({ github: URI_A, aws: URI_B }), options, 'aws'), {
      kind: 'found',
      field: 'aws',
      seed: URI_B,
    });
  });

  it('lets FIELD name an otpauth field even when a configured field wins by default', () => {
    const value = { '2fa-seed': SEED, old: URI_A };
    assert.equal(findSeed(secret(value), options).kind === 'found', true);
    assert.deepEqual(findSeed(secret(value), options, 'old'), { kind: 'found', field: 'old', seed: URI_A });
  });

  it('takes a plain-string secret that is an otpauth URI', () => {
    assert.deepEqual(findSeed(secret(` ${URI_A}\n`), options), {
      kind: 'found',
      field: undefined,
      seed: ` ${URI_A}\n`,
    });
  });

  it('refuses a plain string that is not an otpauth URI, even a base32 one', () => {
    assertRefused(() => findSeed(secret(SEED), options), 'no_seed', /`2ndline\/x` holds no 2FA seed/);
    assertRefused(() => findSeed(secret('hunter2'), options), 'no_seed', /field named `2fa-seed`/, [
      'hunter2',
    ]);
    assertRefused(() => findSeed(secret('[1,2]'), options), 'no_seed', /holds no 2FA seed/);
  });

  it('refuses a JSON secret without a seed, naming where it looked', () => {
    assertRefused(
      () => findSeed(secret({ password: SEED, totp_code: '123456' }), options),
      'no_seed',
      /no 2FA seed.*`2fa-seed`.*otpauth:\/\//s,
    );
  });

  it('refuses a field that holds no seed, listing the ones that do', () => {
    assertRefused(
      () => findSeed(secret({ password: SEED, github: URI_A }), options, 'password'),
      'no_seed',
      /no 2FA seed in a field named `password`\. Its seeds are in: `github`/,
    );
  });

  it('refuses a field for a single-value secret', () => {
    assertRefused(() => findSeed(secret(URI_A), options, 'x'), 'no_seed', /single value/, [SEED]);
  });

  it('refuses a configured field that is not text', () => {
    assertRefused(
      () => findSeed(secret({ '2fa-seed': { secret: SEED } }), options),
      'bad_seed',
      /`2fa-seed` field of `2ndline\/x` is not text/,
    );
  });

  it('escapes names it quotes back', () => {
    assertRefused(() => findSeed(secret({ a: 1 }, 'odd<name>'), options), 'no_seed', /`odd&lt;name&gt;`/, []);
  });
});

describe('seedFields', () => {
  it('names seed fields and never returns a value', () => {
    const fields = seedFields(JSON.stringify({ '2fa-seed': SEED, x: URI_A, y: 'no' }), options);
    assert.deepEqual(fields, { kind: 'json', preferred: ['2fa-seed'], all: ['2fa-seed', 'x'] });
    assert.deepEqual(seedFields(URI_A, options), { kind: 'string', isSeed: true });
    assert.deepEqual(seedFields('plain', options), { kind: 'string', isSeed: false });
  });
});
